package org.cornserve.planner.schedule.batch;

/**
 * Batching of a diffusion generator: up to {@code maxJobs} jobs and {@code maxLatentTokens} latent tokens
 * are stepped together; a waiting job joins at the next step boundary when it fits (continuous batching of
 * denoising steps), and each job leaves when its own steps are done.
 */
public record DiffusionBatching(int maxJobs, long maxLatentTokens) {

    public DiffusionBatching {
        if (maxJobs < 1 || maxLatentTokens < 1) {
            throw new IllegalArgumentException("diffusion batching needs max jobs >= 1 and max latent tokens >= 1: "
                    + maxJobs + ", " + maxLatentTokens);
        }
    }
}
