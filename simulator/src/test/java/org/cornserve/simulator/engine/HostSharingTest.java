package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.cornserve.planner.Slo;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.TaskConfig;
import org.cornserve.planner.schedule.batch.ItemBatching;
import org.cornserve.planner.schedule.batch.LlmBatching;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.simulator.config.HostSharing;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.SimDeployment;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.SimResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Executors processor-shared on one host's CPU ({@link HostSharing}): timelines of overlapping steps against hand
 * computation, and the engine with a slowdown of 1 against the engine without sharing.
 */
class HostSharingTest {
    private static final long MS = 1_000_000;

    /** {@code replicas} single-pass replicas of 1 ns per token, round-robin, on the given nodes. */
    private static SimConfig batchReplicas(List<Integer> nodes, HostSharing sharing) {
        DeploymentConfig dc = new DeploymentConfig("cpu", List.of(new TaskConfig.Batch("svc",
                new ItemBatching(1, Long.MAX_VALUE, 0))), nodes.size(), "round-robin", 0, 0);
        return SimConfig.of(List.of(new SimDeployment(dc, List.of(Fixtures.NANOS_PER_TOKEN), 1, nodes)),
                Fixtures.NETWORK, Slo.NONE).withHostSharing(sharing);
    }

    private static long[] completions(SimConfig config, long[] arrivals, long[] tokens) {
        SimResult r = new Simulator(config).run(Fixtures.fixedArrivals(arrivals, tokens).iterator());
        long[] out = new long[arrivals.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = r.records().get(i).completionNanos();
        }
        return out;
    }

    private static final HostSharing ONE_AND_A_HALF = new HostSharing(List.of(1.0, 1.5), Set.of(0));

    @Test
    void twoReplicasOnOneHostSlowEachOtherWhileBothCompute() {
        // A: 10 ms of work from t=0 on replica 0; B: 4 ms from t=2 ms on replica 1; both compute at 1/1.5 together.
        // 0-2 ms: A alone, 2 ms done. From 2 ms both: B needs 4 x 1.5 = 6 ms, ends at 8 ms; A does 6 / 1.5 = 4 ms of
        // work meanwhile (6 done, 4 left), then alone again: ends at 12 ms.
        long[] end = completions(batchReplicas(List.of(0, 0), ONE_AND_A_HALF), new long[] {0, 2 * MS},
                new long[] {10 * MS, 4 * MS});
        assertEquals(12 * MS, end[0]);
        assertEquals(8 * MS, end[1]);
    }

    @Test
    void withoutSharingOrOnAnotherNodeStepsTakeTheirProfiledTime() {
        long[] arrivals = {0, 2 * MS};
        long[] tokens = {10 * MS, 4 * MS};
        long[] alone = completions(batchReplicas(List.of(0, 0), null), arrivals, tokens);
        assertEquals(10 * MS, alone[0]);
        assertEquals(6 * MS, alone[1]);
        long[] apart = completions(batchReplicas(List.of(0, 1), ONE_AND_A_HALF), arrivals, tokens);
        assertEquals(10 * MS, apart[0], "replicas on two hosts do not share a CPU");
        assertEquals(6 * MS, apart[1]);
    }

    @Test
    void pastTheMeasuredCountTheHostSplitsFurther() {
        // three at once, measured up to two: 1.5 x 3 / 2 = 2.25. B and C (4 ms) end at 9 ms; A has done 4 ms of its 10
        // by then and finishes the other 6 alone at 15 ms.
        long[] end = completions(batchReplicas(List.of(0, 0, 0), ONE_AND_A_HALF), new long[] {0, 0, 0},
                new long[] {10 * MS, 4 * MS, 4 * MS});
        assertEquals(15 * MS, end[0]);
        assertEquals(9 * MS, end[1]);
        assertEquals(9 * MS, end[2]);
        assertEquals(2.25, ONE_AND_A_HALF.factor(3), 1e-12);
    }

    @Test
    void aStepThatStartsAndEndsInsideAnotherStretchesOnlyTheOverlap() {
        // A: 10 ms from 0; B: 2 ms from 1 ms. 1..4 ms both (B: 2 x 1.5 = 3 ms; A does 2 ms of work): A has 1 + 2 = 3
        // done at 4 ms, 7 left alone: ends at 11 ms.
        long[] end = completions(batchReplicas(List.of(0, 0), ONE_AND_A_HALF), new long[] {0, MS},
                new long[] {10 * MS, 2 * MS});
        assertEquals(11 * MS, end[0]);
        assertEquals(4 * MS, end[1]);
    }

    @Test
    void badFactorsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new HostSharing(List.of(), Set.of(0)));
        assertThrows(IllegalArgumentException.class, () -> new HostSharing(List.of(1.0, -2.0), Set.of(0)));
        assertThrows(IllegalArgumentException.class, () -> batchReplicas(List.of(0, 0),
                new HostSharing(List.of(1.0), Set.of(3))));
    }

    private static SimResult llm(List<SimRequest> requests, HostSharing sharing, boolean fastPath) {
        LlmBatching batching = Fixtures.llmBatching(1_000_000, Preemption.RECOMPUTE);
        if (!fastPath) {
            batching = batching.withMaxRunIterations(1);
        }
        SimConfig config = Fixtures.llmOnly(2, batching, new Fixtures.LinearLlm(true), "least-outstanding")
                .withHostSharing(sharing);
        return new Simulator(config).run(requests.iterator());
    }

    /** A slowdown of 1 whatever the count is the engine without sharing, to the nanosecond. */
    @ParameterizedTest(name = "seed {0}")
    @CsvSource({"31", "32", "33"})
    void aSlowdownOfOneChangesNothing(long seed) {
        List<SimRequest> requests = DecodeFastPathTest.workload(seed, 600, 12);
        SimResult plain = llm(requests, null, true);
        SimResult shared = llm(requests, new HostSharing(List.of(1.0, 1.0), Set.of(0)), true);
        for (int i = 0; i < requests.size(); i++) {
            assertEquals(plain.records().get(i).completionNanos(), shared.records().get(i).completionNanos(),
                    "request " + i);
        }
    }

    /**
     * Under sharing, the decode fast path (runs re-timed while the other replica starts and ends steps, cut short
     * by arrivals) against stepping one iteration per event: the same requests end at the same times, to within the
     * rounding of re-timed ends (a nanosecond per re-timing); and every request is slower or equal on average.
     */
    @ParameterizedTest(name = "seed {0}")
    @CsvSource({"41", "42", "43"})
    void theFastPathHoldsUnderSharing(long seed) {
        List<SimRequest> requests = DecodeFastPathTest.workload(seed, 600, 12);
        HostSharing sharing = new HostSharing(List.of(1.0, 1.6), Set.of(0));
        SimResult fast = llm(requests, sharing, true);
        SimResult stepped = llm(requests, sharing, false);
        SimResult plain = llm(requests, null, true);
        double sharedSum = 0;
        double plainSum = 0;
        for (int i = 0; i < requests.size(); i++) {
            long a = fast.records().get(i).completionNanos();
            long b = stepped.records().get(i).completionNanos();
            assertTrue(Math.abs(a - b) <= 1e-6 * b, "request " + i + ": fast path " + a + " ns, stepping " + b
                    + " ns");
            sharedSum += a - requests.get(i).arrivalNanos();
            plainSum += plain.records().get(i).completionNanos() - requests.get(i).arrivalNanos();
        }
        assertTrue(sharedSum > plainSum * 1.05, "sharing slows the run: " + sharedSum + " vs " + plainSum);
    }
}
