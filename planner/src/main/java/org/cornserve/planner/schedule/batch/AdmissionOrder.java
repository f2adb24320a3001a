package org.cornserve.planner.schedule.batch;

import java.util.Arrays;

/**
 * Running sequences in admission order, as a doubly linked list over slot ids: O(1) append, removal of any
 * slot, and access to the most recently admitted (the preemption victim).
 */
final class AdmissionOrder {
    private int[] prev = new int[16];
    private int[] next = new int[16];
    private int tail = -1;
    private int size;

    void append(int s) {
        if (s >= prev.length) {
            int n = Math.max(s + 1, prev.length * 2);
            prev = Arrays.copyOf(prev, n);
            next = Arrays.copyOf(next, n);
        }
        prev[s] = tail;
        next[s] = -1;
        if (tail >= 0) {
            next[tail] = s;
        }
        tail = s;
        size++;
    }

    void remove(int s) {
        int p = prev[s];
        int n = next[s];
        if (p >= 0) {
            next[p] = n;
        }
        if (n >= 0) {
            prev[n] = p;
        } else {
            tail = p;
        }
        size--;
    }

    /** The most recently admitted slot, or -1 when empty. */
    int last() {
        return tail;
    }

    int size() {
        return size;
    }
}
