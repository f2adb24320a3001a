package org.cornserve.model.profile;

/** Latency of one denoising step of a batch of diffusion jobs on one replica of a generator. */
@FunctionalInterface
public interface DiffusionCost {
    /**
     * @param jobs jobs stepped together, at least 1
     * @param latentTokens total latent tokens of those jobs (image patches, audio frames)
     * @return step latency in seconds
     */
    double stepSeconds(int jobs, long latentTokens);
}
