package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/** The served costs' after-prefill ratio of prefills ({@link ServedStepCosts#prefillAfterPrefillRatio}). */
class PrefillAfterPrefillTest {

    /**
     * The timer: a step with a prefill right after one computes at the ratio of its charge, its round trips as they
     * are; a decode-only step, a prefill not right after one, or a timer without the ratio is charged as before.
     */
    @Test
    void aPrefillRightAfterOneComputesAtTheRatioItsRoundTripsAsTheyAre() {
        Fixtures.LinearLlm cost = new Fixtures.LinearLlm(true);
        StepTimer plain = new StepTimer(new Object[] {cost}, "llm").withStepOverhead(200_000, 4)
                .withServedCosts(new ServedStepCosts(0.01, List.of(), List.of(), 1, ""));
        StepTimer ratio = new StepTimer(new Object[] {cost}, "llm").withStepOverhead(200_000, 4)
                .withServedCosts(new ServedStepCosts(0.01, List.of(), List.of(), 1, "", List.of(), 0, 0.8));
        assertTrue(ratio.chargesPrefillBefore());
        assertFalse(plain.chargesPrefillBefore());
        Step.LlmStep prefill = new Step.LlmStep(0, 500, 500L * 501 / 2, 2, 300, 1);
        Step.LlmStep decode = new Step.LlmStep(0, 0, 0, 2, 400, 9);
        long overhead = plain.overheadNanos(prefill, 1);
        long compute = plain.nanos(prefill, 1, 3) - overhead;
        assertEquals(plain.nanos(prefill, 1, 3), ratio.nanosAt(prefill, 1, 3, 0, StepTimer.NO_PREFILL, false));
        assertEquals(Math.round(compute * 0.8) + overhead, ratio.nanosAt(prefill, 1, 3, 0, StepTimer.NO_PREFILL,
                true), 1);
        assertEquals(plain.nanos(decode, 9, 3), ratio.nanosAt(decode, 9, 3, 0, StepTimer.NO_PREFILL, true));
        assertEquals(plain.nanos(prefill, 1, 3), plain.nanosAt(prefill, 1, 3, 0, StepTimer.NO_PREFILL, true));
        assertThrows(IllegalArgumentException.class, () -> new ServedStepCosts(0, List.of(), List.of(), 1, "",
                List.of(), 0, -0.5));
        assertEquals(1, new ServedStepCosts(0, List.of(), List.of(), 1, "").prefillFactor(true), "0: none");
    }

    /**
     * Seeded bursts served by the simulator with a ratio of 0.7: every prefill step it started is charged its plain
     * charge times 0.7 where the step logged before it held a prefill and ended (its start plus its charge) within
     * 1 ms of this one's start, else its plain charge; every decode step its plain charge.
     */
    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void theSimulatorChargesAPrefillRightAfterAPrefillAtTheRatio(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<SimRequest> requests = new ArrayList<>();
        long at = 0;
        for (int i = 0; i < 60; i++) {
            at += rnd.nextInt(3) == 0 ? 0 : rnd.nextLong(40_000_000);
            requests.add(new SimRequest(i, at, "app", Fixtures.textRequest(20 + rnd.nextInt(3000), 30), 30));
        }
        ServedStepCosts costs = new ServedStepCosts(0, List.of(), List.of(), 1, "", List.of(), 0, 0.7);
        Simulator sim = new Simulator(Fixtures.llmOnly(1, Fixtures.llmBatching(1 << 20, Preemption.RECOMPUTE)
                .withMaxRunIterations(1), new Fixtures.LinearLlm(true), "round-robin")).withServedCosts(costs);
        List<Simulator.StepRecord> log = new ArrayList<>();
        sim.withStepLog(log::add);
        sim.run(requests.iterator());
        StepTimer plain = new StepTimer(new Object[] {new Fixtures.LinearLlm(true)}, "llm");
        int after = 0;
        int other = 0;
        for (int i = 0; i < log.size(); i++) {
            Simulator.StepRecord r = log.get(i);
            Step.LlmStep step = new Step.LlmStep(r.task(), r.prefillTokens(), r.prefillContextTokens(),
                    r.decodeSequences(), r.decodeContextTokens(), r.iterations());
            long charge = plain.nanos(step, r.iterations());
            Simulator.StepRecord b = i == 0 ? null : log.get(i - 1);
            boolean before = b != null && b.prefillTokens() > 0
                    && r.startNanos() - (b.startNanos() + b.plannedNanos()) <= 1_000_000;
            if (r.prefillTokens() > 0 && before) {
                after++;
                assertEquals(Math.round(charge * 0.7), r.plannedNanos(), 1, "step " + i);
            } else {
                other += r.prefillTokens() > 0 ? 1 : 0;
                assertEquals(charge, r.plannedNanos(), "step " + i);
            }
        }
        assertTrue(after >= 5 && other >= 5, after + " prefills right after one, " + other + " others");
    }
}
