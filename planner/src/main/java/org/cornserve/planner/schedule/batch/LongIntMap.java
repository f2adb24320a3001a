package org.cornserve.planner.schedule.batch;

/**
 * A map from non-zero {@code long} keys to {@code int} values without boxing: open addressing with linear probing
 * and backward-shift deletion (no tombstones), kept at most half full. The prefix cache's hash-to-block index; a
 * boxed {@code HashMap<Long, Integer>} there cost most of a prefix-cached simulation's time.
 *
 * <p>A key and its value share one array, side by side ({@code slots[2i]} and {@code slots[2i + 1]}), so that a
 * lookup in a table larger than the processor's caches misses memory once, not twice; a map sized for its most
 * entries ({@link #LongIntMap(int)}, a block pool's blocks) never grows.
 */
public final class LongIntMap {
    private static final long EMPTY = 0;

    private long[] slots;
    private int mask;
    private int size;

    public LongIntMap() {
        this(8);
    }

    /** A map that holds {@code expected} entries without growing (up to 2^28; beyond, it grows as it fills). */
    public LongIntMap(int expected) {
        if (expected < 0) {
            throw new IllegalArgumentException("expected entries must be >= 0, got " + expected);
        }
        int capacity = Integer.highestOneBit(Math.min(Math.max(8, expected), 1 << 28) * 2 - 1) << 1;
        slots = new long[2 * capacity];
        mask = capacity - 1;
    }

    public int size() {
        return size;
    }

    /** The value of {@code key}, or {@code missing}. */
    public int get(long key, int missing) {
        long[] t = slots;
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = t[2 * i];
            if (k == key) {
                return (int) t[2 * i + 1];
            }
            if (k == EMPTY) {
                return missing;
            }
        }
    }

    /** Maps {@code key} to {@code value} unless it is mapped already; whether it was added. */
    public boolean putIfAbsent(long key, int value) {
        if (key == EMPTY) {
            throw new IllegalArgumentException("key 0 is reserved");
        }
        int i = slot(key);
        for (; slots[2 * i] != EMPTY; i = (i + 1) & mask) {
            if (slots[2 * i] == key) {
                return false;
            }
        }
        slots[2 * i] = key;
        slots[2 * i + 1] = value;
        if (++size * 2 > mask + 1) {
            grow();
        }
        return true;
    }

    /** Removes {@code key} if present; whether it was. */
    public boolean remove(long key) {
        int i = slot(key);
        while (slots[2 * i] != key) {
            if (slots[2 * i] == EMPTY) {
                return false;
            }
            i = (i + 1) & mask;
        }
        // backward-shift: move later entries of the probe run into the gap when their home allows it
        int gap = i;
        for (int j = (gap + 1) & mask; slots[2 * j] != EMPTY; j = (j + 1) & mask) {
            int home = slot(slots[2 * j]);
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                slots[2 * gap] = slots[2 * j];
                slots[2 * gap + 1] = slots[2 * j + 1];
                gap = j;
            }
        }
        slots[2 * gap] = EMPTY;
        size--;
        return true;
    }

    private int slot(long key) {
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h & mask;
    }

    private void grow() {
        long[] old = slots;
        int capacity = (mask + 1) * 2;
        slots = new long[2 * capacity];
        mask = capacity - 1;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != EMPTY) {
                int j = slot(old[i]);
                while (slots[2 * j] != EMPTY) {
                    j = (j + 1) & mask;
                }
                slots[2 * j] = old[i];
                slots[2 * j + 1] = old[i + 1];
            }
        }
    }
}
