package org.cornserve.planner.schedule.scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScalingPoliciesTest {

    @Test
    void targetTrackingIsCeilOfDemandOutsideTheBand() {
        int[] desired = {-1, -1, -1, 9};
        new TargetTrackingPolicy(0.1).desired(new double[] {3.2, 4.3, 0.4, 100}, new int[] {2, 4, 3, 5},
                new int[] {1, 1, 1, 5}, new boolean[] {true, true, true, false}, desired);
        // 3.2 vs 2: outside the band -> 4; 4.3 vs 4 within 10% -> 4; 0.4 -> 1; unscaled untouched
        assertArrayEquals(new int[] {4, 4, 1, 9}, desired);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void lockstepWithOneDeploymentIsTargetTracking(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 200; i++) {
            double demand = random.nextDouble() * 20;
            int current = 1 + random.nextInt(10);
            int base = 1 + random.nextInt(4);
            int[] a = {0};
            int[] b = {0};
            new TargetTrackingPolicy(0.1).desired(new double[] {demand}, new int[] {current}, new int[] {base},
                    new boolean[] {true}, a);
            new LockstepPolicy(0.1).desired(new double[] {demand}, new int[] {current}, new int[] {base},
                    new boolean[] {true}, b);
            // one deployment at factor demand / base: ceil(base * demand / base) = ceil(demand), same band
            assertEquals(a[0], b[0], "demand " + demand + " current " + current + " base " + base);
        }
    }

    @Test
    void lockstepMovesEveryScaledDeploymentByTheMostLoadedFactor() {
        int[] desired = new int[3];
        // base 1 vision : 3 llm; the llm needs 7.5 replicas (factor 2.5), vision only 0.5
        new LockstepPolicy(0).desired(new double[] {0.5, 7.5, 1}, new int[] {1, 3, 1}, new int[] {1, 3, 1},
                new boolean[] {true, true, false}, desired);
        assertArrayEquals(new int[] {3, 8, 0}, desired);
    }

    @Test
    void namesAreClosedSets() {
        assertEquals(ScalingPolicies.WHOLE, ScalingPolicies.byName(" Whole "));
        assertEquals(ScaleMetric.QUEUE, ScaleMetric.byName("queue"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScalingPolicies.byName("hpa"));
        assertTrue(e.getMessage().contains("per-deployment, whole"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ScaleMetric.byName("latency"));
        assertThrows(IllegalArgumentException.class, () -> new ScaleSettings(ScaleMetric.UTILIZATION, 1.5, 1, 2, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ScaleSettings(ScaleMetric.QUEUE, 8, 3, 2, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ScaleSettings(ScaleMetric.QUEUE, 8, 1, 2, -1, 0, 0));
    }
}
