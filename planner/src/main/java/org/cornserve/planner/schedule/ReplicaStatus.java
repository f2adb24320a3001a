package org.cornserve.planner.schedule;

/** Where a replica of a deployment stands; only {@link #UP} replicas get new work. */
public enum ReplicaStatus {
    /** Added, loading weights and warming up; becomes {@link #UP} with {@link SchedulerCore#replicaUp}. */
    STARTING,
    /** Serving: routers see it. */
    UP,
    /** Marked for removal: finishes the work it holds, gets none new, then stops ({@link Decisions#stopReplica}). */
    DRAINING,
    /** Crashed or lost ({@link SchedulerCore#replicaDown}); its work failed; {@link SchedulerCore#replicaUp} restarts it. */
    DOWN,
    /** Removed after draining; never used again. */
    REMOVED;

    /** Whether the replica may hold work (it runs what it has). */
    public boolean running() {
        return this == UP || this == DRAINING;
    }
}
