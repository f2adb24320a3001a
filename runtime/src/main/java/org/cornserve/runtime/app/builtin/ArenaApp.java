package org.cornserve.runtime.app.builtin;

import java.util.LinkedHashMap;
import java.util.Map;
import org.cornserve.runtime.app.AppConfig;
import org.cornserve.runtime.app.AppContext;
import org.cornserve.runtime.app.ChunkSink;
import org.cornserve.runtime.app.DataUrl;
import org.cornserve.runtime.app.Interleaved;
import org.cornserve.runtime.app.StreamingApp;
import org.cornserve.runtime.app.Task;
import org.cornserve.runtime.app.TaskEvent;
import org.cornserve.runtime.app.TaskInput;
import org.cornserve.runtime.app.TaskStream;

/**
 * An arena, after Cornserve's Gemma arena: the same question to three LLMs at once, their answers streamed
 * interleaved as each model produces them. The three are tiny-vl's LLM with weights seeded 0, 1 and 2; all three
 * (like tiny-omni) read images through the one shared vision encoder deployment.
 */
public final class ArenaApp implements StreamingApp<ArenaApp.Request, ArenaApp.Chunk> {
    private static final String[] CONTESTANTS = {"tiny-vl", "tiny-vl-seed1", "tiny-vl-seed2"};

    /** The question, an optional image, and sampling settings shared by the three. */
    public record Request(String prompt, DataUrl image, Integer maxTokens, Double temperature, Long seed) {
        public Request {
            if (prompt == null) {
                throw new IllegalArgumentException("prompt is required");
            }
        }
    }

    /** A piece of one model's answer; {@code done} is true on each model's last chunk (with its token count). */
    public record Chunk(String model, String delta, boolean done, Integer completionTokens) {
    }

    @Override
    public AppConfig config() {
        Map<String, Task> tasks = new LinkedHashMap<>();
        for (String model : CONTESTANTS) {
            tasks.put(model, Task.of(model));
        }
        return new AppConfig(tasks);
    }

    @Override
    public void serve(Request request, AppContext context, ChunkSink<Chunk> out) throws Exception {
        TaskInput input = TaskInput.text(request.prompt()).withImage(request.image())
                .withSampling(request.maxTokens(), request.temperature(), request.seed());
        Map<String, TaskStream> calls = new LinkedHashMap<>();
        for (String model : CONTESTANTS) {
            calls.put(model, context.call(model, input));
        }
        Interleaved all = context.interleave(calls);
        for (Interleaved.Labeled e = all.next(); e != null; e = all.next()) {
            switch (e.event()) {
                case TaskEvent.Text t -> out.send(new Chunk(e.label(), t.delta(), false, null));
                case TaskEvent.Done d -> out.send(new Chunk(e.label(), "", true, d.completionTokens()));
                case TaskEvent.FirstToken f -> { }
                case TaskEvent.Audio a -> { }
                case TaskEvent.Image i -> { }
            }
        }
    }
}
