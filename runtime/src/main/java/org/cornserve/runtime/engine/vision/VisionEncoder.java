package org.cornserve.runtime.engine.vision;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.runtime.engine.tensor.TensorSink;
import org.cornserve.runtime.engine.kernel.DenseAttention;
import org.cornserve.runtime.engine.kernel.Gemm;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.Linear;
import org.cornserve.runtime.engine.kernel.Ops;
import org.cornserve.runtime.engine.kernel.Rope;
import org.cornserve.runtime.engine.tensor.Tensor;
import org.cornserve.runtime.engine.weights.WeightSource;
import org.cornserve.runtime.engine.weights.WeightSource.Init;

/**
 * A ViT over real pixels (Qwen2-VL layout, names under {@code visual.}): patch embedding, transformer
 * blocks with 2-d rotary attention within each image, and the patch merger. {@link #encode} takes a
 * batch of images: the linear layers run over all their patches at once, attention per image.
 */
public final class VisionEncoder {
    private static final float LN_EPS = 1e-6f;

    private final VitConfig config;
    private final Kernels kernels;
    private final Linear patchEmbed;
    private final Block[] blocks;
    private final float[] mergeLnW;
    private final float[] mergeLnB;
    private final Linear merge1;
    private final Linear merge2;
    private final Rope rope;

    private record Block(float[] n1w, float[] n1b, Linear qkv, Linear proj, float[] n2w, float[] n2b, Linear fc1,
            Linear fc2) {
    }

    /** Loads the encoder from {@code src}. */
    public VisionEncoder(VitConfig config, WeightSource src, Kernels kernels) {
        this.config = config;
        this.kernels = kernels;
        Gemm gemm = kernels.gemm();
        int h = config.hidden();
        float[] pe = src.get("visual.patch_embed.proj.weight", Init.FAN_IN, h, 3, config.temporalPatch(),
                config.patch(), config.patch());
        this.patchEmbed = new Linear(gemm.packTransposed(pe, 0, h, config.patchInputs()), null);
        this.blocks = new Block[config.layers()];
        for (int l = 0; l < config.layers(); l++) {
            String p = "visual.blocks." + l + ".";
            blocks[l] = new Block(src.get(p + "norm1.weight", Init.ONES, h), src.get(p + "norm1.bias", Init.ZEROS, h),
                    Linear.load(gemm, src, p + "attn.qkv", 3 * h, h, true),
                    Linear.load(gemm, src, p + "attn.proj", h, h, true),
                    src.get(p + "norm2.weight", Init.ONES, h), src.get(p + "norm2.bias", Init.ZEROS, h),
                    Linear.load(gemm, src, p + "mlp.fc1", config.intermediate(), h, true),
                    Linear.load(gemm, src, p + "mlp.fc2", h, config.intermediate(), true));
        }
        int mergeIn = h * config.merge() * config.merge();
        this.mergeLnW = src.get("visual.merger.ln_q.weight", Init.ONES, h);
        this.mergeLnB = src.get("visual.merger.ln_q.bias", Init.ZEROS, h);
        this.merge1 = Linear.load(gemm, src, "visual.merger.mlp.0", mergeIn, mergeIn, true);
        this.merge2 = Linear.load(gemm, src, "visual.merger.mlp.2", config.outHidden(), mergeIn, true);
        this.rope = new Rope(config.headDim() / 2, 4096, 10000);
    }

    /** The encoder's dimensions. */
    public VitConfig config() {
        return config;
    }

    /** Encodes a batch of images; each result is {@code [tokens, outHidden]}. */
    public List<Tensor> encode(List<ImageInput> images) {
        Merged m = merged(images);
        float[] out = merge2.apply(kernels.gemm(), m.hidden, m.tokens());
        List<Tensor> result = new ArrayList<>(images.size());
        int t0 = 0;
        for (int t : m.imageTokens) {
            float[] part = java.util.Arrays.copyOfRange(out, t0 * config.outHidden(), (t0 + t) * config.outHidden());
            result.add(new Tensor(new int[] {t, config.outHidden()}, part));
            t0 += t;
        }
        return result;
    }

