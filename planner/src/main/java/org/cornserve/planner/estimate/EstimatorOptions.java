package org.cornserve.planner.estimate;

/**
 * Engine limits and constants the analytic estimate assumes (the same defaults the plan writer puts in
 * each deployment's batching settings).
 *
 * @param maxBatchItems largest encoder or output-decoder batch, in items
 * @param maxBatchTokens largest encoder batch, in tokens (a single larger item still runs alone)
 * @param maxNumSeqs most sequences an LLM engine runs at once
 * @param maxBatchedTokens token budget of one LLM iteration (chunked prefill)
 * @param maxDiffusionJobs most diffusion jobs stepped together
 * @param memoryFraction fraction of device memory the engine may use (weights, activations, KV cache)
 * @param kvTransferBytesPerSecond bandwidth of the KV-cache hand-off from a prefill to a decode replica
 * @param streamChunkTokens thinker tokens per chunk of hidden states streamed to an Omni model's talker (the plan's
 *     {@code stream_chunk_tokens}, default {@value org.cornserve.model.plan.DeploymentPlan#DEFAULT_STREAM_CHUNK_TOKENS}
 *     as a written plan gets), 0 for the whole hand-off
 */
public record EstimatorOptions(int maxBatchItems, long maxBatchTokens, int maxNumSeqs, long maxBatchedTokens,
        int maxDiffusionJobs, double memoryFraction, double kvTransferBytesPerSecond, int streamChunkTokens) {

    public static final EstimatorOptions DEFAULT = new EstimatorOptions(32, 16384, 256, 8192, 8, 0.9, 5e10);

    /** With the plan's default streamed hand-off. */
    public EstimatorOptions(int maxBatchItems, long maxBatchTokens, int maxNumSeqs, long maxBatchedTokens,
            int maxDiffusionJobs, double memoryFraction, double kvTransferBytesPerSecond) {
        this(maxBatchItems, maxBatchTokens, maxNumSeqs, maxBatchedTokens, maxDiffusionJobs, memoryFraction,
                kvTransferBytesPerSecond, org.cornserve.model.plan.DeploymentPlan.DEFAULT_STREAM_CHUNK_TOKENS);
    }

    /** The same limits, with {@code tokens} per streamed chunk (0: the whole hand-off). */
    public EstimatorOptions withStreamChunkTokens(int tokens) {
        return new EstimatorOptions(maxBatchItems, maxBatchTokens, maxNumSeqs, maxBatchedTokens, maxDiffusionJobs,
                memoryFraction, kvTransferBytesPerSecond, tokens);
    }

    public EstimatorOptions {
        if (maxBatchItems < 1 || maxBatchTokens < 1 || maxNumSeqs < 1 || maxBatchedTokens < 1 || maxDiffusionJobs < 1) {
            throw new IllegalArgumentException("estimator batch limits must be >= 1");
        }
        if (!(memoryFraction > 0 && memoryFraction <= 1) || !(kvTransferBytesPerSecond > 0)) {
            throw new IllegalArgumentException("memory fraction must be in (0, 1] and KV transfer bandwidth > 0");
        }
        if (streamChunkTokens < 0) {
            throw new IllegalArgumentException("stream chunk must be >= 0 tokens, got " + streamChunkTokens);
        }
    }
}
