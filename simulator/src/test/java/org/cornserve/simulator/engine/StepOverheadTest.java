package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.RequestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The serving system's round trip per engine step ({@link StepTimer#withStepOverhead}): charged once per step as a
 * live runtime runs them, held against counting the runtime's reports one by one.
 */
class StepOverheadTest {

    /** Reports a runtime makes for {@code m} iterations, counted one iteration at a time. */
    static long reportsByCounting(boolean prefill, long m, long perReport) {
        long reports = 0;
        long sinceReport = perReport;
        for (long i = 0; i < m; i++) {
            if (prefill || sinceReport == perReport) {
                reports++;
                sinceReport = 0;
            }
            sinceReport++;
        }
        return reports;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void aStepPaysOneRoundTripPerReportItsIterationsMake(long seed) {
        Random rnd = new Random(seed);
        StepTimer plain = new StepTimer(new Object[] {new Fixtures.LinearLlm(rnd.nextBoolean())}, "llm");
        long perStep = 1 + rnd.nextInt(5_000_000);
        long perReport = 1 + rnd.nextInt(8);
        StepTimer charged = plain.withStepOverhead(perStep, perReport);
        long planned = 1 + rnd.nextInt(200);
        Step.LlmStep decode = new Step.LlmStep(0, 0, 0, 1 + rnd.nextInt(16), 100 + rnd.nextInt(5000), planned);
        long previous = 0;
        for (long m = 1; m <= planned; m++) {
            long extra = charged.nanos(decode, m) - plain.nanos(decode, m);
            assertEquals(perStep * reportsByCounting(false, m, perReport), extra, "decode, first " + m + " of "
                    + planned + " iterations, " + perReport + " per report");
            long now = charged.nanos(decode, m);
            assertTrue(now >= previous, "non-decreasing in the iterations (the run's cut is a binary search)");
            previous = now;
        }
        Step.LlmStep mixed = new Step.LlmStep(0, 1 + rnd.nextInt(500), 0, rnd.nextInt(4), rnd.nextInt(400), 1);
        assertEquals(perStep * reportsByCounting(true, 1, perReport), charged.nanos(mixed, 1) - plain.nanos(mixed, 1));
        assertThrows(IllegalArgumentException.class, () -> plain.withStepOverhead(-1, 4));
        assertThrows(IllegalArgumentException.class, () -> plain.withStepOverhead(1, 0));
    }

    /**
     * One request alone: its first token comes one round trip later (its prefill step's), its last one round trip
     * per report later (the prefill's and each of its decode reports').
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void aLoneRequestPaysThePrefillsRoundTripAndOnePerDecodeReport(long seed) {
        Random rnd = new Random(seed);
        long prompt = 1 + rnd.nextInt(300);
        long output = 2 + rnd.nextInt(90);
        long perStep = 1 + rnd.nextInt(3_000_000);
        long perReport = 1 + rnd.nextInt(6);
        RequestRecord plain = alone(prompt, output, 0, perReport);
        RequestRecord charged = alone(prompt, output, perStep, perReport);
        assertEquals(plain.firstOutputNanos() + perStep, charged.firstOutputNanos(), "TTFT");
        long reports = 1 + reportsByCounting(false, output - 1, perReport);
        assertEquals(plain.completionNanos() + perStep * reports, charged.completionNanos(),
                prompt + " prompt, " + output + " output tokens, " + perReport + " per report");
    }

    /**
     * Async scheduling, one request alone, a step per iteration: each step after the first is sent while the one
     * before it computes, so a round trip no longer than a step's compute (every step here takes 5 ms or more) is
     * hidden and only the prefill's shows; a longer one shows as what is left of it after the previous compute: with
     * two steps in flight a round trip covers at most two steps (a step is decided when the one two before it
     * reports), so the run costs at least a round trip per two steps and less than sync scheduling's compute plus
     * round trip per step.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void asyncSchedulingHidesTheRoundTripBehindThePreviousStepsCompute(long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        long[] shape = {rnd.nextLong(1, 301), rnd.nextLong(3, 63)};
        long prompt = shape[0];
        long output = shape[1];
        long hidden = rnd.nextLong(1, 5_000_001);
        RequestRecord plain = alone(prompt, output, 0, 1, false);
        assertEquals(plain.completionNanos(), alone(prompt, output, 0, 1, true).completionNanos(),
                "without a round trip, overlapping changes nothing for a lone request");
        RequestRecord async = alone(prompt, output, hidden, 1, true);
        assertEquals(plain.firstOutputNanos() + hidden, async.firstOutputNanos(), "TTFT: the prefill's round trip");
        assertEquals(plain.completionNanos() + hidden, async.completionNanos(), "only the prefill's round trip shows");
        long longer = rnd.nextLong(6_000_000, 26_000_000);
        RequestRecord slow = alone(prompt, output, longer, 1, true);
        RequestRecord sync = alone(prompt, output, longer, 1, false);
        assertTrue(slow.completionNanos() >= (output - 1) * longer / 2, "two steps per round trip at most");
        assertTrue(slow.completionNanos() > plain.completionNanos() + longer, "the round trip shows past the first");
        assertTrue(slow.completionNanos() < sync.completionNanos(), "less than compute plus round trip per step");
    }

    private static RequestRecord alone(long prompt, long output, long perStep, long perReport) {
        Simulator sim = new Simulator(Fixtures.llmOnly(1, Fixtures.llmBatching(4096, Preemption.RECOMPUTE),
                new Fixtures.LinearLlm(true), "round-robin")).withStepOverhead(perStep, perReport);
        return sim.run(List.of(new SimRequest(0, 0, "app", Fixtures.textRequest(prompt, output, output), output))
                .iterator()).records().get(0);
    }

    /** As above, a step per iteration, with or without async scheduling. */
    private static RequestRecord alone(long prompt, long output, long perStep, long perReport, boolean async) {
        Simulator sim = new Simulator(Fixtures.llmOnly(1, Fixtures.llmBatching(4096, Preemption.RECOMPUTE)
                .withMaxRunIterations(1), new Fixtures.LinearLlm(true), "round-robin"), true, null, null, async)
                .withStepOverhead(perStep, perReport);
        return sim.run(List.of(new SimRequest(0, 0, "app", Fixtures.textRequest(prompt, output, output), output))
                .iterator()).records().get(0);
    }

    /**
     * Step ends are events, async scheduling or not: the queue lengths are observed after each, so a deployment's
     * mean queue length is what the records say (one LLM task: a request is outstanding from its arrival to its
     * completion; the mean over the run is the sum of those spans over the run's span).
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void stepEndsAreEventsAndMoveTheQueuesAsyncOrNot(long seed) {
        Random rnd = new Random(seed);
        List<SimRequest> requests = new java.util.ArrayList<>();
        long at = 0;
        for (int i = 0; i < 20; i++) {
            at += rnd.nextInt(50_000_000);
            long output = 1 + rnd.nextInt(30);
            requests.add(new SimRequest(i, at, "app", Fixtures.textRequest(50 + rnd.nextInt(400), output, output),
                    output));
        }
        for (boolean async : new boolean[] {false, true}) {
            org.cornserve.simulator.metrics.SimResult run = new Simulator(Fixtures.llmOnly(1,
                    Fixtures.llmBatching(4096, Preemption.RECOMPUTE).withMaxRunIterations(1),
                    new Fixtures.LinearLlm(true), "round-robin"), true, null, null, async).run(requests.iterator());
            double inSystem = 0;
            long end = 0;
            for (RequestRecord r : run.records()) {
                inSystem += r.completionNanos() - r.request().arrivalNanos();
                end = Math.max(end, r.completionNanos());
            }
            String what = (async ? "async" : "sync") + ", seed " + seed;
            assertTrue(run.events() > 2L * requests.size(), what + ": step ends count, " + run.events() + " events");
            assertEquals(inSystem / (end - requests.get(0).arrivalNanos()), run.queues().meanLength(0), 1e-9, what);
        }
    }

    @Test
    void withoutAnOverheadTheTimerIsUnchanged() {
        StepTimer plain = new StepTimer(new Object[] {new Fixtures.LinearLlm(false)}, "llm");
        Step.LlmStep decode = new Step.LlmStep(0, 0, 0, 3, 900, 40);
        for (long m = 1; m <= 40; m++) {
            assertEquals(plain.nanos(decode, m), plain.withStepOverhead(0, 4).nanos(decode, m));
        }
    }
}
