package org.cornserve.planner.schedule.batch;

import java.util.Arrays;

/** Hands out small int slot ids and recycles them, so batchers keep per-invocation state in arrays. */
final class SlotPool {
    private int[] free = new int[16];
    private int freeCount;
    private int next;

    int acquire() {
        return freeCount > 0 ? free[--freeCount] : next++;
    }

    void release(int slot) {
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, freeCount * 2);
        }
        free[freeCount++] = slot;
    }

    /** One more than the largest slot ever handed out: the size arrays indexed by slot need. */
    int capacityNeeded() {
        return next;
    }
}
