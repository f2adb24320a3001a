package org.cornserve.model.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A deployment's batching settings as written in a plan; every field is optional (null = default).
 * Encoder-style tasks (encoders, generators, vocoders, VAE decoders, text encoders) use the first three;
 * autoregressive tasks (LLMs, talkers) use the rest. {@link #encoder()} and {@link #llm()} give the
 * settings with defaults filled in.
 *
 * @param maxBatchItems most items in one encoder-style batch
 * @param maxBatchTokens most tokens in one encoder-style batch
 * @param maxWaitMs longest an item waits for its batch to fill
 * @param maxNumBatchedTokens token budget of one LLM engine iteration
 * @param maxNumSeqs most sequences running at once
 * @param chunkedPrefill whether long prompts are prefilled in chunks alongside decodes
 * @param preemption what happens to an evicted sequence
 * @param kvCacheMemoryFraction fraction of device memory the engine may use for weights + KV cache
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Batching(
        @JsonProperty("max_batch_items") Integer maxBatchItems,
        @JsonProperty("max_batch_tokens") Long maxBatchTokens,
        @JsonProperty("max_wait_ms") Double maxWaitMs,
        @JsonProperty("max_num_batched_tokens") Integer maxNumBatchedTokens,
        @JsonProperty("max_num_seqs") Integer maxNumSeqs,
        @JsonProperty("chunked_prefill") Boolean chunkedPrefill,
        @JsonProperty("preemption") Preemption preemption,
        @JsonProperty("kv_cache_memory_fraction") Double kvCacheMemoryFraction) {

    /** Everything default. */
    public static final Batching DEFAULTS = new Batching(null, null, null, null, null, null, null, null);

    public Batching {
        positive("max_batch_items", maxBatchItems);
        positive("max_batch_tokens", maxBatchTokens);
        if (maxWaitMs != null && (!(maxWaitMs >= 0) || maxWaitMs.isInfinite())) {
            throw new IllegalArgumentException("batching max_wait_ms must be >= 0, got " + maxWaitMs);
        }
        positive("max_num_batched_tokens", maxNumBatchedTokens);
        positive("max_num_seqs", maxNumSeqs);
        if (kvCacheMemoryFraction != null && !(kvCacheMemoryFraction > 0 && kvCacheMemoryFraction <= 1)) {
            throw new IllegalArgumentException("batching kv_cache_memory_fraction must be in (0, 1], got " + kvCacheMemoryFraction);
        }
    }

    private static void positive(String field, Number v) {
        if (v != null && v.longValue() < 1) {
            throw new IllegalArgumentException("batching " + field + " must be >= 1, got " + v);
        }
    }

    /** True when any encoder-style field is set. */
    public boolean hasEncoderFields() {
        return maxBatchItems != null || maxBatchTokens != null || maxWaitMs != null;
    }

    /** True when any LLM field is set. */
    public boolean hasLlmFields() {
        return maxNumBatchedTokens != null || maxNumSeqs != null || chunkedPrefill != null || preemption != null
                || kvCacheMemoryFraction != null;
    }

    /** Encoder-style settings with defaults: 32 items, 16384 tokens, 5 ms wait. */
    public EncoderBatching encoder() {
        return new EncoderBatching(maxBatchItems != null ? maxBatchItems : EncoderBatching.DEFAULT_MAX_ITEMS,
                maxBatchTokens != null ? maxBatchTokens : EncoderBatching.DEFAULT_MAX_TOKENS,
                maxWaitMs != null ? maxWaitMs : EncoderBatching.DEFAULT_MAX_WAIT_MS);
    }

    /**
     * LLM settings with vLLM-like defaults: 8192 batched tokens, 256 sequences, chunked prefill on,
     * recompute preemption, 0.9 of device memory.
     */
    public LlmBatching llm() {
        return new LlmBatching(maxNumBatchedTokens != null ? maxNumBatchedTokens : LlmBatching.DEFAULT_MAX_BATCHED_TOKENS,
                maxNumSeqs != null ? maxNumSeqs : LlmBatching.DEFAULT_MAX_SEQS,
                chunkedPrefill != null ? chunkedPrefill : true,
                preemption != null ? preemption : Preemption.RECOMPUTE,
                kvCacheMemoryFraction != null ? kvCacheMemoryFraction : LlmBatching.DEFAULT_MEMORY_FRACTION);
    }

    /**
     * Encoder-style batching with every value set.
     *
     * @param maxItems most items per batch
     * @param maxTokens most tokens per batch
     * @param maxWaitMs longest wait for a batch to fill
     */
    public record EncoderBatching(int maxItems, long maxTokens, double maxWaitMs) {
        public static final int DEFAULT_MAX_ITEMS = 32;
        public static final long DEFAULT_MAX_TOKENS = 16384;
        public static final double DEFAULT_MAX_WAIT_MS = 5;
    }

    /**
     * LLM batching with every value set.
     *
     * @param maxNumBatchedTokens token budget per iteration
     * @param maxNumSeqs most running sequences
     * @param chunkedPrefill chunked prefill on or off
     * @param preemption eviction policy
     * @param memoryFraction fraction of device memory for weights + KV cache
     */
    public record LlmBatching(int maxNumBatchedTokens, int maxNumSeqs, boolean chunkedPrefill, Preemption preemption,
            double memoryFraction) {
        public static final int DEFAULT_MAX_BATCHED_TOKENS = 8192;
        public static final int DEFAULT_MAX_SEQS = 256;
        public static final double DEFAULT_MEMORY_FRACTION = 0.9;
    }
}
