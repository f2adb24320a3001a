package org.cornserve.simulator.engine;

/**
 * When one replica computed over the last {@code windowNanos}: its finished steps' spans, oldest first, dropped once
 * they end before the window (a ring buffer that grows as needed). {@link #share} is what share of the window before
 * a time the replica spent computing ({@link org.cornserve.simulator.config.ServedStepCosts#prefillBusySlope}).
 * O(1) amortized per step; the served side's same measure is {@code ServedCostsFit.Row#busyShare}.
 */
public final class BusyHistory {
    private final long windowNanos;
    private long[] from = new long[16];
    private long[] to = new long[16];
    private int head;
    private int size;
    /** Summed length of the spans held, clipped to nothing: the window's share is computed at the ends. */
    private long heldNanos;

    public BusyHistory(long windowNanos) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("busy window must be > 0 ns, got " + windowNanos);
        }
        this.windowNanos = windowNanos;
    }

    /** A step computed from {@code startNanos} to {@code endNanos}; spans come in order of their ends. */
    public void add(long startNanos, long endNanos) {
        if (endNanos <= startNanos) {
            return;
        }
        if (size == from.length) {
            long[] f = new long[size * 2];
            long[] t = new long[size * 2];
            for (int i = 0; i < size; i++) {
                f[i] = from[(head + i) % from.length];
                t[i] = to[(head + i) % from.length];
            }
            from = f;
            to = t;
            head = 0;
        }
        int at = (head + size) % from.length;
        from[at] = startNanos;
        to[at] = endNanos;
        size++;
        heldNanos += endNanos - startNanos;
    }

    /** The share in [0, 1] of {@code [nowNanos - window, nowNanos]} that the spans added cover. */
    public double share(long nowNanos) {
        long start = nowNanos - windowNanos;
        while (size > 0 && to[head] <= start) {
            heldNanos -= to[head] - from[head];
            head = (head + 1) % from.length;
            size--;
        }
        long covered = heldNanos;
        if (size > 0 && from[head] < start) {
            covered -= start - from[head]; // the oldest span began before the window
        }
        if (size > 0) {
            int last = (head + size - 1) % from.length;
            covered -= Math.max(0, to[last] - nowNanos); // a span that ends after now (none in order of ends)
        }
        return Math.max(0, Math.min(1, (double) covered / windowNanos));
    }
}
