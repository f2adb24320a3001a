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
 */
public record EstimatorOptions(int maxBatchItems, long maxBatchTokens, int maxNumSeqs, long maxBatchedTokens,
        int maxDiffusionJobs, double memoryFraction, double kvTransferBytesPerSecond) {

    public static final EstimatorOptions DEFAULT = new EstimatorOptions(32, 16384, 256, 8192, 8, 0.9, 5e10);

    public EstimatorOptions {
        if (maxBatchItems < 1 || maxBatchTokens < 1 || maxNumSeqs < 1 || maxBatchedTokens < 1 || maxDiffusionJobs < 1) {
            throw new IllegalArgumentException("estimator batch limits must be >= 1");
        }
        if (!(memoryFraction > 0 && memoryFraction <= 1) || !(kvTransferBytesPerSecond > 0)) {
            throw new IllegalArgumentException("memory fraction must be in (0, 1] and KV transfer bandwidth > 0");
        }
    }
}
