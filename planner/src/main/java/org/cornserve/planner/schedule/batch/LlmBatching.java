package org.cornserve.planner.schedule.batch;

/**
 * Continuous-batching settings of an LLM (or talker) replica, after vLLM's scheduler.
 *
 * @param maxNumBatchedTokens token budget of one iteration: one per decoding sequence plus prefill tokens
 * @param maxNumSeqs running sequences at most
 * @param chunkedPrefill whether a prompt may be split across iterations to fill the budget; without it a
 *     prompt is prefilled whole in one iteration (alone if it exceeds the budget)
 * @param preemption what happens when the KV cache is full
 * @param kvCapacityTokens KV-cache capacity of the replica in tokens (device memory left after weights,
 *     times the cache fraction, divided by KV bytes per token)
 * @param maxRunIterations the most decode iterations one step may advance (the decode fast path); 1 steps
 *     every iteration, {@code Long.MAX_VALUE} runs until the next batch change
 * @param blockSize tokens per KV block (vLLM {@code block_size}); the cache is counted in blocks of this size
 *     when prefix caching is on, in tokens otherwise
 * @param prefixCaching vLLM's automatic prefix caching: full blocks are hashed and kept cached after their
 *     sequence frees them, until evicted (least recently freed first); prefill skips cached blocks
 */
public record LlmBatching(int maxNumBatchedTokens, int maxNumSeqs, boolean chunkedPrefill, Preemption preemption,
        long kvCapacityTokens, long maxRunIterations, int blockSize, boolean prefixCaching) {

    /** vLLM's default {@code block_size}. */
    public static final int DEFAULT_BLOCK_SIZE = 16;

    /** Settings without prefix caching (blocks of {@value #DEFAULT_BLOCK_SIZE}, unused). */
    public LlmBatching(int maxNumBatchedTokens, int maxNumSeqs, boolean chunkedPrefill, Preemption preemption,
            long kvCapacityTokens, long maxRunIterations) {
        this(maxNumBatchedTokens, maxNumSeqs, chunkedPrefill, preemption, kvCapacityTokens, maxRunIterations,
                DEFAULT_BLOCK_SIZE, false);
    }

    public LlmBatching {
        if (maxNumBatchedTokens < 1 || maxNumSeqs < 1) {
            throw new IllegalArgumentException("LLM batching needs max_num_batched_tokens >= 1 and max_num_seqs >= 1: "
                    + maxNumBatchedTokens + ", " + maxNumSeqs);
        }
        if (maxNumBatchedTokens < maxNumSeqs) {
            throw new IllegalArgumentException("max_num_batched_tokens (" + maxNumBatchedTokens
                    + ") must be at least max_num_seqs (" + maxNumSeqs + "): every running sequence decodes one token");
        }
        if (preemption == null) {
            throw new IllegalArgumentException("LLM batching needs a preemption mode");
        }
        if (kvCapacityTokens < 1) {
            throw new IllegalArgumentException("KV cache capacity must be at least one token, got " + kvCapacityTokens
                    + " (the model's weights may not leave room for a cache on this replica)");
        }
        if (maxRunIterations < 1) {
            throw new IllegalArgumentException("max run iterations must be >= 1, got " + maxRunIterations);
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("KV block size must be >= 1 token, got " + blockSize);
        }
        if (prefixCaching && kvCapacityTokens < blockSize) {
            throw new IllegalArgumentException("KV cache of " + kvCapacityTokens + " tokens holds no block of "
                    + blockSize + " tokens");
        }
    }

    /** KV blocks of the replica: {@code kvCapacityTokens / blockSize}. */
    public long kvCapacityBlocks() {
        return kvCapacityTokens / blockSize;
    }

    /** The same settings with prefix caching on or off, in blocks of {@code blockTokens}. */
    public LlmBatching withPrefixCaching(boolean on, int blockTokens) {
        return new LlmBatching(maxNumBatchedTokens, maxNumSeqs, chunkedPrefill, preemption, kvCapacityTokens,
                maxRunIterations, blockTokens, on);
    }

    /** The same settings with another fast-path bound (1 = step every iteration). */
    public LlmBatching withMaxRunIterations(long iterations) {
        return new LlmBatching(maxNumBatchedTokens, maxNumSeqs, chunkedPrefill, preemption, kvCapacityTokens, iterations,
                blockSize, prefixCaching);
    }
}
