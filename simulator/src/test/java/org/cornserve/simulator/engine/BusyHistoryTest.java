package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.simulator.config.ServedStepCosts;
import org.cornserve.simulator.event.SimRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How busy a replica was before a step ({@link BusyHistory}) and the served costs' prefill busy slope that charges by
 * it ({@link ServedStepCosts#prefillBusySlope}).
 */
class BusyHistoryTest {

    /** Seeded spans one after another with gaps: the share before each start is the overlaps summed by brute force. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void theShareIsTheSpansOverlapWithTheWindowBefore(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long window = 1_000_000 + rnd.nextLong(5_000_000);
        BusyHistory h = new BusyHistory(window);
        List<long[]> spans = new ArrayList<>();
        long t = rnd.nextLong(1_000_000);
        for (int i = 0; i < 400; i++) {
            long start = t + (rnd.nextInt(3) == 0 ? 0 : rnd.nextLong(window / 2));
            double expected = 0;
            for (long[] s : spans) {
                expected += Math.max(0, Math.min(s[1], start) - Math.max(s[0], start - window));
            }
            assertEquals(Math.min(1, expected / window), h.share(start), 1e-12, "span " + i);
            long end = start + rnd.nextLong(window / 3);
            h.add(start, end);
            spans.add(new long[] {start, end});
            t = end;
        }
        assertThrows(IllegalArgumentException.class, () -> new BusyHistory(0));
    }

    @Test
    void aReplicaBusyThroughTheWindowHasShareOneAndAnIdleOneZero() {
        BusyHistory h = new BusyHistory(1_000);
        assertEquals(0, h.share(5_000));
        h.add(0, 3_000);
        assertEquals(1, h.share(3_000));
        assertEquals(0.5, h.share(3_500));
        assertEquals(0, h.share(4_000));
        h.add(4_000, 4_250);
        assertEquals(0.25, h.share(4_900));
    }

    /**
     * The timer: a step with a prefill computes at {@code 1 - slope x share} of its charge, its round trips as they
     * are; a decode-only step, or a timer without the slope, is charged as before.
     */
    @Test
    void aPrefillAfterABusySpellIsChargedLessItsRoundTripsAsTheyAre() {
        Fixtures.LinearLlm cost = new Fixtures.LinearLlm(true);
        StepTimer plain = new StepTimer(new Object[] {cost}, "llm").withStepOverhead(200_000, 4)
                .withServedCosts(new ServedStepCosts(0.01, List.of(), List.of(), 1, ""));
        StepTimer busy = new StepTimer(new Object[] {cost}, "llm").withStepOverhead(200_000, 4)
                .withServedCosts(new ServedStepCosts(0.01, List.of(), List.of(), 1, "", List.of(), 0, 0.2));
        assertTrue(busy.chargesBusy());
        assertTrue(!plain.chargesBusy());
        Step.LlmStep prefill = new Step.LlmStep(0, 500, 500L * 501 / 2, 2, 300, 1);
        Step.LlmStep decode = new Step.LlmStep(0, 0, 0, 2, 400, 9);
        long overhead = plain.overheadNanos(prefill, 1);
        long compute = plain.nanos(prefill, 1, 3) - overhead;
        assertEquals(plain.nanos(prefill, 1, 3), busy.nanosAt(prefill, 1, 3, 0, StepTimer.NO_PREFILL, 0));
        assertEquals(Math.round(compute * (1 - 0.2 * 0.75)) + overhead,
                busy.nanosAt(prefill, 1, 3, 0, StepTimer.NO_PREFILL, 0.75), 1);
        assertEquals(plain.nanos(decode, 9, 3), busy.nanosAt(decode, 9, 3, 0, StepTimer.NO_PREFILL, 0.75));
        assertEquals(plain.nanos(prefill, 1, 3), plain.nanosAt(prefill, 1, 3, 0, StepTimer.NO_PREFILL, 0.75));
        assertThrows(IllegalArgumentException.class, () -> new ServedStepCosts(0, List.of(), List.of(), 1, "",
                List.of(), 0, 1.0));
    }

    /**
     * A seeded burst served by the simulator with a slope of 0.3: every prefill step it started is charged its plain
     * charge times {@code 1 - 0.3 x} the share of the second before it that the steps logged before it covered
     * (worked out from the log by brute force), every decode step its plain charge.
     */
    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void theSimulatorChargesEachPrefillByItsReplicasBusySecond(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<SimRequest> requests = new ArrayList<>();
        long at = 0;
        for (int i = 0; i < 60; i++) {
            at += rnd.nextLong(40_000_000);
            requests.add(new SimRequest(i, at, "app", Fixtures.textRequest(20 + rnd.nextInt(900), 30), 30));
        }
        ServedStepCosts costs = new ServedStepCosts(0, List.of(), List.of(), 1, "", List.of(), 0, 0.3);
        Simulator sim = new Simulator(Fixtures.llmOnly(1, Fixtures.llmBatching(1 << 20, Preemption.RECOMPUTE)
                .withMaxRunIterations(1), new Fixtures.LinearLlm(true), "round-robin")).withServedCosts(costs);
        List<Simulator.StepRecord> log = new ArrayList<>();
        sim.withStepLog(log::add);
        sim.run(requests.iterator());
        StepTimer plain = new StepTimer(new Object[] {new Fixtures.LinearLlm(true)}, "llm");
        int prefills = 0;
        double maxShare = 0;
        for (int i = 0; i < log.size(); i++) {
            Simulator.StepRecord r = log.get(i);
            Step.LlmStep step = new Step.LlmStep(r.task(), r.prefillTokens(), r.prefillContextTokens(),
                    r.decodeSequences(), r.decodeContextTokens(), r.iterations());
            double share = 0;
            for (Simulator.StepRecord b : log.subList(0, i)) {
                share += Math.max(0, Math.min(b.startNanos() + b.plannedNanos(), r.startNanos())
                        - Math.max(b.startNanos(), r.startNanos() - 1_000_000_000L));
            }
            share = Math.min(1, share / 1e9);
            long charge = plain.nanos(step, r.iterations());
            if (r.prefillTokens() > 0) {
                prefills++;
                maxShare = Math.max(maxShare, share);
                assertEquals(Math.round(charge * (1 - 0.3 * share)), r.plannedNanos(), 2, "step " + i);
            } else {
                assertEquals(charge, r.plannedNanos(), "step " + i);
            }
        }
        assertTrue(prefills >= 30 && maxShare > 0.1, prefills + " prefills, busiest second " + maxShare);
    }
}
