package org.cornserve.planner.schedule.route;

/** Picks the replica of a deployment that gets a request's invocations. Single-threaded, deterministic. */
public interface Router {
    /** @return a replica index in {@code [0, loads.replicas())} */
    int choose(ReplicaLoads loads);
}
