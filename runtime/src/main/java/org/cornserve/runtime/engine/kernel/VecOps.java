package org.cornserve.runtime.engine.kernel;

/** Vector primitives over float arrays used by attention and norms (scalar or Vector API). */
public interface VecOps {
    /** Sum over i of a[ao+i] * b[bo+i]; the summation order depends only on n. */
    float dot(float[] a, int ao, float[] b, int bo, int n);

    /** y[yo+i] += alpha * x[xo+i]. */
    void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n);

    /**
     * Attention's weighted sum of cached values: out[oo+e] = sum over j < n, in order, of
     * w[wo+j] * values[slots[j] + off + e], for e < width (out is overwritten).
     */
    void weightedSum(float[] w, int wo, int n, float[] values, int[] slots, int off, float[] out, int oo, int width);

    /** Softmax in place over x[off..off+n). */
    void softmax(float[] x, int off, int n);

    /** gate[i] = silu(gate[i]) * up[i] over n values. */
    void siluMul(float[] gate, int go, float[] up, int uo, int n);

    /** GELU (tanh approximation) in place over n values. */
    void gelu(float[] x, int off, int n);
}
