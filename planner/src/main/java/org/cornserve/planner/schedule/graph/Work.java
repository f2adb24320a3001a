package org.cornserve.planner.schedule.graph;

import org.cornserve.model.Modality;

/**
 * How much work one unit-task invocation brings, as a live server knows it when the request arrives. Each task
 * kind reads the fields it needs:
 * <ul>
 *   <li>single-pass batch tasks (encoders, vocoders, VAE decoders): {@code items} and {@code tokens}
 *       (patches, frames, codes), batched with others of the same {@code modality};</li>
 *   <li>LLMs and talkers: {@code tokens} prompt tokens to prefill (for a decode-only task, the context whose
 *       KV cache arrives from the prefill deployment), and {@code maxTokens}, the client's {@code max_tokens}
 *       cap on tokens generated in all (a prefill-only task generates the first one, so its cap is 1). How many
 *       tokens a sequence really generates is not known here: it ends by a fact the engine reports
 *       (end-of-sequence, a stop string) or at its cap. A policy may use {@code predictedOutputTokens}, a
 *       length <em>prediction</em> (from a length predictor, or none);</li>
 *   <li>diffusion generators: {@code tokens} latent tokens of the job and {@code steps} denoising steps.</li>
 * </ul>
 *
 * @param modality what the input is, for same-modality batching (text for LLMs and generators)
 * @param items items (images, clips, jobs), at least 1
 * @param tokens tokens as described above
 * @param maxTokens the cap on tokens generated in all (LLMs; {@link #UNCAPPED} for none), else 0
 * @param predictedOutputTokens a predicted output length (LLMs), or {@link #NO_PREDICTION}
 * @param steps denoising steps (generators), else 0
 * @param promptBlocks what is known of the prompt's content for prefix caching (LLMs; {@link PromptBlocks#NONE}
 *     when nothing is); never part of routing weight or admission
 */
public record Work(Modality modality, int items, long tokens, long maxTokens, long predictedOutputTokens, int steps,
        PromptBlocks promptBlocks) {

    /** {@code maxTokens} of a request that sets no cap: the sequence runs until it ends or fills its KV room. */
    public static final long UNCAPPED = Long.MAX_VALUE;

    /** {@code predictedOutputTokens} when nothing predicts the length. */
    public static final long NO_PREDICTION = -1;

    public Work {
        if (modality == null) {
            throw new IllegalArgumentException("work needs a modality");
        }
        if (items < 1 || tokens < 0 || maxTokens < 0 || steps < 0 || predictedOutputTokens < NO_PREDICTION) {
            throw new IllegalArgumentException("work measures must be items >= 1, predicted_output_tokens >= 0 or"
                    + " none, and the rest >= 0: items=" + items + " tokens=" + tokens + " max_tokens=" + maxTokens
                    + " predicted_output_tokens=" + predictedOutputTokens + " steps=" + steps);
        }
        promptBlocks = promptBlocks == null ? PromptBlocks.NONE : promptBlocks;
    }

    /** Work without prompt content. */
    public Work(Modality modality, int items, long tokens, long maxTokens, long predictedOutputTokens, int steps) {
        this(modality, items, tokens, maxTokens, predictedOutputTokens, steps, PromptBlocks.NONE);
    }

    /** The same work with the prompt's content known (prefix caching). */
    public Work withPromptBlocks(PromptBlocks blocks) {
        return new Work(modality, items, tokens, maxTokens, predictedOutputTokens, steps, blocks);
    }

    /** An encoder or other single-pass invocation of {@code items} items and {@code tokens} tokens. */
    public static Work batch(Modality modality, int items, long tokens) {
        return new Work(modality, items, tokens, 0, NO_PREDICTION, 0);
    }

    /** An LLM invocation: prefill {@code promptTokens}, then generate at most {@code maxTokens} in all. */
    public static Work llm(long promptTokens, long maxTokens) {
        return new Work(Modality.TEXT, 1, promptTokens, maxTokens, NO_PREDICTION, 0);
    }

    /** An LLM invocation with a length prediction (a guess a policy may use, never the truth). */
    public static Work llm(long promptTokens, long maxTokens, long predictedOutputTokens) {
        return new Work(Modality.TEXT, 1, promptTokens, maxTokens, predictedOutputTokens, 0);
    }

    /** A diffusion job of {@code latentTokens} latent tokens denoised in {@code steps} steps. */
    public static Work diffusion(long latentTokens, int steps) {
        return new Work(Modality.IMAGE, 1, latentTokens, 0, NO_PREDICTION, steps);
    }

    /** Whether a length prediction is present. */
    public boolean hasPrediction() {
        return predictedOutputTokens != NO_PREDICTION;
    }

    /**
     * A scalar size used by load-aware routers, from what is known at arrival: tokens to process, plus the
     * predicted output when there is a prediction, plus steps x latent tokens. Never the true output length.
     */
    public long routingWeight() {
        return Math.max(1, tokens + (hasPrediction() ? predictedOutputTokens : 0) + (long) steps * tokens);
    }
}
