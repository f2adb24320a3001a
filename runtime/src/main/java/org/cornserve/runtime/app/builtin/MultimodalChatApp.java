package org.cornserve.runtime.app.builtin;

import java.util.List;
import org.cornserve.runtime.app.AppConfig;
import org.cornserve.runtime.app.AppContext;
import org.cornserve.runtime.app.DataUrl;
import org.cornserve.runtime.app.Task;
import org.cornserve.runtime.app.TaskInput;
import org.cornserve.runtime.app.TaskResult;
import org.cornserve.runtime.app.UnaryApp;

/** Multimodal chat: a prompt and images (data URLs) through tiny-vl's vision encoder and LLM; the answer's text. */
public final class MultimodalChatApp implements UnaryApp<MultimodalChatApp.Request, MultimodalChatApp.Response> {

    /** A question, with images as data URLs. */
    public record Request(String prompt, List<DataUrl> images, Integer maxTokens, Double temperature, Long seed) {
        public Request {
            if (prompt == null) {
                throw new IllegalArgumentException("prompt is required");
            }
            images = images == null ? List.of() : List.copyOf(images);
        }
    }

    /** The answer and its token counts. */
    public record Response(String text, int promptTokens, int completionTokens) {
    }

    @Override
    public AppConfig config() {
        return AppConfig.of("vlm", Task.of("tiny-vl"));
    }

    @Override
    public Response serve(Request request, AppContext context) throws Exception {
        TaskInput input = TaskInput.text(request.prompt()).withSampling(request.maxTokens(), request.temperature(),
                request.seed());
        for (DataUrl image : request.images()) {
            input = input.withImage(image);
        }
        TaskResult r = context.call("vlm", input).collect();
        return new Response(r.text(), r.promptTokens(), r.completionTokens());
    }
}
