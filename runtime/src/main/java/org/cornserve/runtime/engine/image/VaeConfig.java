package org.cornserve.runtime.engine.image;

import java.util.List;

/**
 * A VAE decoder: a 3x3 convolution from the latent, upsampling stages (nearest x2 then 3x3
 * convolution and SiLU), and a 3x3 convolution to RGB.
 *
 * @param latentChannels input channels (z)
 * @param channels conv_in width, then the width after each upsampling stage
 */
public record VaeConfig(int latentChannels, List<Integer> channels) {
    public VaeConfig {
        channels = List.copyOf(channels);
        if (latentChannels <= 0 || channels.size() < 2) {
            throw new IllegalArgumentException("bad VAE config " + channels);
        }
    }

    /** Spatial upsampling factor (2 per stage). */
    public int scale() {
        return 1 << (channels.size() - 1);
    }
}
