package org.cornserve.runtime.engine.kernel;

/**
 * Full (bidirectional) multi-head self-attention over one contiguous sequence, as encoders and
 * diffusion transformers use it, computed with two matrix multiplies per head: S = Q K^T / sqrt(d),
 * row softmax, O = S V.
 */
public final class DenseAttention {
    private DenseAttention() {
    }

    /**
     * Attention over {@code n} rows of a fused projection {@code qkv} (row width {@code 3 * heads * hd},
     * q then k then v, row offset {@code rowOffset}), writing {@code n x heads*hd} at {@code out[outOffset]}.
     */
    public static void selfAttention(Kernels kernels, float[] qkv, int rowOffset, int n, int heads, int hd,
            float[] out, int outOffset) {
        int width = 3 * heads * hd;
        int dim = heads * hd;
        Gemm gemm = kernels.gemm();
        VecOps vec = kernels.vec();
        float scale = (float) (1.0 / Math.sqrt(hd));
        kernels.pool().run(heads, h -> {
            float[] q = new float[n * hd];
            float[] k = new float[n * hd];
            float[] v = new float[n * hd];
            float[] scores = new float[n * n];
            float[] o = new float[n * hd];
            for (int i = 0; i < n; i++) {
                int base = (rowOffset + i) * width + h * hd;
                for (int e = 0; e < hd; e++) {
                    q[i * hd + e] = qkv[base + e] * scale;
                }
                System.arraycopy(qkv, base + dim, k, i * hd, hd);
                System.arraycopy(qkv, base + 2 * dim, v, i * hd, hd);
            }
            gemm.multiply(q, 0, n, gemm.packTransposed(k, 0, n, hd), scores, 0);
            for (int i = 0; i < n; i++) {
                vec.softmax(scores, i * n, n);
            }
            gemm.multiply(scores, 0, n, gemm.packRowMajor(v, 0, n, hd), o, 0);
            for (int i = 0; i < n; i++) {
                System.arraycopy(o, i * hd, out, outOffset + i * dim + h * hd, hd);
            }
        });
    }
}
