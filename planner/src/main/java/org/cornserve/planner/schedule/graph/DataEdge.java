package org.cornserve.planner.schedule.graph;

/**
 * Data flowing from one invocation to another: embeddings, a KV cache, hidden states, audio codes.
 *
 * @param from index of the producing invocation
 * @param to index of the consuming invocation
 * @param bytes size of the data; a transfer between replicas takes latency + bytes / bandwidth
 */
public record DataEdge(int from, int to, long bytes) {

    public DataEdge {
        if (from < 0 || to < 0 || from == to) {
            throw new IllegalArgumentException("edge must join two different invocations: " + from + " -> " + to);
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("edge " + from + " -> " + to + " has negative bytes " + bytes);
        }
    }
}
