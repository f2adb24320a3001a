package org.cornserve.runtime.engine.audio;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.runtime.engine.kernel.Convolutions;
import org.cornserve.runtime.engine.kernel.DenseAttention;
import org.cornserve.runtime.engine.kernel.Gemm;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.Linear;
import org.cornserve.runtime.engine.kernel.Ops;
import org.cornserve.runtime.engine.tensor.Tensor;
import org.cornserve.runtime.engine.tensor.TensorSink;
import org.cornserve.runtime.engine.weights.WeightSource;
import org.cornserve.runtime.engine.weights.WeightSource.Init;

/**
 * Whisper-style audio encoder (names under {@code audio_tower.}) over decoded samples: log-mel,
 * conv + GELU, stride-2 conv + GELU, sinusoidal positions, pre-norm transformer layers, average
 * pooling by 2, LayerNorm and a projection to the LLM's width.
 */
public final class AudioEncoder {
    private static final float LN_EPS = 1e-5f;

    private final AudioEncoderConfig config;
    private final Kernels kernels;
    private final MelSpectrogram mel;
    private final Linear conv1;
    private final Linear conv2;
    private final Layer[] layers;
    private final float[] lnPostW;
    private final float[] lnPostB;
    private final Linear proj;

    private record Layer(float[] n1w, float[] n1b, Linear qkv, Linear out, float[] n2w, float[] n2b, Linear fc1,
            Linear fc2) {
    }

    /** Loads the encoder from {@code src}. */
    public AudioEncoder(AudioEncoderConfig config, WeightSource src, Kernels kernels) {
        this.config = config;
        this.kernels = kernels;
        this.mel = new MelSpectrogram(config.sampleRate(), config.nFft(), config.window(), config.hop(),
                config.melBins());
        Gemm gemm = kernels.gemm();
        int h = config.hidden();
        this.conv1 = new Linear(gemm.packTransposed(src.get("audio_tower.conv1.weight", Init.FAN_IN, h,
                config.melBins(), 3), 0, h, config.melBins() * 3), src.get("audio_tower.conv1.bias", Init.ZEROS, h));
        this.conv2 = new Linear(gemm.packTransposed(src.get("audio_tower.conv2.weight", Init.FAN_IN, h, h, 3), 0, h,
                h * 3), src.get("audio_tower.conv2.bias", Init.ZEROS, h));
        this.layers = new Layer[config.layers()];
        for (int l = 0; l < config.layers(); l++) {
            String p = "audio_tower.layers." + l + ".";
            float[] q = src.get(p + "self_attn.q_proj.weight", Init.FAN_IN, h, h);
            float[] k = src.get(p + "self_attn.k_proj.weight", Init.FAN_IN, h, h);
            float[] v = src.get(p + "self_attn.v_proj.weight", Init.FAN_IN, h, h);
            float[] qb = src.get(p + "self_attn.q_proj.bias", Init.ZEROS, h);
            float[] vb = src.get(p + "self_attn.v_proj.bias", Init.ZEROS, h);
            float[] qkvBias = new float[3 * h];
            System.arraycopy(qb, 0, qkvBias, 0, h);
            System.arraycopy(vb, 0, qkvBias, 2 * h, h);
            float[] qkv = new float[3 * h * h];
            System.arraycopy(q, 0, qkv, 0, h * h);
            System.arraycopy(k, 0, qkv, h * h, h * h);
            System.arraycopy(v, 0, qkv, 2 * h * h, h * h);
            layers[l] = new Layer(src.get(p + "self_attn_layer_norm.weight", Init.ONES, h),
                    src.get(p + "self_attn_layer_norm.bias", Init.ZEROS, h),
                    new Linear(gemm.packTransposed(qkv, 0, 3 * h, h), qkvBias),
                    Linear.load(gemm, src, p + "self_attn.out_proj", h, h, true),
                    src.get(p + "final_layer_norm.weight", Init.ONES, h),
                    src.get(p + "final_layer_norm.bias", Init.ZEROS, h),
                    Linear.load(gemm, src, p + "fc1", config.intermediate(), h, true),
                    Linear.load(gemm, src, p + "fc2", h, config.intermediate(), true));
        }
        this.lnPostW = src.get("audio_tower.ln_post.weight", Init.ONES, h);
        this.lnPostB = src.get("audio_tower.ln_post.bias", Init.ZEROS, h);
        this.proj = Linear.load(gemm, src, "audio_tower.proj", config.outHidden(), h, true);
    }

    /** The encoder's dimensions. */
    public AudioEncoderConfig config() {
        return config;
    }

