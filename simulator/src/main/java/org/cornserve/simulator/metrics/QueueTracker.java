package org.cornserve.simulator.metrics;

import java.util.Arrays;

/**
 * Per-deployment queue length (outstanding invocations) over time: the time-weighted mean and the maximum, and
 * a series sampled every {@code sampleNanos} (the value held at each sample instant). Updated after every event
 * at O(deployments) cost, without events of its own.
 */
public final class QueueTracker {
    private final long sampleNanos;
    private final long[] last;
    private final long[] max;
    private final double[] area;
    private long lastChange = Long.MIN_VALUE;
    private long start;
    private long nextSample;
    private long[] samples = new long[1024];
    private int sampleRows;

    public QueueTracker(int deployments, long sampleNanos) {
        this.sampleNanos = sampleNanos;
        this.last = new long[deployments];
        this.max = new long[deployments];
        this.area = new double[deployments];
    }

    /** Observes the lengths {@code lengths[d]} holding from {@code nowNanos} on. */
    public void observe(long nowNanos, long[] lengths) {
        if (lastChange == Long.MIN_VALUE) {
            lastChange = nowNanos;
            start = nowNanos;
            nextSample = nowNanos;
        }
        while (nextSample < nowNanos) {
            addSample(nextSample);
            nextSample += sampleNanos;
        }
        long dt = nowNanos - lastChange;
        for (int d = 0; d < last.length; d++) {
            area[d] += (double) last[d] * dt;
            last[d] = lengths[d];
            max[d] = Math.max(max[d], lengths[d]);
        }
        lastChange = nowNanos;
    }

    private void addSample(long t) {
        int row = last.length + 1;
        if ((sampleRows + 1) * row > samples.length) {
            samples = Arrays.copyOf(samples, Math.max(samples.length * 2, (sampleRows + 1) * row));
        }
        samples[sampleRows * row] = t;
        System.arraycopy(last, 0, samples, sampleRows * row + 1, last.length);
        sampleRows++;
    }

    public double meanLength(int d) {
        long span = lastChange - start;
        return span <= 0 ? last[d] : area[d] / span;
    }

    public long maxLength(int d) {
        return max[d];
    }

    public int sampleCount() {
        return sampleRows;
    }

    public long sampleTimeNanos(int i) {
        return samples[i * (last.length + 1)];
    }

    public long sampleLength(int i, int d) {
        return samples[i * (last.length + 1) + 1 + d];
    }
}
