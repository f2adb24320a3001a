package org.cornserve.planner.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.planner.schedule.scale.Autoscaler;
import org.cornserve.planner.schedule.scale.ScaleMetric;
import org.cornserve.planner.schedule.scale.ScaleSettings;
import org.cornserve.planner.schedule.scale.ScalingPolicies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The runtime scales a deployment only while an app uses it ({@link Autoscaler#activeWhen}): an inactive deployment
 * is left as it is, however much work waits for it, and its minimum is not restored.
 */
class AutoscalerActiveTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anInactiveDeploymentIsNeitherScaledUpNorBroughtBackToItsMinimum(boolean active) {
        SchedulerCore core = new SchedulerCore(SchedulerCoreFactsTest.llmDeployment(
                SchedulerCoreFactsTest.llm(100_000, Preemption.RECOMPUTE, 1), 1, "round-robin"),
                new SchedulerCoreFactsTest.FullRecorder());
        long s = 1_000_000_000L;
        Autoscaler scaler = new Autoscaler(core, ScalingPolicies.PER_DEPLOYMENT.create(0.1),
                List.of(new ScaleSettings(ScaleMetric.QUEUE, 1, 1, 3, 0, 0, 0)), new int[] {1}, new int[] {0},
                new int[] {4}, s);
        scaler.activeWhen(d -> active);
        for (int i = 1; i <= 8; i++) {
            core.arrive(i, SchedulerCoreFactsTest.text(50, 10, 10), null, 0);
        }
        long next = scaler.evaluate(0); // opens the window
        scaler.evaluate(next); // 8 outstanding against a target of 1 per replica: as many as it may
        assertEquals(active ? 3 : 1, live(core), "replicas after a burst");
        if (!active) {
            // the last app left: its replicas were removed; an inactive deployment stays at none
            core.removeReplica(0, 0, 2 * s);
            scaler.evaluate(3 * s);
            assertEquals(0, live(core));
        }
    }

    private static int live(SchedulerCore core) {
        int n = 0;
        for (int r = 0; r < core.replicaCount(0); r++) {
            ReplicaStatus st = core.replicaStatus(0, r);
            n += st == ReplicaStatus.UP || st == ReplicaStatus.STARTING ? 1 : 0;
        }
        return n;
    }
}
