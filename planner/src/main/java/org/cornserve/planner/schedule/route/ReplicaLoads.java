package org.cornserve.planner.schedule.route;

/** What a router sees of a deployment's replicas: how many, and each one's outstanding work. */
public interface ReplicaLoads {
    int replicas();

    /** Work routed to replica {@code r} and not yet finished (see {@code Work.routingWeight}). */
    long outstandingWork(int replica);
}
