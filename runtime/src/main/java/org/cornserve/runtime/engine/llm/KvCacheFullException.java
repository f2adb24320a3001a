package org.cornserve.runtime.engine.llm;

/** The KV cache has too few free blocks for a step; the scheduler may wait or preempt a sequence. */
public final class KvCacheFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int blocksNeeded;
    private final int blocksFree;

    /** A refusal that needed {@code blocksNeeded} blocks with {@code blocksFree} free. */
    public KvCacheFullException(int blocksNeeded, int blocksFree, int blockSize) {
        super("KV cache full: need " + blocksNeeded + " more blocks of " + blockSize + " tokens, " + blocksFree
                + " free");
        this.blocksNeeded = blocksNeeded;
        this.blocksFree = blocksFree;
    }

    /** Blocks the step needed. */
    public int blocksNeeded() {
        return blocksNeeded;
    }

    /** Blocks that were free. */
    public int blocksFree() {
        return blocksFree;
    }
}
