package org.cornserve.model.plan;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A deployment's batching settings as written in a plan; every field is optional (null = default).
 * Encoder-style tasks (encoders, generators, vocoders, VAE decoders, text encoders) use the first three;
 * autoregressive tasks (LLMs, talkers) use the rest, named and meant as vLLM's engine arguments where vLLM has
 * one. {@link #encoder()} and {@link #llm()} give the settings with defaults filled in.
 *
 * <p>KV-cache capacity, in vLLM's terms: the cache is counted in blocks of {@code block_size} tokens, and the
 * scheduling core is handed {@code blocks x block_size} tokens. The blocks come from, in order of precedence:
 * <ol>
 *   <li>{@code num_gpu_blocks}: an explicit count, as vLLM's {@code --num-gpu-blocks-override};</li>
 *   <li>{@code gpu_memory_utilization}: as vLLM, {@code total memory x utilization - weights - peak activation}
 *       bytes are the cache ({@link KvCacheMemory});</li>
 *   <li>{@code kv_cache_memory_fraction} (this project's older knob, kept for old plans):
 *       {@code total memory x fraction - weights}, activations not reserved. It is the default (0.9) when none
 *       of the three is given, so old plans keep their capacity up to the block rounding.</li>
 * </ol>
 * {@code enable_prefix_caching} turns on vLLM's automatic prefix caching in the scheduling core's LLM batcher
 * (the cache is then counted in blocks of {@code block_size}; see {@code LlmBatcher}).
 *
 * @param maxBatchItems most items in one encoder-style batch
 * @param maxBatchTokens most tokens in one encoder-style batch
 * @param maxWaitMs longest an item waits for its batch to fill
 * @param maxNumBatchedTokens token budget of one LLM engine iteration (vLLM {@code max_num_batched_tokens})
 * @param maxNumSeqs most sequences running at once (vLLM {@code max_num_seqs})
 * @param chunkedPrefill whether long prompts are prefilled in chunks alongside decodes
 * @param preemption what happens to an evicted sequence: {@code recompute}, {@code swap} or {@code none}
 * @param kvCacheMemoryFraction fraction of device memory for weights + KV cache, activations not reserved
 * @param blockSize tokens per KV-cache block (vLLM {@code block_size}, default 16)
 * @param gpuMemoryUtilization fraction of device memory the engine may use (vLLM {@code gpu_memory_utilization})
 * @param numGpuBlocks KV-cache blocks per replica, overriding the memory arithmetic (vLLM
 *     {@code --num-gpu-blocks-override})
 * @param enablePrefixCaching vLLM's automatic prefix caching
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
        @JsonProperty("kv_cache_memory_fraction") Double kvCacheMemoryFraction,
        @JsonProperty("block_size") Integer blockSize,
        @JsonProperty("gpu_memory_utilization") Double gpuMemoryUtilization,
        @JsonProperty("num_gpu_blocks") Long numGpuBlocks,
        @JsonProperty("enable_prefix_caching") Boolean enablePrefixCaching) {

    /** Everything default. */
    public static final Batching DEFAULTS = new Batching(null, null, null, null, null, null, null, null);

    /** Block sizes vLLM accepts ({@code CacheConfig.block_size}). */
    public static final List<Integer> BLOCK_SIZES = List.of(1, 8, 16, 32, 64, 128);

    @JsonCreator
    public Batching {
        positive("max_batch_items", maxBatchItems);
        positive("max_batch_tokens", maxBatchTokens);
        if (maxWaitMs != null && (!(maxWaitMs >= 0) || maxWaitMs.isInfinite())) {
            throw new IllegalArgumentException("batching max_wait_ms must be >= 0, got " + maxWaitMs);
        }
        positive("max_num_batched_tokens", maxNumBatchedTokens);
        positive("max_num_seqs", maxNumSeqs);
        fraction("kv_cache_memory_fraction", kvCacheMemoryFraction);
        fraction("gpu_memory_utilization", gpuMemoryUtilization);
        if (kvCacheMemoryFraction != null && gpuMemoryUtilization != null) {
            throw new IllegalArgumentException("batching sets both kv_cache_memory_fraction and gpu_memory_utilization;"
                    + " give one (gpu_memory_utilization reserves activations as vLLM does, the fraction does not)");
        }
        if (blockSize != null && !BLOCK_SIZES.contains(blockSize)) {
            throw new IllegalArgumentException("batching block_size must be one of vLLM's " + BLOCK_SIZES + ", got " + blockSize);
        }
        positive("num_gpu_blocks", numGpuBlocks);
    }

    /** The settings without vLLM's memory knobs (the layout before they were added). */
    public Batching(Integer maxBatchItems, Long maxBatchTokens, Double maxWaitMs, Integer maxNumBatchedTokens,
            Integer maxNumSeqs, Boolean chunkedPrefill, Preemption preemption, Double kvCacheMemoryFraction) {
        this(maxBatchItems, maxBatchTokens, maxWaitMs, maxNumBatchedTokens, maxNumSeqs, chunkedPrefill, preemption,
                kvCacheMemoryFraction, null, null, null, null);
    }

    private static void positive(String field, Number v) {
        if (v != null && v.longValue() < 1) {
            throw new IllegalArgumentException("batching " + field + " must be >= 1, got " + v);
        }
    }

    private static void fraction(String field, Double v) {
        if (v != null && !(v > 0 && v <= 1)) {
            throw new IllegalArgumentException("batching " + field + " must be in (0, 1], got " + v);
        }
    }

    /** True when any encoder-style field is set. */
    public boolean hasEncoderFields() {
        return maxBatchItems != null || maxBatchTokens != null || maxWaitMs != null;
    }

    /** True when any LLM field is set. */
    public boolean hasLlmFields() {
        return maxNumBatchedTokens != null || maxNumSeqs != null || chunkedPrefill != null || preemption != null
                || kvCacheMemoryFraction != null || blockSize != null || gpuMemoryUtilization != null
                || numGpuBlocks != null || enablePrefixCaching != null;
    }

    /** Encoder-style settings with defaults: 32 items, 16384 tokens, 5 ms wait. */
    public EncoderBatching encoder() {
        return new EncoderBatching(maxBatchItems != null ? maxBatchItems : EncoderBatching.DEFAULT_MAX_ITEMS,
                maxBatchTokens != null ? maxBatchTokens : EncoderBatching.DEFAULT_MAX_TOKENS,
                maxWaitMs != null ? maxWaitMs : EncoderBatching.DEFAULT_MAX_WAIT_MS);
    }

    /**
     * LLM settings with vLLM-like defaults: 8192 batched tokens, 256 sequences, chunked prefill on, recompute
     * preemption, blocks of 16 tokens, prefix caching off, and 0.9 of device memory for weights and cache
     * ({@code kv_cache_memory_fraction}) unless {@code gpu_memory_utilization} is given.
     */
    public LlmBatching llm() {
        MemoryRule rule = gpuMemoryUtilization != null ? MemoryRule.GPU_MEMORY_UTILIZATION : MemoryRule.KV_CACHE_MEMORY_FRACTION;
        double fraction = gpuMemoryUtilization != null ? gpuMemoryUtilization
                : kvCacheMemoryFraction != null ? kvCacheMemoryFraction : LlmBatching.DEFAULT_MEMORY_FRACTION;
        return new LlmBatching(maxNumBatchedTokens != null ? maxNumBatchedTokens : LlmBatching.DEFAULT_MAX_BATCHED_TOKENS,
                maxNumSeqs != null ? maxNumSeqs : LlmBatching.DEFAULT_MAX_SEQS,
                chunkedPrefill != null ? chunkedPrefill : true,
                preemption != null ? preemption : Preemption.RECOMPUTE,
                fraction, rule, blockSize != null ? blockSize : LlmBatching.DEFAULT_BLOCK_SIZE, numGpuBlocks,
                enablePrefixCaching != null && enablePrefixCaching);
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

    /** How the memory fraction of {@link LlmBatching} turns into KV-cache bytes. */
    public enum MemoryRule {
        /** {@code memory x fraction - weights} (this project's {@code kv_cache_memory_fraction}). */
        KV_CACHE_MEMORY_FRACTION,
        /** {@code memory x utilization - weights - peak activation} (vLLM's {@code gpu_memory_utilization}). */
        GPU_MEMORY_UTILIZATION
    }

    /**
     * LLM batching with every value set.
     *
     * @param maxNumBatchedTokens token budget per iteration
     * @param maxNumSeqs most running sequences
     * @param chunkedPrefill chunked prefill on or off
     * @param preemption eviction policy
     * @param memoryFraction fraction of device memory, read by {@code memoryRule}
     * @param memoryRule how the fraction becomes KV-cache bytes
     * @param blockSize tokens per KV-cache block
     * @param numGpuBlocks explicit KV-cache blocks per replica, null to derive them from memory
     * @param enablePrefixCaching vLLM's automatic prefix caching
     */
    public record LlmBatching(int maxNumBatchedTokens, int maxNumSeqs, boolean chunkedPrefill, Preemption preemption,
            double memoryFraction, MemoryRule memoryRule, int blockSize, Long numGpuBlocks, boolean enablePrefixCaching) {
        public static final int DEFAULT_MAX_BATCHED_TOKENS = 8192;
        public static final int DEFAULT_MAX_SEQS = 256;
        public static final double DEFAULT_MEMORY_FRACTION = 0.9;
        public static final int DEFAULT_BLOCK_SIZE = 16;

        /** The settings as they were before vLLM's memory knobs: the fraction rule, blocks of 16, no override. */
        public LlmBatching(int maxNumBatchedTokens, int maxNumSeqs, boolean chunkedPrefill, Preemption preemption,
                double memoryFraction) {
            this(maxNumBatchedTokens, maxNumSeqs, chunkedPrefill, preemption, memoryFraction,
                    MemoryRule.KV_CACHE_MEMORY_FRACTION, DEFAULT_BLOCK_SIZE, null, false);
        }
    }
}
