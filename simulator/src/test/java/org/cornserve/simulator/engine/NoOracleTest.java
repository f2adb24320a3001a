package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.planner.schedule.batch.LlmBatching;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.planner.schedule.scale.ScaleMetric;
import org.cornserve.planner.schedule.scale.ScaleSettings;
import org.cornserve.planner.schedule.scale.ScalingPolicies;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.RequestRecord;
import org.cornserve.simulator.metrics.SimResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The core decides without the output length: two runs that differ only in how long one request's answer is
 * (by the trace) must agree on everything that happens before that answer ends in the shorter run. With the old
 * core, which weighed routes and reserved KV by the true length, they did not.
 */
class NoOracleTest {

    static List<SimRequest> workload(long changedOutput) {
        List<SimRequest> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            long output = i == 3 ? changedOutput : 50 + (i * 37) % 300;
            out.add(new SimRequest(i, i * 10_000_000L, "chat",
                    Fixtures.textRequest(200 + (i * 131) % 900, 1_000, output), 0));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}, router {1}")
    @CsvSource({"none, least-outstanding", "recompute, least-outstanding", "recompute, power-of-two",
        "none, round-robin"})
    void nothingBeforeAnAnswerEndsDependsOnItsLength(String preemption, String router) {
        LlmBatching batching = new LlmBatching(2048, 8, true, Preemption.parse(preemption), 40_000, Long.MAX_VALUE);
        SimResult shortRun = new Simulator(Fixtures.llmOnly(2, batching, new Fixtures.LinearLlm(true), router))
                .run(workload(250).iterator());
        SimResult longRun = new Simulator(Fixtures.llmOnly(2, batching, new Fixtures.LinearLlm(true), router))
                .run(workload(800).iterator());
        long horizon = shortRun.records().get(3).completionNanos();
        int compared = 0;
        for (int i = 0; i < 60; i++) {
            RequestRecord a = shortRun.records().get(i);
            RequestRecord b = longRun.records().get(i);
            long[] x = {a.startedNanos(0), a.firstOutputNanos(), a.completionNanos()};
            long[] y = {b.startedNanos(0), b.firstOutputNanos(), b.completionNanos()};
            for (int k = 0; k < 3; k++) {
                if (x[k] < horizon || y[k] < horizon) {
                    assertEquals(x[k], y[k], "request " + i + " event " + k + " before request 3 ends at " + horizon);
                    compared++;
                }
            }
        }
        assertTrue(compared > 20, "enough happened before the end to compare: " + compared);
    }

    /**
     * The autoscaler decides without the output length too: scaled runs that differ only in one answer's length
     * start, bring up and stop the same replicas at the same times until that answer ends in the shorter run.
     */
    @ParameterizedTest(name = "metric {0}, target {1}")
    @CsvSource({"queue, 2", "queue, 4", "utilization, 0.5", "utilization, 0.9"})
    void scalingBeforeAnAnswerEndsDoesNotDependOnItsLength(String metric, double target) {
        LlmBatching batching = new LlmBatching(2048, 8, true, Preemption.RECOMPUTE, 40_000, Long.MAX_VALUE);
        SimScaling scaling = new SimScaling(ScalingPolicies.PER_DEPLOYMENT, 0, List.of(new ScaleSettings(
                ScaleMetric.byName(metric), target, 1, 6, 0, 20_000_000L, 15_000_000L)), new int[] {0},
                new int[] {8}, new int[] {0}, 20_000_000L);
        Simulator shortSim = new Simulator(Fixtures.llmOnly(1, batching, new Fixtures.LinearLlm(true),
                "least-outstanding"), true, r -> { }, scaling);
        SimResult shortRun = shortSim.run(workload(250).iterator());
        Simulator longSim = new Simulator(Fixtures.llmOnly(1, batching, new Fixtures.LinearLlm(true),
                "least-outstanding"), true, r -> { }, scaling);
        longSim.run(workload(800).iterator());
        long horizon = shortRun.records().get(3).completionNanos();
        List<ScalingReport.Change> a = shortSim.scalingReport().changes().stream()
                .filter(c -> c.timeNanos() < horizon).toList();
        List<ScalingReport.Change> b = longSim.scalingReport().changes().stream()
                .filter(c -> c.timeNanos() < horizon).toList();
        assertEquals(a, b, "replica starts, ups and stops before request 3 ends at " + horizon);
        assertTrue(a.stream().anyMatch(c -> c.kind() == ScalingReport.Kind.START), "the load adds replicas: " + a);
    }
}
