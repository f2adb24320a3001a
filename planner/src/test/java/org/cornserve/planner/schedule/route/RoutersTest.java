package org.cornserve.planner.schedule.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoutersTest {
    private record Loads(long[] work) implements ReplicaLoads {
        @Override
        public int replicas() {
            return work.length;
        }

        @Override
        public long outstandingWork(int replica) {
            return work[replica];
        }
    }

    @Test
    void roundRobinCycles() {
        Router r = Routers.byName("round-robin").create(0);
        Loads loads = new Loads(new long[3]);
        int[] got = new int[7];
        for (int i = 0; i < got.length; i++) {
            got[i] = r.choose(loads);
        }
        assertEquals("[0, 1, 2, 0, 1, 2, 0]", java.util.Arrays.toString(got));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void leastOutstandingMatchesBruteForce(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Router r = Routers.byName("least-outstanding").create(0);
        for (int trial = 0; trial < 200; trial++) {
            long[] work = new long[1 + random.nextInt(12)];
            for (int i = 0; i < work.length; i++) {
                work[i] = random.nextInt(5);
            }
            int best = 0;
            for (int i = 0; i < work.length; i++) {
                if (work[i] < work[best]) {
                    best = i;
                }
            }
            assertEquals(best, r.choose(new Loads(work)));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void powerOfTwoNeverPicksTheUniqueWorstAndIsSeeded(long seed) {
        long[] work = {5, 1, 9, 3};
        Router a = Routers.byName("power-of-two").create(seed);
        Router b = Routers.byName("power-of-two").create(seed);
        int[] counts = new int[4];
        for (int i = 0; i < 4000; i++) {
            int pick = a.choose(new Loads(work));
            assertEquals(pick, b.choose(new Loads(work)), "same seed, same choices");
            counts[pick]++;
        }
        assertEquals(0, counts[2], "the most loaded replica loses every comparison");
        // Replica 1 wins every pair it is in: probability 1/2 per choice.
        assertTrue(Math.abs(counts[1] / 4000.0 - 0.5) < 4 * Math.sqrt(0.25 / 4000), "share of replica 1: " + counts[1]);
        assertNotEquals(0, counts[0] + counts[3]);
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Routers.byName("random"));
        assertTrue(e.getMessage().contains("round-robin, least-outstanding, power-of-two"), e.getMessage());
    }
}
