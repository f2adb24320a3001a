package org.cornserve.planner.schedule.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

    /** Replicas' loads and the block hashes each one's prefix cache holds; a request is a list of block hashes. */
    private record CachedLoads(long[] work, List<Set<Long>> cached, long[] request, int blockTokens)
            implements ReplicaLoads {
        @Override
        public int replicas() {
            return work.length;
        }

        @Override
        public long outstandingWork(int replica) {
            return work[replica];
        }

        @Override
        public long cachedPrefixTokens(int replica) {
            int n = 0;
            while (n < request.length && cached.get(replica).contains(request[n])) {
                n++;
            }
            return (long) n * blockTokens;
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void prefixAwareMatchesBruteForceOverLoadAndLongestCachedPrefix(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Router router = Routers.byName("prefix-aware").create(seed);
        int preferredForPrefix = 0;
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + random.nextInt(8);
            long[] work = new long[n];
            List<Set<Long>> cached = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                work[r] = random.nextInt(4) * 64L;
                Set<Long> set = new HashSet<>();
                for (int b = 0; b < 12; b++) {
                    if (random.nextInt(3) > 0) {
                        set.add((long) b);
                    }
                }
                cached.add(set);
            }
            long[] request = new long[random.nextInt(12)];
            for (int b = 0; b < request.length; b++) {
                request[b] = b;
            }
            CachedLoads loads = new CachedLoads(work, cached, request, 16);
            // reference: sort replicas by (work left after counting the cached prefix as done, load, index)
            List<Integer> order = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                order.add(r);
            }
            order.sort(Comparator.<Integer>comparingLong(r -> work[r] - loads.cachedPrefixTokens(r))
                    .thenComparingLong(r -> work[r]).thenComparingInt(r -> r));
            int got = router.choose(loads);
            assertEquals(order.get(0), got, "trial " + trial);
            int leastLoaded = Routers.byName("least-outstanding").create(0).choose(loads);
            if (got != leastLoaded) {
                preferredForPrefix++;
                assertTrue(loads.cachedPrefixTokens(got) > loads.cachedPrefixTokens(leastLoaded));
            }
        }
        assertTrue(preferredForPrefix > 0, "some choices trade load for a cached prefix");
    }

    @Test
    void prefixAwareWithoutCachesIsLeastOutstanding() {
        long[] work = {5, 1, 9, 1};
        assertEquals(1, Routers.byName("prefix-aware").create(0).choose(new Loads(work)));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Routers.byName("random"));
        assertTrue(e.getMessage().contains("round-robin, least-outstanding, power-of-two"), e.getMessage());
    }
}
