package org.cornserve.planner.schedule.route;

/**
 * What a router sees of a deployment's replicas: how many, each one's outstanding work, and (for prefix-aware
 * routing) how much of the request being routed each one holds in its prefix cache.
 */
public interface ReplicaLoads {
    int replicas();

    /** Work routed to replica {@code r} and not yet finished (see {@code Work.routingWeight}). */
    long outstandingWork(int replica);

    /**
     * Prompt tokens of the request being routed that replica {@code r}'s prefix cache holds now (the longest cached
     * run of leading blocks, as its engine would find on admission); 0 where nothing is cached or prefix caching is
     * off. Decided from the prompt's block hashes, what a live router knows.
     */
    default long cachedPrefixTokens(int replica) {
        return 0;
    }
}
