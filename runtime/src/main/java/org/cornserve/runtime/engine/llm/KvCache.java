package org.cornserve.runtime.engine.llm;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A paged key/value cache: {@code numBlocks} blocks of {@code blockSize} token slots per layer, handed
 * to sequences by a {@link BlockAllocator}. A sequence's block table maps its positions to slots;
 * memory is sized once from the model config, as on a GPU.
 */
public final class KvCache {
    private final int layers;
    private final int kvDim;
    private final int blockSize;
    private final BlockAllocator allocator;
    private final float[][] keys;
    private final float[][] values;
    private final Map<Long, SeqTable> tables = new HashMap<>();

    private static final class SeqTable {
        int[] blocks = new int[4];
        int blockCount;
        int length;
    }

    /** A cache for {@code config} with {@code numBlocks} blocks of {@code blockSize} tokens. */
    public KvCache(LlmConfig config, int numBlocks, int blockSize) {
        if (blockSize <= 0 || numBlocks < 0) {
            throw new IllegalArgumentException("KV cache needs blockSize > 0 and numBlocks >= 0");
        }
        this.layers = config.layers();
        this.kvDim = config.kvDim();
        this.blockSize = blockSize;
        this.allocator = new BlockAllocator(numBlocks);
        long perLayer = (long) numBlocks * blockSize * kvDim;
        if (perLayer > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("KV cache of " + numBlocks + " blocks exceeds one array per layer");
        }
        this.keys = new float[layers][(int) perLayer];
        this.values = new float[layers][(int) perLayer];
    }

    /** A cache sized to use at most {@code bytes} of memory. */
    public static KvCache forBudget(LlmConfig config, long bytes, int blockSize) {
        long perBlock = config.kvBytesPerToken() * blockSize;
        return new KvCache(config, (int) Math.max(0, Math.min(Integer.MAX_VALUE, bytes / perBlock)), blockSize);
    }

    /** Tokens per block. */
    public int blockSize() {
        return blockSize;
    }

    /** Total blocks. */
    public int capacityBlocks() {
        return allocator.capacity();
    }

    /** Total token slots. */
    public int capacityTokens() {
        return allocator.capacity() * blockSize;
    }

    /** Free blocks. */
    public int freeBlocks() {
        return allocator.free();
    }

    /** Bytes held by keys and values. */
    public long bytes() {
        return 2L * 4 * layers * keys[0].length;
    }

    /** Tokens cached for a sequence (0 if unknown). */
    public int length(long seqId) {
        SeqTable t = tables.get(seqId);
        return t == null ? 0 : t.length;
    }

    /** Blocks needed to grow sequence {@code seqId} to {@code newLength} tokens. */
    public int blocksNeeded(long seqId, int newLength) {
        SeqTable t = tables.get(seqId);
        int have = t == null ? 0 : t.blockCount;
        return Math.max(0, ceilDiv(newLength, blockSize) - have);
    }

    /** Blocks needed by a sequence of {@code tokens} tokens from scratch. */
    public int blocksFor(int tokens) {
        return ceilDiv(tokens, blockSize);
    }

    /**
     * Grows sequence {@code seqId} to hold {@code newLength} tokens, allocating blocks.
     *
     * @throws KvCacheFullException when not enough blocks are free (nothing is allocated then)
     */
    public void reserve(long seqId, int newLength) {
        int need = blocksNeeded(seqId, newLength);
        if (need > allocator.free()) {
            throw new KvCacheFullException(need, allocator.free(), blockSize);
        }
        SeqTable t = tables.computeIfAbsent(seqId, id -> new SeqTable());
        for (int i = 0; i < need; i++) {
            if (t.blockCount == t.blocks.length) {
                t.blocks = Arrays.copyOf(t.blocks, t.blocks.length * 2);
            }
            t.blocks[t.blockCount++] = allocator.allocate();
        }
        t.length = Math.max(t.length, newLength);
    }

