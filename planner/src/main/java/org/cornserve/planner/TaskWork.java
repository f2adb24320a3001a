package org.cornserve.planner;

/**
 * The work one request brings to one unit task.
 *
 * <ul>
 *   <li>encoder, output decoder: {@code items} items with {@code tokens} tokens in all;</li>
 *   <li>LLM, talker, text encoder: a prompt of {@code tokens} tokens and {@code outputTokens} generated
 *       tokens (zero for a text encoder);</li>
 *   <li>generator: {@code items} jobs of {@code tokens} latent tokens in all, {@code steps} denoising steps
 *       each.</li>
 * </ul>
 *
 * @param items items or jobs
 * @param tokens tokens in all (prompt tokens for autoregressive tasks)
 * @param outputTokens tokens generated
 * @param steps denoising steps per job
 */
public record TaskWork(int items, long tokens, long outputTokens, int steps) {
    public TaskWork {
        if (items < 0 || tokens < 0 || outputTokens < 0 || steps < 0) {
            throw new IllegalArgumentException("task work must be >= 0: items=" + items + " tokens=" + tokens
                    + " output_tokens=" + outputTokens + " steps=" + steps);
        }
    }

    public static TaskWork batch(int items, long tokens) {
        return new TaskWork(items, tokens, 0, 0);
    }

    public static TaskWork llm(long promptTokens, long outputTokens) {
        return new TaskWork(1, promptTokens, outputTokens, 0);
    }

    public static TaskWork diffusion(int jobs, long latentTokens, int steps) {
        return new TaskWork(jobs, latentTokens, 0, steps);
    }
}
