package org.cornserve.model.profile;

/**
 * Latency of one engine iteration of an autoregressive model (an LLM or a talker) on one replica, as a
 * continuous-batching engine runs it: some prefill tokens (chunks of prompts) and some decode tokens
 * (one per running sequence) in one forward pass. The latency includes the engine's per-iteration CPU
 * overhead (scheduling, sampling, launches).
 *
 * <p>Decode cost is taken to depend on the running sequences only through their count and the sum of
 * their context lengths (true of the roofline estimate, and of measured grids interpolated at the mean
 * context). Between two batch changes the decode contexts each grow by one per iteration, so a simulator
 * can advance many iterations in one step; {@link #decodeRunSeconds} does that, in closed form where the
 * cost is linear in context and by a tight loop otherwise.
 */
public interface LlmCost {
    /**
     * @param prefillTokens new prompt tokens computed in this iteration (across sequences)
     * @param prefillContextTokens sum over those tokens of the tokens each attends to (itself and earlier)
     * @param decodeSequences sequences generating one token each
     * @param decodeContextTokens sum of those sequences' context lengths (tokens already cached)
     * @return iteration latency in seconds, CPU overhead included
     */
    double iterationSeconds(long prefillTokens, long prefillContextTokens, int decodeSequences, long decodeContextTokens);

    /** Bytes of KV cache one token occupies on one replica (all layers, all devices together). */
    long kvBytesPerToken();

    /**
     * Seconds to copy the KV cache of {@code tokens} tokens between the replica's device memory and host memory in
     * one direction (swap preemption), each device copying its share over its own host link; 0 for a cost model
     * that knows no host link (measured profiles delegate to their roofline fallback).
     */
    default double hostCopySeconds(long tokens) {
        return 0;
    }

    /**
     * Total latency of {@code iterations} pure-decode iterations of {@code decodeSequences} sequences whose
     * context sum starts at {@code decodeContextTokens} and grows by {@code decodeSequences} each iteration.
     */
    default double decodeRunSeconds(int decodeSequences, long decodeContextTokens, long iterations) {
        double total = 0;
        long context = decodeContextTokens;
        for (long i = 0; i < iterations; i++) {
            total += iterationSeconds(0, 0, decodeSequences, context);
            context += decodeSequences;
        }
        return total;
    }
}
