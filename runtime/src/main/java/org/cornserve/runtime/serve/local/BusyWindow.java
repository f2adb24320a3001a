package org.cornserve.runtime.serve.local;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * The fraction of a sliding window of wall time that a worker spent computing: busy intervals are recorded as they
 * end and pruned once they fall out of the window. Thread-safe; O(intervals in the window) per read.
 */
final class BusyWindow {
    private final long windowNanos;
    private final LongSupplier nanoClock;
    private final ArrayDeque<long[]> intervals = new ArrayDeque<>();

    BusyWindow(long windowNanos, LongSupplier nanoClock) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("window must be > 0 ns");
        }
        this.windowNanos = windowNanos;
        this.nanoClock = nanoClock;
    }

    /** Records that the worker computed from {@code startNanos} to {@code endNanos}. */
    synchronized void busy(long startNanos, long endNanos) {
        intervals.addLast(new long[] {startNanos, endNanos});
        prune(endNanos);
    }

    /** Busy fraction of the last window, in [0, 1]. */
    synchronized double utilisation() {
        long now = nanoClock.getAsLong();
        prune(now);
        long from = now - windowNanos;
        long busy = 0;
        for (long[] iv : intervals) {
            busy += Math.max(0, Math.min(iv[1], now) - Math.max(iv[0], from));
        }
        return Math.min(1.0, busy / (double) windowNanos);
    }

    private void prune(long now) {
        while (!intervals.isEmpty() && intervals.peekFirst()[1] < now - windowNanos) {
            intervals.pollFirst();
        }
    }
}
