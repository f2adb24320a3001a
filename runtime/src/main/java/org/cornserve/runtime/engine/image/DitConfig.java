package org.cornserve.runtime.engine.image;

/**
 * Dimensions of a diffusion transformer over VAE latents with joint text-image attention.
 *
 * @param hidden width
 * @param layers blocks
 * @param heads attention heads
 * @param intermediate MLP width
 * @param patch latent patch side
 * @param latentChannels latent channels
 * @param textHidden width of the text encoder's states
 * @param steps denoising steps
 */
public record DitConfig(int hidden, int layers, int heads, int intermediate, int patch, int latentChannels,
        int textHidden, int steps) {
    public DitConfig {
        if (hidden <= 0 || layers <= 0 || heads <= 0 || hidden % heads != 0 || patch <= 0 || latentChannels <= 0
                || textHidden <= 0 || steps <= 0) {
            throw new IllegalArgumentException("bad diffusion transformer config " + this);
        }
    }

    /** Inputs per patch token: patch x patch x channels. */
    public int patchInputs() {
        return patch * patch * latentChannels;
    }

    /** Parameters. */
    public long params() {
        long block = 6L * hidden * hidden + 4L * hidden * hidden + 2L * hidden * intermediate;
        return (long) patchInputs() * hidden * 2 + (long) textHidden * hidden + 256L * hidden + (long) hidden * hidden
                + layers * block + 2L * hidden * hidden;
    }
}
