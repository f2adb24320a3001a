package org.cornserve.simulator.config;

/**
 * Links between replicas: a transfer of {@code b} bytes takes {@code latency + b / bandwidth}, over the
 * intra-node link when both replicas sit on one node and the inter-node link otherwise. Links are not shared
 * (no contention), a simplification to keep in mind for transfer-heavy plans.
 */
public record Network(double intraBytesPerSecond, long intraLatencyNanos, double interBytesPerSecond,
        long interLatencyNanos) {

    public Network {
        if (!(intraBytesPerSecond > 0) || !(interBytesPerSecond > 0) || intraLatencyNanos < 0 || interLatencyNanos < 0) {
            throw new IllegalArgumentException("network needs positive bandwidths and non-negative latencies: intra "
                    + intraBytesPerSecond + " B/s " + intraLatencyNanos + " ns, inter " + interBytesPerSecond + " B/s "
                    + interLatencyNanos + " ns");
        }
    }

    /** Transfer time of {@code bytes} between replicas on the same node or not. */
    public long transferNanos(long bytes, boolean sameNode) {
        double bw = sameNode ? intraBytesPerSecond : interBytesPerSecond;
        long latency = sameNode ? intraLatencyNanos : interLatencyNanos;
        return latency + Math.round(bytes / bw * 1e9);
    }
}
