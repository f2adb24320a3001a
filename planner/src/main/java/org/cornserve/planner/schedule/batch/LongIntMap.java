package org.cornserve.planner.schedule.batch;

/**
 * A map from non-zero {@code long} keys to {@code int} values without boxing: open addressing with linear probing
 * and backward-shift deletion (no tombstones), kept at most half full. The prefix cache's hash-to-block index; a
 * boxed {@code HashMap<Long, Integer>} there cost most of a prefix-cached simulation's time.
 */
public final class LongIntMap {
    private static final long EMPTY = 0;

    private long[] keys;
    private int[] values;
    private int mask;
    private int size;

    public LongIntMap() {
        keys = new long[16];
        values = new int[16];
        mask = 15;
    }

    public int size() {
        return size;
    }

    /** The value of {@code key}, or {@code missing}. */
    public int get(long key, int missing) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
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
        for (; keys[i] != EMPTY; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return false;
            }
        }
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > keys.length) {
            grow();
        }
        return true;
    }

    /** Removes {@code key} if present; whether it was. */
    public boolean remove(long key) {
        int i = slot(key);
        while (keys[i] != key) {
            if (keys[i] == EMPTY) {
                return false;
            }
            i = (i + 1) & mask;
        }
        // backward-shift: move later entries of the probe run into the gap when their home allows it
        int gap = i;
        for (int j = (gap + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                keys[gap] = keys[j];
                values[gap] = values[j];
                gap = j;
            }
        }
        keys[gap] = EMPTY;
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
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                int j = slot(oldKeys[i]);
                while (keys[j] != EMPTY) {
                    j = (j + 1) & mask;
                }
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
            }
        }
    }
}
