package org.cornserve.planner.schedule.batch;

import java.util.Arrays;

/**
 * A binary min-heap of small int ids keyed by a long, with O(log n) removal of any id (positions are
 * tracked). Ties break by id so the order is deterministic. Primitive arrays only: no boxing on the hot
 * path of the batchers (finishing sequences, finishing diffusion jobs).
 */
public final class IndexedMinHeap {
    private int[] heap = new int[16];
    private long[] keyOf = new long[16];
    private int[] pos = new int[16];
    private int size;

    public IndexedMinHeap() {
        Arrays.fill(pos, -1);
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int peek() {
        return heap[0];
    }

    public long peekKey() {
        return keyOf[heap[0]];
    }

    /** The id at heap position {@code i} (0 <= i < size), for iterating over all ids in heap order. */
    public int at(int i) {
        return heap[i];
    }

    public boolean contains(int id) {
        return id < pos.length && pos[id] >= 0;
    }

    public void add(int id, long key) {
        if (id >= pos.length) {
            int n = Math.max(id + 1, pos.length * 2);
            int old = pos.length;
            pos = Arrays.copyOf(pos, n);
            Arrays.fill(pos, old, n, -1);
            keyOf = Arrays.copyOf(keyOf, n);
        }
        if (pos[id] >= 0) {
            throw new IllegalStateException("id " + id + " already in heap");
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        keyOf[id] = key;
        heap[size] = id;
        pos[id] = size;
        size++;
        up(size - 1);
    }

    public int poll() {
        int top = heap[0];
        remove(top);
        return top;
    }

    public void remove(int id) {
        int i = pos[id];
        if (i < 0) {
            throw new IllegalStateException("id " + id + " not in heap");
        }
        size--;
        pos[id] = -1;
        if (i != size) {
            int last = heap[size];
            heap[i] = last;
            pos[last] = i;
            down(i);
            up(pos[last]);
        }
    }

    private boolean less(int a, int b) {
        long ka = keyOf[a];
        long kb = keyOf[b];
        return ka < kb || (ka == kb && a < b);
    }

    private void up(int i) {
        int id = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            int p = heap[parent];
            if (!less(id, p)) {
                break;
            }
            heap[i] = p;
            pos[p] = i;
            i = parent;
        }
        heap[i] = id;
        pos[id] = i;
    }

    private void down(int i) {
        int id = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int c = heap[child];
            int right = child + 1;
            if (right < size && less(heap[right], c)) {
                child = right;
                c = heap[child];
            }
            if (!less(c, id)) {
                break;
            }
            heap[i] = c;
            pos[c] = i;
            i = child;
        }
        heap[i] = id;
        pos[id] = i;
    }
}
