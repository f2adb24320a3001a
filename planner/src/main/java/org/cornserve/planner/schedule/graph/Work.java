package org.cornserve.planner.schedule.graph;

import org.cornserve.model.Modality;

/**
 * How much work one unit-task invocation brings. Each task kind reads the fields it needs:
 * <ul>
 *   <li>single-pass batch tasks (encoders, vocoders, VAE decoders): {@code items} and {@code tokens}
 *       (patches, frames, codes), batched with others of the same {@code modality};</li>
 *   <li>LLMs and talkers: {@code tokens} prompt tokens to prefill (for a decode-only task, the context whose
 *       KV cache arrives from the prefill deployment) and {@code outputTokens} tokens to generate in all
 *       (a prefill-only task generates the first one);</li>
 *   <li>diffusion generators: {@code tokens} latent tokens of the job and {@code steps} denoising steps.</li>
 * </ul>
 *
 * @param modality what the input is, for same-modality batching (text for LLMs and generators)
 * @param items items (images, clips, jobs), at least 1
 * @param tokens tokens as described above
 * @param outputTokens tokens to generate (LLMs), else 0
 * @param steps denoising steps (generators), else 0
 */
public record Work(Modality modality, int items, long tokens, long outputTokens, int steps) {

    public Work {
        if (modality == null) {
            throw new IllegalArgumentException("work needs a modality");
        }
        if (items < 1 || tokens < 0 || outputTokens < 0 || steps < 0) {
            throw new IllegalArgumentException("work measures must be items >= 1 and the rest >= 0: items=" + items
                    + " tokens=" + tokens + " output_tokens=" + outputTokens + " steps=" + steps);
        }
    }

    /** An encoder or other single-pass invocation of {@code items} items and {@code tokens} tokens. */
    public static Work batch(Modality modality, int items, long tokens) {
        return new Work(modality, items, tokens, 0, 0);
    }

    /** An LLM invocation: prefill {@code promptTokens}, generate {@code outputTokens} in all. */
    public static Work llm(long promptTokens, long outputTokens) {
        return new Work(Modality.TEXT, 1, promptTokens, outputTokens, 0);
    }

    /** A diffusion job of {@code latentTokens} latent tokens denoised in {@code steps} steps. */
    public static Work diffusion(long latentTokens, int steps) {
        return new Work(Modality.IMAGE, 1, latentTokens, 0, steps);
    }

    /** A scalar size used by load-aware routers: tokens processed plus tokens generated plus steps x latent tokens. */
    public long routingWeight() {
        return Math.max(1, tokens + outputTokens + (long) steps * tokens);
    }
}
