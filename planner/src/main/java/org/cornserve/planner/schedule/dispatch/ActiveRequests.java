package org.cornserve.planner.schedule.dispatch;

import java.util.ArrayList;
import java.util.List;

/**
 * The requests in flight by id, iterated in the order they were added (as a {@code LinkedHashMap<Long,
 * ActiveRequest>} would, without boxing an id or allocating an entry per request): an open-addressing table of
 * linear probes with backward-shift deletion, and the arrival order as a list threaded through the requests
 * themselves. A request is in at most one such map.
 *
 * <p>Costs: {@link #get}, {@link #put} and {@link #remove} O(1) expected; {@link #inOrder} O(size).
 */
public final class ActiveRequests {
    private long[] ids = new long[64];
    private ActiveRequest[] slots = new ActiveRequest[64];
    private int size;
    private ActiveRequest first;
    private ActiveRequest last;

    public int size() {
        return size;
    }

    /** The request with this id, or null. */
    public ActiveRequest get(long requestId) {
        int mask = slots.length - 1;
        for (int i = slot(requestId, mask); slots[i] != null; i = (i + 1) & mask) {
            if (ids[i] == requestId) {
                return slots[i];
            }
        }
        return null;
    }

    public boolean containsKey(long requestId) {
        return get(requestId) != null;
    }

    /**
     * Adds {@code request} under its id, last in order.
     *
     * @throws IllegalArgumentException when a request with that id is in already, or the request is in a map
     */
    public void put(ActiveRequest request) {
        if (request.previousActive != null || request.nextActive != null || first == request) {
            throw new IllegalArgumentException("request " + request.requestId() + " is in a map already");
        }
        if (2 * (size + 1) > slots.length) {
            grow();
        }
        long id = request.requestId();
        int mask = slots.length - 1;
        int i = slot(id, mask);
        for (; slots[i] != null; i = (i + 1) & mask) {
            if (ids[i] == id) {
                throw new IllegalArgumentException("request " + id + " is in flight already");
            }
        }
        ids[i] = id;
        slots[i] = request;
        size++;
        if (last == null) {
            first = request;
        } else {
            last.nextActive = request;
            request.previousActive = last;
        }
        last = request;
    }

    /** Removes the request with this id; returns it, or null when none is in. */
    public ActiveRequest remove(long requestId) {
        int mask = slots.length - 1;
        int i = slot(requestId, mask);
        while (slots[i] != null && ids[i] != requestId) {
            i = (i + 1) & mask;
        }
        ActiveRequest removed = slots[i];
        if (removed == null) {
            return null;
        }
        // backward-shift deletion: move later members of the probe run into the hole when their home allows
        int hole = i;
        for (int j = (hole + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int home = slot(ids[j], mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                ids[hole] = ids[j];
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = null;
        size--;
        ActiveRequest before = removed.previousActive;
        ActiveRequest after = removed.nextActive;
        if (before == null) {
            first = after;
        } else {
            before.nextActive = after;
        }
        if (after == null) {
            last = before;
        } else {
            after.previousActive = before;
        }
        removed.previousActive = null;
        removed.nextActive = null;
        return removed;
    }

    /** The requests in the order they were added (a copy: the map may change while the caller walks it). */
    public List<ActiveRequest> inOrder() {
        List<ActiveRequest> out = new ArrayList<>(size);
        for (ActiveRequest r = first; r != null; r = r.nextActive) {
            out.add(r);
        }
        return out;
    }

    private void grow() {
        long[] oldIds = ids;
        ActiveRequest[] oldSlots = slots;
        ids = new long[oldSlots.length * 2];
        slots = new ActiveRequest[oldSlots.length * 2];
        int mask = slots.length - 1;
        for (int k = 0; k < oldSlots.length; k++) {
            if (oldSlots[k] != null) {
                int i = slot(oldIds[k], mask);
                while (slots[i] != null) {
                    i = (i + 1) & mask;
                }
                ids[i] = oldIds[k];
                slots[i] = oldSlots[k];
            }
        }
    }

    private static int slot(long id, int mask) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
