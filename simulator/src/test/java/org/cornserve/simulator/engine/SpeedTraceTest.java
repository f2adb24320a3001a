package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.cornserve.model.json.Json;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.simulator.config.ServedStepCosts;
import org.cornserve.simulator.config.SpeedTrace;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.RequestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The machine's speed over time ({@link SpeedTrace}): an LLM step's compute at its start window's speed, its round
 * trips as they are.
 */
class SpeedTraceTest {

    @Test
    void aStepTakesTheSpeedOfTheWindowItStartsIn() {
        SpeedTrace t = new SpeedTrace(10, List.of(1.0, 2.0, 0.5), List.of(1.1, 1.2, 1.3), "by hand");
        assertEquals(1.0, t.at(0, true));
        assertEquals(1.0, t.at(9_999_999_999L, true));
        assertEquals(2.0, t.at(10_000_000_000L, true));
        assertEquals(1.2, t.at(15_000_000_000L, false));
        assertEquals(0.5, t.at(3_600_000_000_000L, true), "past the last window the last one holds");
        assertEquals(1.1, t.at(-5, false));
    }

    @Test
    void badTracesAreRefusedNamingTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SpeedTrace(0, List.of(1.0), List.of(1.0),
                "")).getMessage().contains("window_seconds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SpeedTrace(1, List.of(1.0, 1.0),
                List.of(1.0), "")).getMessage().contains("same number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SpeedTrace(1, List.of(1.0, 0.0),
                List.of(1.0, 1.0), "")).getMessage().contains("prefill[1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SpeedTrace(1, List.of(), List.of(), ""))
                .getMessage().contains("one speed per window"));
        SpeedTrace back = Json.mapper().convertValue(Json.mapper().convertValue(new SpeedTrace(5, List.of(1.5),
                List.of(0.75), "x"), java.util.Map.class), SpeedTrace.class);
        assertEquals(new SpeedTrace(5, List.of(1.5), List.of(0.75), "x"), back);
    }

    /**
     * Seeded steps, served costs or not: with the trace, the step's nanoseconds are its compute times the window's
     * speed (a prefill's or a decode's) plus its round trips unchanged, and a trace of ones changes nothing.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void theComputeRunsAtTheWindowsSpeedAndTheRoundTripsAsTheyAre(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long perStep = rnd.nextLong(1, 2_000_000);
        StepTimer plain = new StepTimer(new Object[] {new Fixtures.LinearLlm(rnd.nextBoolean())}, "llm")
                .withStepOverhead(perStep, 4);
        if (rnd.nextBoolean()) {
            plain = plain.withServedCosts(new ServedStepCosts(0.05, List.of(), List.of(), 1, "test"));
        }
        double prefillSpeed = 0.5 + rnd.nextDouble();
        double decodeSpeed = 0.5 + rnd.nextDouble();
        StepTimer traced = plain.withSpeedTrace(new SpeedTrace(1, List.of(1.0, prefillSpeed), List.of(1.0,
                decodeSpeed), "test"));
        StepTimer ones = plain.withSpeedTrace(new SpeedTrace(1, List.of(1.0), List.of(1.0), "test"));
        long start = 1_000_000_000L + rnd.nextLong(1_000_000_000L);
        Step.LlmStep decode = new Step.LlmStep(0, 0, 0, 1 + rnd.nextInt(8), 100 + rnd.nextInt(3000), 40);
        for (long m = 1; m <= 40; m++) {
            long overhead = plain.overheadNanos(decode, m);
            long compute = plain.nanos(decode, m, 7) - overhead;
            assertEquals(Math.round(compute * decodeSpeed) + overhead, traced.nanosAt(decode, m, 7, start), 1);
            assertEquals(plain.nanos(decode, m, 7), traced.nanosAt(decode, m, 7, 0), "the first window runs at 1");
            assertEquals(plain.nanos(decode, m, 7), ones.nanosAt(decode, m, 7, start));
        }
        Step.LlmStep prefill = new Step.LlmStep(0, 1 + rnd.nextInt(900), 0, rnd.nextInt(3), rnd.nextInt(500), 1);
        long overhead = plain.overheadNanos(prefill, 1);
        assertEquals(Math.round((plain.nanos(prefill, 1, 7) - overhead) * prefillSpeed) + overhead,
                traced.nanosAt(prefill, 1, 7, start), 1);
        long planned = 40;
        long target = start + traced.nanosAt(decode, 17, 7, start);
        assertEquals(17, traced.iterationsToReachAt(decode, planned, start, target, 7, start),
                "a run cut at the 17th iteration's end, found at the trace's speed");
    }

    /** A lone request on a machine twice as slow from the start: its first token and its end come later by that. */
    @Test
    void aSlowMachineDelaysALoneRequestByItsCompute() {
        RequestRecord at1 = alone(null);
        RequestRecord at2 = alone(new SpeedTrace(60, List.of(2.0), List.of(2.0), "test"));
        assertEquals(2 * at1.firstOutputNanos(), at2.firstOutputNanos(), 2);
        assertEquals(2 * at1.completionNanos(), at2.completionNanos(), 64);
    }

    /**
     * The served costs' after-prefill ratio: a lone request's first two decode steps after its prefill cost their
     * compute times 2 and 1.5 (by hand from the cost's decode runs of 4 iterations), the third and its first token as
     * without the ratio.
     */
    @Test
    void theDecodeStepsRightAfterAPrefillPayTheAfterPrefillRatio() {
        RequestRecord plain = lone(List.of());
        RequestRecord cold = lone(List.of(2.0, 1.5));
        assertEquals(plain.firstOutputNanos(), cold.firstOutputNanos());
        Fixtures.LinearLlm cost = new Fixtures.LinearLlm(true);
        double first = cost.decodeRunSeconds(1, 200, 4);
        double second = cost.decodeRunSeconds(1, 204, 4);
        assertEquals(Math.round((1.0 * first + 0.5 * second) * 1e9), cold.completionNanos() - plain.completionNanos(),
                1_000, "13 tokens: the prefill's, then decode steps of 4, 4 and 4 iterations");
        assertEquals(1.0, new StepTimer(new Object[] {cost}, "llm").withServedCosts(new ServedStepCosts(0, List.of(),
                List.of(), 1, "", List.of(2.0))).afterPrefillFactor(2), "past the ratios: 1");
        assertThrows(IllegalArgumentException.class, () -> new ServedStepCosts(0, List.of(), List.of(), 1, "",
                List.of(0.0)));
    }

    /**
     * The served costs' round-trip tail: each report pays it beside the fixed step overhead (a prefill iteration
     * one, a decode run of 9 iterations at 4 a report three), counted as round trip (not scaled by the speed trace);
     * drawn round trips replace both.
     */
    @Test
    void eachReportPaysTheRoundTripTail() {
        Fixtures.LinearLlm cost = new Fixtures.LinearLlm(true);
        StepTimer plain = new StepTimer(new Object[] {cost}, "llm").withStepOverhead(200_000, 4)
                .withServedCosts(new ServedStepCosts(0.01, List.of(), List.of(), 1, ""));
        StepTimer tail = new StepTimer(new Object[] {cost}, "llm").withStepOverhead(200_000, 4)
                .withServedCosts(new ServedStepCosts(0.01, List.of(), List.of(), 1, "", List.of(), 0.1));
        Step.LlmStep decode = new Step.LlmStep(0, 0, 0, 2, 400, 9);
        Step.LlmStep prefill = new Step.LlmStep(0, 300, 300L * 301 / 2, 0, 0, 1);
        assertEquals(plain.nanos(decode, 9, 5) + 3 * 100_000, tail.nanos(decode, 9, 5));
        assertEquals(plain.nanos(prefill, 1, 5) + 100_000, tail.nanos(prefill, 1, 5));
        assertEquals(plain.overheadNanos(decode, 9) + 3 * 100_000, tail.overheadNanos(decode, 9));
        StepTimer slow = tail.withSpeedTrace(new SpeedTrace(1, List.of(2.0), List.of(2.0), "test"));
        assertEquals(2 * (tail.nanos(decode, 9, 5) - tail.overheadNanos(decode, 9)) + tail.overheadNanos(decode, 9),
                slow.nanosAt(decode, 9, 5, 0), 2);
        StepTimer drawn = new StepTimer(new Object[] {cost}, "llm").withStepOverhead(200_000, 4)
                .withServedCosts(new ServedStepCosts(0, List.of(), List.of(0.3, 0.3), 1, "", List.of(), 0.1));
        assertEquals(3 * 300_000, drawn.nanos(decode, 9, 5) - Math.round(cost.decodeRunSeconds(2, 400, 9) * 1e9), 3);
        assertThrows(IllegalArgumentException.class, () -> new ServedStepCosts(0, List.of(), List.of(), 1, "",
                List.of(), -1));
    }

    private static RequestRecord lone(List<Double> afterPrefill) {
        Simulator sim = new Simulator(Fixtures.llmOnly(1, Fixtures.llmBatching(4096, Preemption.RECOMPUTE)
                .withMaxRunIterations(4), new Fixtures.LinearLlm(true), "round-robin"));
        sim.withStepOverhead(100_000, 4).withServedCosts(new ServedStepCosts(0, List.of(), List.of(), 1, "test",
                afterPrefill));
        return sim.run(List.of(new SimRequest(0, 0, "app", Fixtures.textRequest(200, 13, 13), 13)).iterator())
                .records().get(0);
    }

    private static RequestRecord alone(SpeedTrace trace) {
        Simulator sim = new Simulator(Fixtures.llmOnly(1, Fixtures.llmBatching(4096, Preemption.RECOMPUTE),
                new Fixtures.LinearLlm(true), "round-robin"));
        if (trace != null) {
            sim.withSpeedTrace(trace);
        }
        return sim.run(List.of(new SimRequest(0, 0, "app", Fixtures.textRequest(200, 30, 30), 30)).iterator())
                .records().get(0);
    }
}
