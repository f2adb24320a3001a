package org.cornserve.runtime.engine.image;

import org.cornserve.runtime.engine.kernel.Convolutions;
import org.cornserve.runtime.engine.kernel.Gemm;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.Linear;
import org.cornserve.runtime.engine.kernel.Ops;
import org.cornserve.runtime.engine.weights.WeightSource;
import org.cornserve.runtime.engine.weights.WeightSource.Init;

/**
 * Latent to RGB (names under {@code vae.decoder.}): conv_in, then per stage nearest-neighbour x2
 * upsampling, a 3x3 convolution and SiLU, then conv_out to three channels mapped to [0, 1].
 */
public final class VaeDecoder {
    private final VaeConfig config;
    private final Kernels kernels;
    private final Linear convIn;
    private final Linear[] ups;
    private final Linear convOut;

    /** Loads the decoder. */
    public VaeDecoder(VaeConfig config, WeightSource src, Kernels kernels) {
        this.config = config;
        this.kernels = kernels;
        Gemm g = kernels.gemm();
        int c0 = config.channels().get(0);
        this.convIn = conv(g, src, "vae.decoder.conv_in", c0, config.latentChannels());
        this.ups = new Linear[config.channels().size() - 1];
        for (int s = 0; s < ups.length; s++) {
            ups[s] = conv(g, src, "vae.decoder.up." + s + ".conv", config.channels().get(s + 1),
                    config.channels().get(s));
        }
        this.convOut = conv(g, src, "vae.decoder.conv_out", 3, config.channels().get(config.channels().size() - 1));
    }

    private static Linear conv(Gemm g, WeightSource src, String name, int out, int in) {
        float[] w = src.get(name + ".weight", Init.FAN_IN, out, in, 3, 3);
        return new Linear(g.packTransposed(w, 0, out, in * 9), src.get(name + ".bias", Init.ZEROS, out));
    }

    /** The decoder's dimensions. */
    public VaeConfig config() {
        return config;
    }

    /** Decodes a channels-last latent {@code [h][w][z]} to RGB {@code [h*s][w*s][3]} in [0, 1]. */
    public float[] decode(float[] latent, int h, int w) {
        float[] x = Convolutions.conv3x3(kernels, latent, h, w, config.latentChannels(), convIn);
        int ch = config.channels().get(0);
        for (int s = 0; s < ups.length; s++) {
            float[] up = new float[4 * h * w * ch];
            for (int y = 0; y < 2 * h; y++) {
                for (int xx = 0; xx < 2 * w; xx++) {
                    System.arraycopy(x, ((y / 2) * w + xx / 2) * ch, up, (y * 2 * w + xx) * ch, ch);
                }
            }
            h *= 2;
            w *= 2;
            x = Convolutions.conv3x3(kernels, up, h, w, ch, ups[s]);
            ch = config.channels().get(s + 1);
            Ops.silu(x, 0, x.length);
        }
        float[] rgb = Convolutions.conv3x3(kernels, x, h, w, ch, convOut);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (float) (0.5 * (Math.tanh(rgb[i]) + 1));
        }
        return rgb;
    }
}
