package org.cornserve.planner.schedule.batch;

import java.util.Arrays;

/** A growable ring buffer of ints (FIFO with push-front), so waiting queues never box. */
final class IntDeque {
    private int[] items = new int[16];
    private int head;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int peekFirst() {
        if (size == 0) {
            throw new IllegalStateException("empty deque");
        }
        return items[head];
    }

    int get(int i) {
        return items[(head + i) & (items.length - 1)];
    }

    void addLast(int v) {
        grow();
        items[(head + size) & (items.length - 1)] = v;
        size++;
    }

    void addFirst(int v) {
        grow();
        head = (head - 1) & (items.length - 1);
        items[head] = v;
        size++;
    }

    int pollFirst() {
        int v = peekFirst();
        head = (head + 1) & (items.length - 1);
        size--;
        return v;
    }

    /** Removes the first occurrence of {@code v}; false when absent. O(size). */
    boolean remove(int v) {
        int mask = items.length - 1;
        for (int i = 0; i < size; i++) {
            if (items[(head + i) & mask] == v) {
                for (int j = i; j < size - 1; j++) {
                    items[(head + j) & mask] = items[(head + j + 1) & mask];
                }
                size--;
                return true;
            }
        }
        return false;
    }

    private void grow() {
        if (size == items.length) {
            int[] n = new int[items.length * 2];
            for (int i = 0; i < size; i++) {
                n[i] = items[(head + i) & (items.length - 1)];
            }
            items = n;
            head = 0;
        }
    }

    @Override
    public String toString() {
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = get(i);
        }
        return Arrays.toString(out);
    }
}
