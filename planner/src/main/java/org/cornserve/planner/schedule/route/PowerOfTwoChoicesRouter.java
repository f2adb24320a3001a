package org.cornserve.planner.schedule.route;

import java.util.SplittableRandom;

/**
 * Power of two choices: samples two distinct replicas with a seeded generator and takes the one with less
 * outstanding work (the first sampled on a tie). O(1).
 */
public final class PowerOfTwoChoicesRouter implements Router {
    private final SplittableRandom random;

    public PowerOfTwoChoicesRouter(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public int choose(ReplicaLoads loads) {
        int n = loads.replicas();
        if (n == 1) {
            return 0;
        }
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
            b++;
        }
        return loads.outstandingWork(b) < loads.outstandingWork(a) ? b : a;
    }
}
