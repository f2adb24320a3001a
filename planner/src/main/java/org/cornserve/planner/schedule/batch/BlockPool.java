package org.cornserve.planner.schedule.batch;

/**
 * The KV blocks of one replica under automatic prefix caching, after vLLM's block pool: every block has a
 * reference count; a block with none is free and waits in one queue in the order it was freed (never-used blocks
 * first); a new block is taken from the head of that queue, and if it still held a cached prefix block, that
 * cache entry is evicted. A full block is registered under its chained hash; a later sequence with the same hash
 * takes it (a hit), pulling it out of the free queue if no one held it. Least recently freed, first evicted.
 *
 * <p>All operations O(1) (a primitive hash map and an intrusive doubly linked list over block ids).
 */
final class BlockPool {
    private static final long NO_HASH = 0;

    private final int blocks;
    private final int[] refs;
    private final long[] hash;
    private final int[] prev;
    private final int[] next;
    private final LongIntMap cached;
    private int head = -1;
    private int tail = -1;
    private int free;
    private long evictions;

    BlockPool(long blocks) {
        if (blocks < 1 || blocks > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("block pool needs 1 to 2^31-2 blocks, got " + blocks);
        }
        this.blocks = (int) blocks;
        // at most one hash per block: sized once, never grown (growing it was a twentieth of a prefix-cached replay)
        cached = new LongIntMap(this.blocks);
        refs = new int[this.blocks];
        hash = new long[this.blocks];
        prev = new int[this.blocks];
        next = new int[this.blocks];
        for (int b = 0; b < this.blocks; b++) {
            append(b);
        }
    }

    int blocks() {
        return blocks;
    }

    /** Blocks nobody holds (cached or not): what new allocations may take. */
    int freeBlocks() {
        return free;
    }

    /** Cached blocks evicted so far (taken for new use while holding a hash). */
    long evictions() {
        return evictions;
    }

    /** The block registered under {@code h}, or -1. */
    int lookup(long h) {
        return h == NO_HASH ? -1 : cached.get(h, -1);
    }

    /** The hash block {@code b} is registered under, or 0 (none). */
    long hashOf(int b) {
        return hash[b];
    }

    /** Whether block {@code b} is free (a hit on it takes one block out of the free queue). */
    boolean isFree(int b) {
        return refs[b] == 0;
    }

    /** Takes a free block from the queue head (evicting its cache entry, if any) and holds it. */
    int allocate() {
        if (head < 0) {
            throw new IllegalStateException("no free KV block");
        }
        int b = head;
        unlink(b);
        if (hash[b] != NO_HASH) {
            cached.remove(hash[b]);
            hash[b] = NO_HASH;
            evictions++;
        }
        refs[b] = 1;
        return b;
    }

    /** Holds a cached block once more (a hit). */
    void touch(int b) {
        if (refs[b]++ == 0) {
            unlink(b);
        }
    }

    /** Drops one hold of {@code b}; with none left it goes to the queue tail (still cached if registered). */
    void release(int b) {
        if (refs[b] <= 0) {
            throw new IllegalStateException("block " + b + " is not held");
        }
        if (--refs[b] == 0) {
            append(b);
        }
    }

    /** Registers held block {@code b} under hash {@code h}, unless {@code h} is cached already or {@code b} is. */
    void register(int b, long h) {
        if (h == NO_HASH || hash[b] != NO_HASH) {
            return;
        }
        if (cached.putIfAbsent(h, b)) {
            hash[b] = h;
        }
    }

    private void append(int b) {
        prev[b] = tail;
        next[b] = -1;
        if (tail >= 0) {
            next[tail] = b;
        } else {
            head = b;
        }
        tail = b;
        free++;
    }

    private void unlink(int b) {
        if (prev[b] >= 0) {
            next[prev[b]] = next[b];
        } else {
            head = next[b];
        }
        if (next[b] >= 0) {
            prev[next[b]] = prev[b];
        } else {
            tail = prev[b];
        }
        free--;
    }
}
