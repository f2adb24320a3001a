package org.cornserve.planner.schedule.route;

/**
 * Prefix-aware routing, balanced against load: the replica whose outstanding work minus the request's prompt
 * tokens it already holds cached is least, i.e. the one that would have the least left to compute with this
 * request on it (a cached prefix counts as work done; {@link ReplicaLoads#outstandingWork} is in the same token
 * units). Without cached prefixes it is {@link LeastOutstandingRouter}; a long cached prefix wins over a lightly
 * loaded replica only while the load gap is smaller than the prefix. Ties go to the less loaded, then the lowest
 * index. O(replicas x prompt blocks).
 */
public final class PrefixAwareRouter implements Router {
    @Override
    public int choose(ReplicaLoads loads) {
        int best = 0;
        long bestLoad = loads.outstandingWork(0);
        long bestCost = bestLoad - loads.cachedPrefixTokens(0);
        for (int r = 1; r < loads.replicas(); r++) {
            long load = loads.outstandingWork(r);
            long cost = load - loads.cachedPrefixTokens(r);
            if (cost < bestCost || (cost == bestCost && load < bestLoad)) {
                best = r;
                bestCost = cost;
                bestLoad = load;
            }
        }
        return best;
    }
}