    /** Encodes clips of mono samples at the config's rate; each result is {@code [tokens, outHidden]}. */
    public List<Tensor> encode(List<float[]> clips) {
        List<Tensor> out = new ArrayList<>(clips.size());
        for (float[] clip : clips) {
            checkLength(clip);
            out.add(encodeOne(clip));
        }
        return out;
    }

    private void checkLength(float[] clip) {
        double seconds = clip.length / (double) config.sampleRate();
        if (seconds > config.maxSeconds()) {
            throw new IllegalArgumentException("audio of " + seconds + " s exceeds the encoder's limit of "
                    + config.maxSeconds() + " s");
        }
        if (config.tokens(clip.length) < 1) {
            throw new IllegalArgumentException("audio of " + clip.length + " samples is too short for one token");
        }
    }

    /**
     * Encodes clips, storing clip {@code i}'s {@code [tokens, outHidden]} embeddings into {@code sinks.get(i)} (a
     * shared-memory segment, written in place by the last projection: no array in between); equal bit for bit to
     * {@link #encode(List)}'s tensors. Clip {@code i} gives {@code config().tokens(clip length)} rows.
     */
    public void encode(List<float[]> clips, List<TensorSink> sinks) {
        if (sinks.size() != clips.size()) {
            throw new IllegalArgumentException(clips.size() + " clips but " + sinks.size() + " output sinks");
        }
        for (int i = 0; i < clips.size(); i++) {
            checkLength(clips.get(i));
        }
        for (int i = 0; i < clips.size(); i++) {
            float[] pooled = pooled(clips.get(i));
            TensorSink sink = sinks.get(i);
            proj.apply(kernels.gemm(), pooled, 0, pooled.length / config.hidden(), sink.floats(), sink.offset());
        }
    }

    private Tensor encodeOne(float[] samples) {
        float[] pooled = pooled(samples);
        int tokens = pooled.length / config.hidden();
        return new Tensor(new int[] {tokens, config.outHidden()}, proj.apply(kernels.gemm(), pooled, tokens));
    }

    /** The pooled, normalised rows before the last projection ({@code tokens x hidden}). */
    private float[] pooled(float[] samples) {
        int h = config.hidden();
        Gemm gemm = kernels.gemm();
        float[] melFrames = mel.compute(samples);
        int frames = mel.frames(samples.length);
        float[] c1 = Convolutions.conv1d(kernels, melFrames, frames, config.melBins(), conv1, 3, 1, 1);
        kernels.vec().gelu(c1, 0, c1.length);
        int n = Convolutions.outLength(frames, 3, 2, 1);
        float[] x = Convolutions.conv1d(kernels, c1, frames, h, conv2, 3, 2, 1);
        kernels.vec().gelu(x, 0, x.length);
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < h / 2; i++) {
                double ang = t / Math.pow(10000, 2.0 * i / h);
                x[t * h + i] += (float) Math.sin(ang);
                x[t * h + h / 2 + i] += (float) Math.cos(ang);
            }
        }
        float[] xn = new float[n * h];
        float[] qkv = new float[n * 3 * h];
        float[] att = new float[n * h];
        float[] tmp = new float[n * h];
        float[] mlp = new float[n * config.intermediate()];
        for (Layer l : layers) {
            Ops.layerNorm(x, 0, xn, 0, n, h, l.n1w(), l.n1b(), LN_EPS);
            l.qkv().apply(gemm, xn, 0, n, qkv, 0);
            DenseAttention.selfAttention(kernels, qkv, 0, n, config.heads(), h / config.heads(), att, 0);
            l.out().apply(gemm, att, 0, n, tmp, 0);
            Ops.addInPlace(x, 0, tmp, 0, n * h);
            Ops.layerNorm(x, 0, xn, 0, n, h, l.n2w(), l.n2b(), LN_EPS);
            l.fc1().apply(gemm, xn, 0, n, mlp, 0);
            kernels.vec().gelu(mlp, 0, mlp.length);
            l.fc2().apply(gemm, mlp, 0, n, tmp, 0);
            Ops.addInPlace(x, 0, tmp, 0, n * h);
        }
        int tokens = n / 2;
        float[] pooled = new float[tokens * h];
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < h; i++) {
                pooled[t * h + i] = 0.5f * (x[2 * t * h + i] + x[(2 * t + 1) * h + i]);
            }
        }
        Ops.layerNorm(pooled, 0, pooled, 0, tokens, h, lnPostW, lnPostB, LN_EPS);
        return pooled;
    }
}
