package org.cornserve.planner.schedule.route;

/** The replica with the least outstanding work; ties go to the lowest index. O(replicas). */
public final class LeastOutstandingRouter implements Router {
    @Override
    public int choose(ReplicaLoads loads) {
        int best = 0;
        long bestWork = loads.outstandingWork(0);
        for (int r = 1; r < loads.replicas(); r++) {
            long w = loads.outstandingWork(r);
            if (w < bestWork) {
                best = r;
                bestWork = w;
            }
        }
        return best;
    }
}
