package org.cornserve.simulator.metrics;

import org.HdrHistogram.Histogram;

/**
 * Records latencies into an HdrHistogram at microsecond resolution (3 significant digits) for percentiles,
 * and keeps the exact sum for the mean.
 */
public final class LatencyRecorder {
    private final Histogram histogram = new Histogram(3);
    private double sumMs;
    private long count;

    public void recordMs(double ms) {
        if (!(ms >= 0)) {
            throw new IllegalArgumentException("latency must be >= 0 ms, got " + ms);
        }
        histogram.recordValue(Math.round(ms * 1000));
        sumMs += ms;
        count++;
    }

    public LatencyStats stats() {
        if (count == 0) {
            return new LatencyStats(0, 0, 0, 0, 0, 0);
        }
        return new LatencyStats(sumMs / count, at(50), at(90), at(95), at(99), count);
    }

    private double at(double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }
}
