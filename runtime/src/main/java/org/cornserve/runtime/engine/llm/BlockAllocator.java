package org.cornserve.runtime.engine.llm;

/** A free list of KV cache block ids 0..capacity-1 (LIFO so recently freed, cache-warm blocks come back first). */
public final class BlockAllocator {
    private final int capacity;
    private final int[] free;
    private int freeCount;

    /** An allocator over {@code capacity} blocks, all free. */
    public BlockAllocator(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0");
        }
        this.capacity = capacity;
        this.free = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            free[i] = capacity - 1 - i;
        }
        this.freeCount = capacity;
    }

    /** Total blocks. */
    public int capacity() {
        return capacity;
    }

    /** Blocks free now. */
    public int free() {
        return freeCount;
    }

    /** Takes a free block; the caller has checked {@link #free()}. */
    public int allocate() {
        if (freeCount == 0) {
            throw new IllegalStateException("no free KV block");
        }
        return free[--freeCount];
    }

    /** Returns a block. */
    public void release(int block) {
        if (block < 0 || block >= capacity || freeCount == capacity) {
            throw new IllegalArgumentException("bad block release " + block);
        }
        free[freeCount++] = block;
    }
}
