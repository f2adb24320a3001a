package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cornserve.planner.schedule.batch.LlmBatcher;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.RequestRecord;
import org.cornserve.simulator.metrics.SimResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Swap preemption: the copy of a swapped sequence's KV cache to host and back is charged on the step's time. */
class SwapCopyTest {

    /** {@link Fixtures.LinearLlm} whose host copy takes {@code nanosPerToken} per KV token, each direction. */
    static final class CopyingLlm extends Fixtures.LinearLlm {
        final long nanosPerToken;

        CopyingLlm(long nanosPerToken) {
            super(true);
            this.nanosPerToken = nanosPerToken;
        }

        @Override
        public double hostCopySeconds(long tokens) {
            return tokens * nanosPerToken * 1e-9;
        }
    }

    @Test
    void aStepIsChargedItsIterationsPlusTheCopy() {
        CopyingLlm cost = new CopyingLlm(1000);
        StepTimer timer = new StepTimer(new Object[] {cost}, "llm");
        Step.LlmStep plain = new Step.LlmStep(0, 0, 0, 1, 130, 29);
        Step.LlmStep swapping = new Step.LlmStep(0, 0, 0, 1, 130, 29, 130);
        for (long m : new long[] {1, 7, 29}) {
            assertEquals(timer.nanos(plain, m) + 130_000, timer.nanos(swapping, m), "first " + m + " iterations");
        }
    }

    private static long swapped;

    static SimResult run(long nanosPerToken) {
        // KV of 260 tokens, two requests of 100 prompt + 60 output tokens at t = 0: once the cache is full, b (the
        // later admitted) is swapped out, a finishes alone, b is swapped back in and finishes
        Simulator sim = new Simulator(Fixtures.llmOnly(1, Fixtures.llmBatching(260, Preemption.SWAP),
                new CopyingLlm(nanosPerToken), "round-robin"));
        List<SimRequest> requests = List.of(new SimRequest(0, 0, "app", Fixtures.textRequest(100, 60, 60), 60),
                new SimRequest(1, 0, "app", Fixtures.textRequest(100, 60, 60), 60));
        SimResult result = sim.run(requests.iterator());
        LlmBatcher batcher = (LlmBatcher) sim.core().replica(0, 0).batcher(0);
        assertEquals(1, batcher.preemptions());
        assertEquals(batcher.swappedOutTokens(), batcher.swappedInTokens());
        swapped = batcher.swappedOutTokens();
        return result;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 1000, 250_000})
    void theSwappedRequestPaysBothCopiesAndTheOtherOnlyTheCopyOut(long nanosPerToken) {
        SimResult free = run(0);
        SimResult charged = run(nanosPerToken);
        long copied = swapped;
        assertTrue(copied > 100, "b had its prompt and some output cached: " + copied);
        RequestRecord a0 = free.records().get(0);
        RequestRecord a1 = charged.records().get(0);
        RequestRecord b0 = free.records().get(1);
        RequestRecord b1 = charged.records().get(1);
        assertEquals(a0.firstOutputNanos(), a1.firstOutputNanos(), "nothing is copied before the first tokens");
        assertEquals(b0.firstOutputNanos(), b1.firstOutputNanos());
        // a decodes in the step that copies b out: once
        assertEquals(a0.completionNanos() + copied * nanosPerToken, a1.completionNanos());
        // b resumes after a's end with a copy back in: each way
        assertEquals(b0.completionNanos() + 2 * copied * nanosPerToken, b1.completionNanos());
    }
}
