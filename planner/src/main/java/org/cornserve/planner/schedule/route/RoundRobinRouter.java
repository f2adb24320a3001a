package org.cornserve.planner.schedule.route;

/** Replicas in turn, ignoring load. O(1). */
public final class RoundRobinRouter implements Router {
    private int next;

    @Override
    public int choose(ReplicaLoads loads) {
        int r = next % loads.replicas();
        next = r + 1;
        return r;
    }
}
