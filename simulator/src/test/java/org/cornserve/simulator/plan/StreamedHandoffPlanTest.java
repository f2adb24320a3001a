package org.cornserve.simulator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.simulator.metrics.RequestRecord;
import org.cornserve.simulator.metrics.ResultWriter;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Qwen2.5-Omni-7B with its talker and vocoder split from the thinker, on 240 generated requests (half of them with
 * spoken answers, a third with an image). Handing the thinker's whole answer to the talker gives byte for byte the
 * files kept in {@code src/test/resources/streaming/whole} (written before streamed hand-off existed; regenerate with
 * {@code -Dcornserve.regenerateGolden=true} and review the diff). Streaming the thinker's hidden states to the
 * talker lowers time to first audio, and every talker still starts after its thinker's first chunk and finishes
 * after its thinker.
 */
class StreamedHandoffPlanTest {
    static final Path DIR = Path.of("src/test/resources/streaming");

    static SimResult run(int streamChunkTokens) throws IOException {
        ResolvedPlan plan = PlanValidator.builtIn().readAndValidate(DIR.resolve("omni-talker-split.json"));
        SimConfig config = PlanSimConfigs.of(plan, HardwareCatalog.builtIn(), plan.plan().seed(), Slo.NONE, 0);
        var source = TraceFormat.JSONL.source(DIR.resolve("omni-speech.jsonl"), ReadOptions.defaults());
        try (TraceWorkload w = new TraceWorkload(source, 1, plan.models(), plan::splitsLlm, streamChunkTokens)) {
            return new Simulator(config).run(w);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16})
    void streamingCutsTimeToFirstAudioAndKeepsEveryTalkerBehindItsThinker(int chunk) throws IOException {
        SimResult whole = run(0);
        SimResult streamed = run(chunk);
        System.out.printf("chunk %d: TTFA p50 %.1f p99 %.1f ms (whole: %.1f / %.1f); E2E p50 %.1f (whole %.1f)%n", chunk,
                streamed.speech().ttfaMs().p50(), streamed.speech().ttfaMs().p99(), whole.speech().ttfaMs().p50(),
                whole.speech().ttfaMs().p99(), streamed.e2eMs().p50(), whole.e2eMs().p50());
        assertEquals(whole.requests(), streamed.completed(), "every request completes");
        assertEquals(whole.speech().completed(), streamed.speech().completed());
        assertTrue(streamed.speech().ttfaMs().p50() < 0.5 * whole.speech().ttfaMs().p50(),
                "streaming at least halves the median time to first audio");
        assertTrue(streamed.speech().ttfaMs().p99() < whole.speech().ttfaMs().p99());
        assertEquals(whole.ttftMs().p50(), streamed.ttftMs().p50(), 0.5, "text answers start about as before");
        int checked = 0;
        for (RequestRecord rec : streamed.records()) {
            InvocationGraph g = rec.request().graph();
            if (!g.hasSpeech()) {
                continue;
            }
            int talker = g.speechSourceNode();
            int thinker = llmOf(g);
            assertTrue(g.streams());
            assertTrue(rec.queuedNanos(talker) >= rec.startedNanos(thinker), "talker released after its thinker began");
            assertTrue(rec.finishedNanos(talker) >= rec.finishedNanos(thinker), "talker finishes after its thinker");
            if (g.traceOutputTokens(thinker) > chunk) {
                assertTrue(rec.queuedNanos(talker) < rec.finishedNanos(thinker),
                        "a talker whose thinker answers more than a chunk starts before the thinker ends");
            }
            checked++;
        }
        assertEquals(streamed.speech().count(), checked);
    }

    @Test
    void thePlanFileSetsTheChunkAndRefusesANegativeOne(@TempDir Path tmp) throws IOException {
        String json = Files.readString(DIR.resolve("omni-talker-split.json"));
        assertEquals(DeploymentPlan.DEFAULT_STREAM_CHUNK_TOKENS, PlanValidator.builtIn()
                .readAndValidate(DIR.resolve("omni-talker-split.json")).plan().streamChunkTokensOrDefault());
        Path eight = tmp.resolve("eight.json");
        Files.writeString(eight, json.replace("\"seed\": 1,", "\"seed\": 1, \"stream_chunk_tokens\": 8,"));
        ResolvedPlan plan = PlanValidator.builtIn().readAndValidate(eight);
        assertEquals(8, plan.plan().streamChunkTokensOrDefault());
        var source = TraceFormat.JSONL.source(DIR.resolve("omni-speech.jsonl"), ReadOptions.defaults());
        try (TraceWorkload w = new TraceWorkload(source, 1, plan)) {
            InvocationGraph first = w.next().graph();
            assertTrue(first.hasSpeech(), "the trace's first request asks for speech");
            assertEquals(8, first.streamChunkTokens(llmOf(first)));
        }
        Path negative = tmp.resolve("negative.json");
        Files.writeString(negative, json.replace("\"seed\": 1,", "\"seed\": 1, \"stream_chunk_tokens\": -1,"));
        RuntimeException e = assertThrows(RuntimeException.class, () -> PlanValidator.builtIn().readAndValidate(negative));
        assertTrue(e.getMessage().contains("negative.json") && e.getMessage().contains("stream_chunk_tokens must be >= 0"),
                e.getMessage());
    }

    private static int llmOf(InvocationGraph g) {
        for (int i = 0; i < g.size(); i++) {
            if (g.node(i).taskKey().endsWith("/llm")) {
                return i;
            }
        }
        throw new AssertionError("no thinker");
    }

    @Test
    void wholeHandOffKeepsTheResultsOfBefore(@TempDir Path out) throws IOException {
        ResultWriter.write(run(0), out);
        String summary = Files.readString(out.resolve("summary.json"))
                .replaceAll("\"wall_seconds\" : [^,]+,", "\"wall_seconds\" : 0,");
        Path golden = DIR.resolve("whole");
        if (Boolean.getBoolean("cornserve.regenerateGolden")) {
            Files.createDirectories(golden);
            Files.writeString(golden.resolve("summary.json"), summary);
            Files.copy(out.resolve("requests.csv"), golden.resolve("requests.csv"), StandardCopyOption.REPLACE_EXISTING);
        }
        assertEquals(Files.readString(golden.resolve("summary.json")), summary, "summary.json");
        assertEquals(-1L, Files.mismatch(golden.resolve("requests.csv"), out.resolve("requests.csv")),
                "requests.csv differs from the golden file");
    }
}
