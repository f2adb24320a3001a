package org.cornserve.simulator.config;

/**
 * Links between replicas: a transfer of {@code b} bytes alone on its link takes {@code latency + b / bandwidth},
 * over the intra-node link when both replicas sit on one node and the inter-node link otherwise. With
 * {@code fairShare} (off by default, so results and the runtime parity harness keep unshared links), concurrent
 * transfers on one link share its bandwidth fairly ({@code org.cornserve.simulator.engine.SharedLinks}); which
 * transfers share a link is {@link #linkKey}: inside a node, the directed link between the two replicas (a device
 * pair, as {@code intra_node} describes one); between nodes, the sending node's network egress, which every
 * transfer leaving that node shares (ASSUMPTION: one NIC's worth of {@code inter_node} bandwidth per node).
 */
public record Network(double intraBytesPerSecond, long intraLatencyNanos, double interBytesPerSecond,
        long interLatencyNanos, boolean fairShare) {

    /** Links not shared: every transfer gets its link's full bandwidth (the runtime parity harness times it so). */
    public Network(double intraBytesPerSecond, long intraLatencyNanos, double interBytesPerSecond,
            long interLatencyNanos) {
        this(intraBytesPerSecond, intraLatencyNanos, interBytesPerSecond, interLatencyNanos, false);
    }

    /** The same links, shared fairly among concurrent transfers or not. */
    public Network withFairShare(boolean share) {
        return new Network(intraBytesPerSecond, intraLatencyNanos, interBytesPerSecond, interLatencyNanos, share);
    }

    public Network {
        if (!(intraBytesPerSecond > 0) || !(interBytesPerSecond > 0) || intraLatencyNanos < 0 || interLatencyNanos < 0) {
            throw new IllegalArgumentException("network needs positive bandwidths and non-negative latencies: intra "
                    + intraBytesPerSecond + " B/s " + intraLatencyNanos + " ns, inter " + interBytesPerSecond + " B/s "
                    + interLatencyNanos + " ns");
        }
    }

    /** The intra-node link from one replica to another. */
    public record IntraLink(int fromDeployment, int fromReplica, int toDeployment, int toReplica) {
    }

    /** The network egress of one node. */
    public record NodeEgress(int node) {
    }

    /** The link a transfer between two replicas uses (see the class comment). */
    public Object linkKey(int fromDeployment, int fromReplica, int fromNode, int toDeployment, int toReplica,
            int toNode) {
        return fromNode == toNode ? new IntraLink(fromDeployment, fromReplica, toDeployment, toReplica)
                : new NodeEgress(fromNode);
    }

    /** Bandwidth of the intra-node or the inter-node link. */
    public double bytesPerSecond(boolean sameNode) {
        return sameNode ? intraBytesPerSecond : interBytesPerSecond;
    }

    /** Latency of the intra-node or the inter-node link. */
    public long latencyNanos(boolean sameNode) {
        return sameNode ? intraLatencyNanos : interLatencyNanos;
    }

    /** Transfer time of {@code bytes} between replicas on the same node or not, alone on its link. */
    public long transferNanos(long bytes, boolean sameNode) {
        double bw = sameNode ? intraBytesPerSecond : interBytesPerSecond;
        long latency = sameNode ? intraLatencyNanos : interLatencyNanos;
        return latency + Math.round(bytes / bw * 1e9);
    }
}
