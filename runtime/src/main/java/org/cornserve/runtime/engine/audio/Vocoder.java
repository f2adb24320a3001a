package org.cornserve.runtime.engine.audio;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.runtime.engine.kernel.Convolutions;
import org.cornserve.runtime.engine.kernel.Gemm;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.Linear;
import org.cornserve.runtime.engine.weights.WeightSource;
import org.cornserve.runtime.engine.weights.WeightSource.Init;

/**
 * Codes to waveform (names under {@code vocoder.}): code embedding, then per stage a transposed
 * convolution of kernel = stride = rate (a matrix multiply producing {@code rate} frames per input
 * frame), leaky ReLU and a residual 3-tap convolution; a final 7-tap convolution to one channel and tanh.
 */
public final class Vocoder {
    private final VocoderConfig config;
    private final Kernels kernels;
    private final float[] embedding;
    private final Linear[] ups;
    private final Linear[] res;
    private final Linear post;

    /** Loads the vocoder. */
    public Vocoder(VocoderConfig config, WeightSource src, Kernels kernels) {
        this.config = config;
        this.kernels = kernels;
        Gemm gemm = kernels.gemm();
        this.embedding = src.get("vocoder.code_embedding.weight", Init.FAN_IN, config.codebook(), config.embed());
        int stages = config.rates().size();
        this.ups = new Linear[stages];
        this.res = new Linear[stages];
        int in = config.embed();
        for (int s = 0; s < stages; s++) {
            int r = config.rates().get(s);
            int out = config.channels().get(s);
            float[] w = src.get("vocoder.ups." + s + ".weight", Init.FAN_IN, in, out, r);
            float[] rowMajor = new float[in * r * out];
            for (int c = 0; c < in; c++) {
                for (int o = 0; o < out; o++) {
                    for (int j = 0; j < r; j++) {
                        rowMajor[c * r * out + j * out + o] = w[(c * out + o) * r + j];
                    }
                }
            }
            float[] b = src.get("vocoder.ups." + s + ".bias", Init.ZEROS, out);
            float[] bias = new float[r * out];
            for (int j = 0; j < r; j++) {
                System.arraycopy(b, 0, bias, j * out, out);
            }
            ups[s] = new Linear(gemm.packRowMajor(rowMajor, 0, in, r * out), bias);
            res[s] = new Linear(gemm.packTransposed(src.get("vocoder.res." + s + ".weight", Init.FAN_IN, out, out, 3), 0,
                    out, out * 3), src.get("vocoder.res." + s + ".bias", Init.ZEROS, out));
            in = out;
        }
        this.post = new Linear(gemm.packTransposed(src.get("vocoder.conv_post.weight", Init.FAN_IN, 1, in, 7), 0, 1,
                in * 7), src.get("vocoder.conv_post.bias", Init.ZEROS, 1));
    }

    /** The vocoder's dimensions. */
    public VocoderConfig config() {
        return config;
    }

    /** Waveforms (samples in [-1, 1] at the config's rate) for each code sequence. */
    public List<float[]> synthesize(List<int[]> codeSequences) {
        List<float[]> out = new ArrayList<>();
        for (int[] codes : codeSequences) {
            out.add(synthesizeOne(codes));
        }
        return out;
    }

    private float[] synthesizeOne(int[] codes) {
        int e = config.embed();
        float[] x = new float[codes.length * e];
        for (int t = 0; t < codes.length; t++) {
            if (codes[t] < 0 || codes[t] >= config.codebook()) {
                throw new IllegalArgumentException("code " + codes[t] + " at " + t + " outside codebook "
                        + config.codebook());
            }
            System.arraycopy(embedding, codes[t] * e, x, t * e, e);
        }
        int frames = codes.length;
        Gemm gemm = kernels.gemm();
        for (int s = 0; s < ups.length; s++) {
            int r = config.rates().get(s);
            int ch = config.channels().get(s);
            x = ups[s].apply(gemm, x, frames);
            frames *= r;
            leakyRelu(x);
            float[] y = Convolutions.conv1d(kernels, x, frames, ch, res[s], 3, 1, 1);
            leakyRelu(y);
            for (int i = 0; i < x.length; i++) {
                x[i] += y[i];
            }
        }
        int lastCh = config.channels().get(config.channels().size() - 1);
        float[] wave = Convolutions.conv1d(kernels, x, frames, lastCh, post, 7, 1, 3);
        for (int i = 0; i < wave.length; i++) {
            wave[i] = (float) Math.tanh(wave[i]);
        }
        return wave;
    }

    private static void leakyRelu(float[] x) {
        for (int i = 0; i < x.length; i++) {
            if (x[i] < 0) {
                x[i] *= 0.1f;
            }
        }
    }
}
