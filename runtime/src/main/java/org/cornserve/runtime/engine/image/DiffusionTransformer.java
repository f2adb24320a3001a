package org.cornserve.runtime.engine.image;

import java.util.SplittableRandom;
import org.cornserve.runtime.engine.kernel.DenseAttention;
import org.cornserve.runtime.engine.kernel.Gemm;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.Linear;
import org.cornserve.runtime.engine.kernel.Ops;
import org.cornserve.runtime.engine.weights.WeightSource;
import org.cornserve.runtime.engine.weights.WeightSource.Init;

/**
 * A flow-matching diffusion transformer (names under {@code transformer.}): latent patches and
 * projected text states attend jointly in blocks modulated by the timestep (adaLN: shift, scale and
 * gate per half-block); {@link #generate} runs a fixed number of Euler steps from seeded noise.
 */
public final class DiffusionTransformer {
    private static final int TIME_DIM = 256;
    private static final float LN_EPS = 1e-6f;

    private final DitConfig config;
    private final Kernels kernels;
    private final Linear imgIn;
    private final Linear txtIn;
    private final Linear time1;
    private final Linear time2;
    private final Block[] blocks;
    private final Linear normOut;
    private final Linear projOut;
    private final float[] ones;
    private final float[] zeros;

    private record Block(Linear adaLn, Linear qkv, Linear proj, Linear fc1, Linear fc2) {
    }

    /** Loads the transformer. */
    public DiffusionTransformer(DitConfig config, WeightSource src, Kernels kernels) {
        this.config = config;
        this.kernels = kernels;
        Gemm g = kernels.gemm();
        int h = config.hidden();
        String p = "transformer.";
        this.imgIn = Linear.load(g, src, p + "img_in", h, config.patchInputs(), true);
        this.txtIn = Linear.load(g, src, p + "txt_in", h, config.textHidden(), true);
        this.time1 = Linear.load(g, src, p + "time_embed.linear_1", h, TIME_DIM, true);
        this.time2 = Linear.load(g, src, p + "time_embed.linear_2", h, h, true);
        this.blocks = new Block[config.layers()];
        for (int l = 0; l < config.layers(); l++) {
            String b = p + "blocks." + l + ".";
            blocks[l] = new Block(Linear.load(g, src, b + "adaLN", 6 * h, h, true),
                    Linear.load(g, src, b + "attn.qkv", 3 * h, h, true),
                    Linear.load(g, src, b + "attn.proj", h, h, true),
                    Linear.load(g, src, b + "mlp.fc1", config.intermediate(), h, true),
                    Linear.load(g, src, b + "mlp.fc2", h, config.intermediate(), true));
        }
        this.normOut = Linear.load(g, src, p + "norm_out.adaLN", 2 * h, h, true);
        this.projOut = Linear.load(g, src, p + "proj_out", config.patchInputs(), h, true);
        this.ones = new float[h];
        java.util.Arrays.fill(ones, 1f);
        this.zeros = new float[h];
    }

    /** The transformer's dimensions. */
    public DitConfig config() {
        return config;
    }

    /**
     * Denoises seeded Gaussian noise into a latent of {@code latentH x latentW x channels} (channels
     * last) conditioned on text states ({@code textRows x textHidden}), in {@code config.steps()} steps.
     */
    public float[] generate(float[] textStates, int textRows, int latentH, int latentW, long seed) {
        Job job = start(textStates, textRows, latentH, latentW, seed);
        while (!job.done()) {
            step(job);
        }
        return job.latent();
    }

    /**
     * One image being denoised step by step (a runtime batches the steps of several jobs): the latent so far, the
     * projected text states and the steps done.
     */
    public static final class Job {
        private final float[] latent;
        private final float[] txt;
        private final int textRows;
        private final int latentH;
        private final int latentW;
        private final int steps;
        private int done;

        private Job(float[] latent, float[] txt, int textRows, int latentH, int latentW, int steps) {
            this.latent = latent;
            this.txt = txt;
            this.textRows = textRows;
            this.latentH = latentH;
            this.latentW = latentW;
            this.steps = steps;
        }

        /** Whether every denoising step ran. */
        public boolean done() {
            return done == steps;
        }

        /** Steps run so far. */
        public int stepsDone() {
            return done;
        }

        /** The latent ({@code latentH x latentW x channels}, channels last); final once {@link #done}. */
        public float[] latent() {
            return latent;
        }
    }