    /**
     * Encodes a batch of images, storing image {@code i}'s {@code [tokens(i), outHidden]} embeddings into
     * {@code sinks.get(i)} (a shared-memory segment, written in place by the merger's last projection: no array in
     * between); equal bit for bit to {@link #encode(List)}'s tensors (a GEMM row does not depend on its batch).
     */
    public void encode(List<ImageInput> images, List<TensorSink> sinks) {
        if (sinks.size() != images.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + sinks.size() + " output sinks");
        }
        Merged m = merged(images);
        int mergeIn = merge2.in();
        int t0 = 0;
        for (int i = 0; i < images.size(); i++) {
            int t = m.imageTokens[i];
            TensorSink sink = sinks.get(i);
            merge2.apply(kernels.gemm(), m.hidden, t0 * mergeIn, t, sink.floats(), sink.offset());
            t0 += t;
        }
    }

    /** Embedding rows (tokens) an image becomes. */
    public int tokens(ImageInput img) {
        return (img.height() / config.patch()) * (img.width() / config.patch()) / (config.merge() * config.merge());
    }

    /** The merger's hidden rows before its last projection, and each image's tokens. */
    private record Merged(float[] hidden, int[] imageTokens) {
        int tokens() {
            return hidden.length == 0 ? 0 : java.util.Arrays.stream(imageTokens).sum();
        }
    }

    private Merged merged(List<ImageInput> images) {
        int h = config.hidden();
        int[] patchCounts = new int[images.size()];
        int rows = 0;
        for (int i = 0; i < images.size(); i++) {
            ImageInput img = images.get(i);
            if (img.height() % config.tokenSide() != 0 || img.width() % config.tokenSide() != 0) {
                throw new IllegalArgumentException("image " + i + " is " + img.width() + "x" + img.height()
                        + ", not multiples of " + config.tokenSide() + " px");
            }
            patchCounts[i] = (img.height() / config.patch()) * (img.width() / config.patch());
            rows += patchCounts[i];
        }
        float[] patches = new float[rows * config.patchInputs()];
        int[] rowY = new int[rows];
        int[] rowX = new int[rows];
        int r = 0;
        for (ImageInput img : images) {
            r = patchify(img, patches, rowY, rowX, r);
        }
        Gemm gemm = kernels.gemm();
        float[] x = patchEmbed.apply(gemm, patches, rows);
        float[] xn = new float[rows * h];
        float[] qkv = new float[rows * 3 * h];
        float[] att = new float[rows * h];
        float[] tmp = new float[rows * h];
        float[] mlp = new float[rows * config.intermediate()];
        int hd = config.headDim();
        for (Block b : blocks) {
            Ops.layerNorm(x, 0, xn, 0, rows, h, b.n1w(), b.n1b(), LN_EPS);
            b.qkv().apply(gemm, xn, 0, rows, qkv, 0);
            for (int i = 0; i < rows; i++) {
                for (int part = 0; part < 2; part++) {
                    for (int head = 0; head < config.heads(); head++) {
                        int off = i * 3 * h + part * h + head * hd;
                        rope.apply(qkv, off, 1, rowY[i]);
                        rope.apply(qkv, off + hd / 2, 1, rowX[i]);
                    }
                }
            }
            int start = 0;
            for (int count : patchCounts) {
                DenseAttention.selfAttention(kernels, qkv, start, count, config.heads(), hd, att, start * h);
                start += count;
            }
            b.proj().apply(gemm, att, 0, rows, tmp, 0);
            Ops.addInPlace(x, 0, tmp, 0, rows * h);
            Ops.layerNorm(x, 0, xn, 0, rows, h, b.n2w(), b.n2b(), LN_EPS);
            b.fc1().apply(gemm, xn, 0, rows, mlp, 0);
            kernels.vec().gelu(mlp, 0, mlp.length);
            b.fc2().apply(gemm, mlp, 0, rows, tmp, 0);
            Ops.addInPlace(x, 0, tmp, 0, rows * h);
        }
        Ops.layerNorm(x, 0, x, 0, rows, h, mergeLnW, mergeLnB, LN_EPS);
        int group = config.merge() * config.merge();
        int tokens = rows / group;
        float[] m1 = merge1.apply(gemm, x, tokens);
        kernels.vec().gelu(m1, 0, m1.length);
        int[] imageTokens = new int[patchCounts.length];
        for (int i = 0; i < patchCounts.length; i++) {
            imageTokens[i] = patchCounts[i] / group;
        }
        return new Merged(m1, imageTokens);
    }

    /** Cuts an image into patch rows ordered merge window by merge window; returns the next row. */
    private int patchify(ImageInput img, float[] patches, int[] rowY, int[] rowX, int r) {
        int p = config.patch();
        int m = config.merge();
        int gridH = img.height() / p;
        int gridW = img.width() / p;
        int in = config.patchInputs();
        int frames = config.temporalPatch();
        for (int by = 0; by < gridH / m; by++) {
            for (int bx = 0; bx < gridW / m; bx++) {
                for (int dy = 0; dy < m; dy++) {
                    for (int dx = 0; dx < m; dx++, r++) {
                        int py = by * m + dy;
                        int px = bx * m + dx;
                        rowY[r] = py;
                        rowX[r] = px;
                        int base = r * in;
                        for (int c = 0; c < 3; c++) {
                            for (int t = 0; t < frames; t++) {
                                for (int y = 0; y < p; y++) {
                                    for (int x = 0; x < p; x++) {
                                        patches[base + ((c * frames + t) * p + y) * p + x] =
                                                img.pixels()[((py * p + y) * img.width() + px * p + x) * 3 + c];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return r;
    }
}