    /** Frees all blocks of a sequence. */
    public void free(long seqId) {
        SeqTable t = tables.remove(seqId);
        if (t != null) {
            for (int i = 0; i < t.blockCount; i++) {
                allocator.release(t.blocks[i]);
            }
        }
    }

    /**
     * Floats {@link #exportSequence} writes for {@code length} positions: every layer's keys and values, {@code 2 x
     * layers x length x kvDim}.
     */
    public int transferFloats(int length) {
        return Math.multiplyExact(Math.multiplyExact(2 * layers, length), kvDim);
    }

    /**
     * Copies the keys and values of positions {@code [0, length)} of sequence {@code seqId} into {@code out} from
     * {@code offset}, in an order that does not depend on the block layout (per layer: the keys of every position,
     * then the values), for another cache's {@link #importSequence}: the hand-off of a prefill executor's KV cache
     * to a decode executor. O(layers x length x kvDim).
     *
     * @throws IllegalArgumentException when the sequence holds fewer positions or {@code out} is too short
     */
    public void exportSequence(long seqId, int length, float[] out, int offset) {
        if (length < 0 || length > length(seqId)) {
            throw new IllegalArgumentException("sequence " + seqId + " holds " + length(seqId) + " positions; cannot"
                    + " export " + length);
        }
        checkRoom(out.length, offset, length);
        copy(seqId, length, out, offset, true);
    }

    /**
     * Makes sequence {@code seqId}, which holds nothing here, hold {@code length} positions read from {@code in} at
     * {@code offset} as {@link #exportSequence} wrote them (its blocks are this cache's own).
     *
     * @throws KvCacheFullException when not enough blocks are free (nothing is allocated then)
     * @throws IllegalArgumentException when the sequence already holds positions or {@code in} is too short
     */
    public void importSequence(long seqId, int length, float[] in, int offset) {
        if (tables.containsKey(seqId)) {
            throw new IllegalArgumentException("sequence " + seqId + " already holds " + length(seqId)
                    + " positions; a KV cache is imported into an empty sequence");
        }
        checkRoom(in.length, offset, length);
        reserve(seqId, length);
        copy(seqId, length, in, offset, false);
    }

    private void checkRoom(int arrayLength, int offset, int length) {
        long need = 2L * layers * length * kvDim;
        if (offset < 0 || arrayLength - (long) offset < need) {
            throw new IllegalArgumentException("a KV transfer of " + length + " positions needs " + need
                    + " floats from offset " + offset + ", the array has " + arrayLength);
        }
    }

    /** Copies whole blocks' runs of positions between the cache and {@code flat}, in {@code exportSequence}'s order. */
    private void copy(long seqId, int length, float[] flat, int offset, boolean out) {
        SeqTable t = tables.get(seqId);
        int at = offset;
        for (int layer = 0; layer < layers; layer++) {
            for (float[] kv : new float[][] {keys[layer], values[layer]}) {
                for (int pos = 0; pos < length; pos += blockSize) {
                    int run = Math.min(blockSize, length - pos) * kvDim;
                    int slot = t.blocks[pos / blockSize] * blockSize * kvDim;
                    if (out) {
                        System.arraycopy(kv, slot, flat, at, run);
                    } else {
                        System.arraycopy(flat, at, kv, slot, run);
                    }
                    at += run;
                }
            }
        }
    }

    /** Index of position {@code pos} of a sequence in a layer's key/value array. */
    int slot(long seqId, int pos) {
        SeqTable t = tables.get(seqId);
        if (t == null || pos >= t.blockCount * blockSize) {
            throw new IllegalStateException("sequence " + seqId + " has no KV slot for position " + pos);
        }
        return (t.blocks[pos / blockSize] * blockSize + pos % blockSize) * kvDim;
    }

    /** Slot indexes of positions 0..length-1, for one pass of attention. */
    int[] slots(long seqId, int length) {
        int[] out = new int[length];
        for (int p = 0; p < length; p++) {
            out[p] = slot(seqId, p);
        }
        return out;
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