    /** Starts a job: seeded Gaussian noise of the latent's size, text states projected once. */
    public Job start(float[] textStates, int textRows, int latentH, int latentW, long seed) {
        int p = config.patch();
        if (latentH % p != 0 || latentW % p != 0) {
            throw new IllegalArgumentException("latent " + latentW + "x" + latentH + " not a multiple of patch " + p);
        }
        int c = config.latentChannels();
        float[] latent = new float[latentH * latentW * c];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < latent.length; i++) {
            latent[i] = (float) gaussian(rnd);
        }
        float[] txt = txtIn.apply(kernels.gemm(), textStates, textRows);
        return new Job(latent, txt, textRows, latentH, latentW, config.steps());
    }

    /** Runs the job's next denoising step (an Euler step along the predicted velocity). */
    public void step(Job job) {
        if (job.done()) {
            throw new IllegalStateException("diffusion job already ran its " + job.steps + " steps");
        }
        int s = job.done;
        float t = 1f - (float) s / job.steps;
        float tNext = 1f - (float) (s + 1) / job.steps;
        float[] v = velocity(job.latent, job.latentH, job.latentW, job.txt, job.textRows, t);
        for (int i = 0; i < job.latent.length; i++) {
            job.latent[i] += (tNext - t) * v[i];
        }
        job.done++;
    }

    /** One forward pass: the predicted velocity for the latent at time t in [0, 1]. */
    float[] velocity(float[] latent, int latentH, int latentW, float[] txt, int textRows, float t) {
        Gemm g = kernels.gemm();
        int h = config.hidden();
        int p = config.patch();
        int c = config.latentChannels();
        int gh = latentH / p;
        int gw = latentW / p;
        int imgRows = gh * gw;
        int in = config.patchInputs();
        float[] patches = new float[imgRows * in];
        for (int py = 0; py < gh; py++) {
            for (int px = 0; px < gw; px++) {
                int r = py * gw + px;
                for (int y = 0; y < p; y++) {
                    for (int x = 0; x < p; x++) {
                        System.arraycopy(latent, ((py * p + y) * latentW + px * p + x) * c, patches,
                                r * in + (y * p + x) * c, c);
                    }
                }
            }
        }
        int rows = textRows + imgRows;
        float[] xs = new float[rows * h];
        System.arraycopy(txt, 0, xs, 0, textRows * h);
        imgIn.apply(g, patches, 0, imgRows, xs, textRows * h);
        for (int py = 0; py < gh; py++) {
            for (int px = 0; px < gw; px++) {
                int o = (textRows + py * gw + px) * h;
                for (int i = 0; i < h / 4; i++) {
                    double f = Math.pow(10000, -4.0 * i / h);
                    xs[o + i] += (float) Math.sin(py * f);
                    xs[o + h / 4 + i] += (float) Math.cos(py * f);
                    xs[o + h / 2 + i] += (float) Math.sin(px * f);
                    xs[o + 3 * h / 4 + i] += (float) Math.cos(px * f);
                }
            }
        }
        float[] temb = timeEmbedding(t);
        float[] xn = new float[rows * h];
        float[] qkv = new float[rows * 3 * h];
        float[] att = new float[rows * h];
        float[] tmp = new float[rows * h];
        float[] mlp = new float[rows * config.intermediate()];
        for (Block b : blocks) {
            float[] mod = b.adaLn().apply(g, temb, 1);
            modulatedNorm(xs, xn, rows, mod, 0, h);
            b.qkv().apply(g, xn, 0, rows, qkv, 0);
            DenseAttention.selfAttention(kernels, qkv, 0, rows, config.heads(), h / config.heads(), att, 0);
            b.proj().apply(g, att, 0, rows, tmp, 0);
            gatedAdd(xs, tmp, rows, mod, 2 * h, h);
            modulatedNorm(xs, xn, rows, mod, 3 * h, h);
            b.fc1().apply(g, xn, 0, rows, mlp, 0);
            kernels.vec().gelu(mlp, 0, mlp.length);
            b.fc2().apply(g, mlp, 0, rows, tmp, 0);
            gatedAdd(xs, tmp, rows, mod, 5 * h, h);
        }
        float[] mod = normOut.apply(g, temb, 1);
        modulatedNorm(xs, xn, rows, mod, 0, h);
        float[] outPatches = new float[imgRows * in];
        projOut.apply(g, xn, textRows * h, imgRows, outPatches, 0);
        float[] v = new float[latent.length];
        for (int py = 0; py < gh; py++) {
            for (int px = 0; px < gw; px++) {
                int r = py * gw + px;
                for (int y = 0; y < p; y++) {
                    for (int x = 0; x < p; x++) {
                        System.arraycopy(outPatches, r * in + (y * p + x) * c, v,
                                ((py * p + y) * latentW + px * p + x) * c, c);
                    }
                }
            }
        }
        return v;
    }

    private float[] timeEmbedding(float t) {
        float[] sin = new float[TIME_DIM];
        for (int i = 0; i < TIME_DIM / 2; i++) {
            double f = Math.exp(-Math.log(10000) * i / (TIME_DIM / 2.0));
            sin[i] = (float) Math.cos(1000 * t * f);
            sin[TIME_DIM / 2 + i] = (float) Math.sin(1000 * t * f);
        }
        float[] e = time1.apply(kernels.gemm(), sin, 1);
        Ops.silu(e, 0, e.length);
        float[] out = time2.apply(kernels.gemm(), e, 1);
        Ops.silu(out, 0, out.length);
        return out;
    }

    /** xn = LayerNorm(x) * (1 + scale) + shift, with shift at mod[off], scale at mod[off + h]. */
    private void modulatedNorm(float[] x, float[] xn, int rows, float[] mod, int off, int h) {
        Ops.layerNorm(x, 0, xn, 0, rows, h, ones, zeros, LN_EPS);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < h; i++) {
                xn[r * h + i] = xn[r * h + i] * (1 + mod[off + h + i]) + mod[off + i];
            }
        }
    }

    /** x += gate * y, gate at mod[off]. */
    private static void gatedAdd(float[] x, float[] y, int rows, float[] mod, int off, int h) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < h; i++) {
                x[r * h + i] += mod[off + i] * y[r * h + i];
            }
        }
    }

    private static double gaussian(SplittableRandom rnd) {
        double u1 = 1 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
