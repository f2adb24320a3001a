package org.cornserve.traces;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * An immutable list of {@code long}s backed by a primitive array, so that a trace record's
 * {@code hash_ids} (often dozens per request) cost one array instead of one boxed object each.
 * It is a full {@link List} (equal to any list of the same {@code Long}s); use {@link #getLong(int)}
 * to avoid boxing.
 */
public final class LongList extends AbstractList<Long> implements RandomAccess {

    /** The empty list. */
    public static final LongList EMPTY = new LongList(new long[0]);

    private final long[] values;

    private LongList(long[] values) {
        this.values = values;
    }

    /** A list holding a copy of {@code values[0..length)}. */
    public static LongList copyOf(long[] values, int length) {
        return length == 0 ? EMPTY : new LongList(Arrays.copyOf(values, length));
    }

    /** A list holding a copy of the given values. */
    public static LongList of(long... values) {
        return copyOf(values, values.length);
    }

    /** A list holding the given values (nulls are rejected). */
    public static LongList copyOf(List<Long> values) {
        if (values instanceof LongList l) {
            return l;
        }
        long[] copy = new long[values.size()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = values.get(i);
        }
        return copy.length == 0 ? EMPTY : new LongList(copy);
    }

    public long getLong(int index) {
        return values[index];
    }

    @Override
    public Long get(int index) {
        return values[index];
    }

    @Override
    public int size() {
        return values.length;
    }

    /** A fresh copy of the values. */
    public long[] toLongArray() {
        return values.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof LongList other) {
            return Arrays.equals(values, other.values);
        }
        return super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }
}
