package org.cornserve.simulator.event;

import java.util.Arrays;

/**
 * The simulator's future-event queue: a binary min-heap ordered by time, then a tie-break class, then
 * insertion sequence, so equal-time events pop in a fixed order and runs are reproducible. Keys live in
 * primitive arrays (time, and tie-break with sequence packed into one long): no boxing, one payload slot per
 * event. Scheduling an event before the time of the last event popped is an error.
 *
 * <p>Costs: {@link #push} and {@link #poll} O(log n); {@link #peekTime} O(1).
 *
 * @param <E> event type
 */
public final class EventQueue<E> {
    private static final int SEQ_BITS = 55;
    private static final long SEQ_MASK = (1L << SEQ_BITS) - 1;

    /**
     * Initial capacity: more events than a run of tens of replicas holds at once. A queue that first grows after the
     * JIT compiled its callers costs them a deoptimisation and a recompile (C2 compiles a branch never taken as a
     * trap); measured on a 16-replica million-request run, where the queue first passed 64 events halfway through.
     */
    private static final int INITIAL_CAPACITY = 1024;

    private long[] times = new long[INITIAL_CAPACITY];
    private long[] orders = new long[INITIAL_CAPACITY];
    private Object[] payloads = new Object[INITIAL_CAPACITY];
    private int size;
    private long sequence;
    private long now = Long.MIN_VALUE;
    private long lastSequence = -1;

    /** Maximum tie-break class (inclusive); lower classes pop first at equal times. */
    public static final int MAX_TIE_BREAK = 255;

    /**
     * Schedules {@code event} at {@code timeNanos}.
     *
     * @param tieBreak 0..255, lower first among events at the same time
     * @return the event's insertion sequence, unique within this queue: {@link #lastSequence()} gives it back when
     *     the event pops, so a caller can tell a superseded event from the live one without a new payload object
     * @throws IllegalArgumentException when the time is before the last popped event's time
     */
    public long push(long timeNanos, int tieBreak, E event) {
        if (timeNanos < now) {
            throw new IllegalArgumentException("event " + event + " scheduled at " + timeNanos
                    + " ns, before the current time " + now + " ns");
        }
        if (tieBreak < 0 || tieBreak > MAX_TIE_BREAK) {
            throw new IllegalArgumentException("tie-break must be in 0.." + MAX_TIE_BREAK + ", got " + tieBreak);
        }
        if (size == times.length) {
            int n = size * 2;
            times = Arrays.copyOf(times, n);
            orders = Arrays.copyOf(orders, n);
            payloads = Arrays.copyOf(payloads, n);
        }
        long seq = sequence++ & SEQ_MASK;
        long order = ((long) tieBreak << SEQ_BITS) | seq;
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(timeNanos, order, times[parent], orders[parent])) {
                break;
            }
            times[i] = times[parent];
            orders[i] = orders[parent];
            payloads[i] = payloads[parent];
            i = parent;
        }
        times[i] = timeNanos;
        orders[i] = order;
        payloads[i] = event;
        return seq;
    }

    private static boolean less(long t1, long o1, long t2, long o2) {
        return t1 < t2 || (t1 == t2 && o1 < o2);
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int size() {
        return size;
    }

    /** Time of the next event; the queue must not be empty. */
    public long peekTime() {
        if (size == 0) {
            throw new IllegalStateException("event queue is empty");
        }
        return times[0];
    }

    /** Time of the last event popped (the simulated now), or Long.MIN_VALUE before the first. */
    public long now() {
        return now;
    }

    /** The insertion sequence ({@link #push}'s result) of the event last popped, or -1 before the first. */
    public long lastSequence() {
        return lastSequence;
    }

    /** Removes and returns the next event, advancing {@link #now()} to its time. */
    @SuppressWarnings("unchecked")
    public E poll() {
        if (size == 0) {
            throw new IllegalStateException("event queue is empty");
        }
        E top = (E) payloads[0];
        now = times[0];
        lastSequence = orders[0] & SEQ_MASK;
        size--;
        long t = times[size];
        long o = orders[size];
        Object p = payloads[size];
        payloads[size] = null;
        int i = 0;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && less(times[right], orders[right], times[child], orders[child])) {
                child = right;
            }
            if (!less(times[child], orders[child], t, o)) {
                break;
            }
            times[i] = times[child];
            orders[i] = orders[child];
            payloads[i] = payloads[child];
            i = child;
        }
        if (size > 0) {
            times[i] = t;
            orders[i] = o;
            payloads[i] = p;
        }
        return top;
    }
}
