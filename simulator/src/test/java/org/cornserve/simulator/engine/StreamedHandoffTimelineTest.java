package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.cornserve.model.Modality;
import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.TaskConfig;
import org.cornserve.planner.schedule.batch.ItemBatching;
import org.cornserve.planner.schedule.batch.LlmPhase;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.planner.schedule.graph.DataEdge;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.Work;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.SimDeployment;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.RequestRecord;
import org.cornserve.simulator.metrics.SimResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Streamed hand-off on one request, against a timeline computed by hand. A thinker whose every iteration takes
 * 10 ms (prefill included) answers {@value #PROMPT} prompt tokens with {@value #ANSWER} tokens; it streams its hidden
 * states ({@value #BYTES_PER_POSITION} bytes per position) to a talker on another replica of the same node (9e11 B/s,
 * 5 us), whose iterations take 4 ms, and whose codes go to a vocoder beside it (1 ms).
 *
 * <p>Chunk C: the thinker's prefill ends at 10 ms with token 1; the decode run stops at token C (C x 10 ms); the
 * first chunk (prompt + C positions) takes 5 us + its bytes / 9e11; the talker prefills (4 ms: its first code, the
 * first audio) and decodes. The thinker's last token comes at 400 ms, and the rest of the positions follow; the
 * talker cannot finish before they arrive. Whole hand-off (C = 0): the talker starts when all 140 positions arrive.
 */
class StreamedHandoffTimelineTest {
    static final long PROMPT = 100;
    static final long ANSWER = 40;
    static final long BYTES_PER_POSITION = 9_000;
    static final long MS = 1_000_000;

    /** Every iteration costs {@code iterationNanos}, whatever it holds. */
    record ConstantLlm(long iterationNanos) implements LlmCost {
        @Override
        public double iterationSeconds(long prefillTokens, long prefillContextTokens, int decodeSequences,
                long decodeContextTokens) {
            return iterationNanos * 1e-9;
        }

        @Override
        public long kvBytesPerToken() {
            return 1024;
        }

        @Override
        public double decodeRunSeconds(int decodeSequences, long decodeContextTokens, long iterations) {
            return iterations * iterationNanos * 1e-9;
        }
    }

    static SimConfig config() {
        var batching = Fixtures.llmBatching(100_000, Preemption.RECOMPUTE);
        BatchCost vocoder = (items, tokens) -> 0.001;
        return SimConfig.of(List.of(
                SimDeployment.oneNode(new DeploymentConfig("thinker",
                        List.of(new TaskConfig.Llm("m/llm", LlmPhase.FULL, batching)), 1, "round-robin", 0, 0),
                        List.of(new ConstantLlm(10 * MS)), 1),
                SimDeployment.oneNode(new DeploymentConfig("speech", List.of(
                        new TaskConfig.Llm("m/talker", LlmPhase.FULL, batching),
                        new TaskConfig.Batch("m/vocoder", new ItemBatching(8, 100_000, 0))), 1, "round-robin", 0, 0),
                        List.of(new ConstantLlm(4 * MS), vocoder), 1)), Fixtures.NETWORK, Slo.NONE);
    }

    /** Thinker -> talker (streamed in chunks of {@code chunk} tokens, 0: whole) -> vocoder; the talker makes {@code codes}. */
    static InvocationGraph request(int chunk, long codes) {
        long bytes = (PROMPT + ANSWER) * BYTES_PER_POSITION;
        long talkerPrompt = chunk == 0 ? PROMPT + ANSWER : PROMPT + Math.min(chunk, ANSWER);
        DataEdge hidden = chunk == 0 ? new DataEdge(0, 1, bytes)
                : DataEdge.streamed(0, 1, bytes, chunk, talkerPrompt * BYTES_PER_POSITION);
        return InvocationGraph.of(List.of(
                new Invocation("m/llm", Work.llm(PROMPT, Work.UNCAPPED), true),
                new Invocation("m/talker", Work.llm(talkerPrompt, Work.UNCAPPED), false),
                new Invocation("m/vocoder", Work.batch(Modality.AUDIO, 1, codes), true)),
                List.of(hidden, new DataEdge(1, 2, codes * 4)), new long[] {ANSWER, codes, 0})
                .withSpeech(2, 1, codes / 50.0);
    }

    static RequestRecord run(int chunk, long codes) {
        SimResult r = new Simulator(config()).run(
                List.of(new SimRequest(0, 0, "omni", request(chunk, codes), PROMPT)).iterator());
        assertEquals(1, r.completed());
        return r.records().get(0);
    }

    /** 5 us + bytes / 9e11, rounded to the nanosecond as the network does. */
    static long transfer(long positions) {
        return 5_000 + Math.round(positions * BYTES_PER_POSITION / 9e11 * 1e9);
    }

    @ParameterizedTest(name = "chunk {0}, {1} codes")
    @CsvSource({"8, 200", "8, 20", "1, 200", "40, 200", "64, 200"})
    void streamedTimelineMatchesTheHandComputedOne(int chunk, long codes) {
        RequestRecord rec = run(chunk, codes);
        long thinkerEnd = ANSWER * 10 * MS;
        long first = Math.min(chunk, ANSWER);
        // the first chunk is due at token C; a thinker that ends first hands everything over at its end
        long released = first == ANSWER ? thinkerEnd + transfer(PROMPT + ANSWER) : first * 10 * MS + transfer(PROMPT + first);
        long restArrives = first == ANSWER ? released : thinkerEnd + transfer(ANSWER - first);
        long talkerEnd = Math.max(released + codes * 4 * MS, restArrives);
        assertEquals(thinkerEnd, rec.finishedNanos(0), "thinker's last token");
        assertEquals(released, rec.queuedNanos(1), "talker released by the first chunk");
        assertEquals(released + 4 * MS, rec.firstAudioNanos(), "first audio: the talker's first code");
        assertEquals(talkerEnd, rec.finishedNanos(1), "talker ends after its codes and after the rest arrived");
        assertEquals(talkerEnd + MS, rec.completionNanos(), "then the vocoder");
        assertEquals(10 * MS, rec.firstOutputNanos(), "the text answer starts as before");
    }

    @Test
    void wholeHandOffStartsTheTalkerWhenTheThinkerEnds() {
        RequestRecord rec = run(0, 200);
        long released = ANSWER * 10 * MS + transfer(PROMPT + ANSWER);
        assertEquals(released, rec.queuedNanos(1));
        assertEquals(released + 4 * MS, rec.firstAudioNanos());
        assertEquals(released + 200 * 4 * MS + MS, rec.completionNanos());
    }

    @Test
    void aStreamedEdgeNeedsAChunkAndAFirstChunkWithinTheEdge() {
        assertThrows(IllegalArgumentException.class, () -> DataEdge.streamed(0, 1, 100, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> DataEdge.streamed(0, 1, 100, 4, 101));
        assertEquals(100, new DataEdge(0, 1, 100).firstChunkBytes());
    }
}
