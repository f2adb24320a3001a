package org.cornserve.simulator.metrics;

import java.util.Arrays;

/**
 * Per-deployment queue length (outstanding invocations) over time: the time-weighted mean and the maximum, and
 * a series sampled every {@code sampleNanos} (the value held at each sample instant). Updated after every event
 * at O(deployments) cost, without events of its own.
 *
 * <p>With a {@link StateCounts} source the series also splits each deployment's LLM sequences into running,
 * waiting (never started or waiting for admission) and preempted (waiting to resume after a preemption); the source
 * is asked only at sample instants. An engine calls {@link #advanceTo} before applying each event, so a sample
 * holds the state between the events around it.
 */
public final class QueueTracker {

    /** Fills the per-deployment split of LLM sequences as it is now. */
    @FunctionalInterface
    public interface StateCounts {
        void fill(long[] running, long[] waiting, long[] preempted);
    }

    private final long sampleNanos;
    private final long[] last;
    private final long[] max;
    private final double[] area;
    private long lastChange = Long.MIN_VALUE;
    private long start;
    private long nextSample;
    private long[] samples = new long[1024];
    private int sampleRows;
    private StateCounts split;
    private long[] running;
    private long[] waiting;
    private long[] preempted;
    private long[] splitSamples = new long[0];

    public QueueTracker(int deployments, long sampleNanos) {
        this.sampleNanos = sampleNanos;
        this.last = new long[deployments];
        this.max = new long[deployments];
        this.area = new double[deployments];
    }

    /** Samples the running / waiting / preempted split from {@code source} from now on. */
    public void splitFrom(StateCounts source) {
        this.split = source;
        running = new long[last.length];
        waiting = new long[last.length];
        preempted = new long[last.length];
    }

    /** Whether the series carries the running / waiting / preempted split. */
    public boolean hasSplit() {
        return split != null;
    }

    /**
     * Takes the samples due before {@code nowNanos} from the state held now (call before applying an event at
     * {@code nowNanos}; {@link #observe} calls it too).
     */
    public void advanceTo(long nowNanos) {
        if (lastChange == Long.MIN_VALUE || nextSample >= nowNanos) {
            return;
        }
        if (split != null) {
            split.fill(running, waiting, preempted);
        }
        while (nextSample < nowNanos) {
            addSample(nextSample);
            nextSample += sampleNanos;
        }
    }

    /** Observes the lengths {@code lengths[d]} holding from {@code nowNanos} on. */
    public void observe(long nowNanos, long[] lengths) {
        if (lastChange == Long.MIN_VALUE) {
            lastChange = nowNanos;
            start = nowNanos;
            nextSample = nowNanos;
        }
        advanceTo(nowNanos);
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
        if (split != null) {
            int n = last.length;
            if ((sampleRows + 1) * 3 * n > splitSamples.length) {
                splitSamples = Arrays.copyOf(splitSamples, Math.max(splitSamples.length * 2, (sampleRows + 1) * 3 * n));
            }
            System.arraycopy(running, 0, splitSamples, sampleRows * 3 * n, n);
            System.arraycopy(waiting, 0, splitSamples, sampleRows * 3 * n + n, n);
            System.arraycopy(preempted, 0, splitSamples, sampleRows * 3 * n + 2 * n, n);
        }
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

    /** LLM sequences running on deployment {@code d} at sample {@code i} (needs {@link #hasSplit()}). */
    public long sampleRunning(int i, int d) {
        return splitSamples[i * 3 * last.length + d];
    }

    /** LLM sequences waiting (not preempted) on deployment {@code d} at sample {@code i}. */
    public long sampleWaiting(int i, int d) {
        return splitSamples[i * 3 * last.length + last.length + d];
    }

    /** LLM sequences waiting to resume after a preemption on deployment {@code d} at sample {@code i}. */
    public long samplePreempted(int i, int d) {
        return splitSamples[i * 3 * last.length + 2 * last.length + d];
    }
}
