package org.cornserve.runtime.engine.kernel;

/** Plain-loop {@link VecOps} (four partial sums so the loop is not one long dependency chain). */
public final class ScalarVecOps implements VecOps {
    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[ao + i] * b[bo + i];
            s1 += a[ao + i + 1] * b[bo + i + 1];
            s2 += a[ao + i + 2] * b[bo + i + 2];
            s3 += a[ao + i + 3] * b[bo + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[ao + i] * b[bo + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] += alpha * x[xo + i];
        }
    }

    @Override
    public void weightedSum(float[] w, int wo, int n, float[] values, int[] slots, int off, float[] out, int oo,
            int width) {
        java.util.Arrays.fill(out, oo, oo + width, 0f);
        for (int j = 0; j < n; j++) {
            axpy(w[wo + j], values, slots[j] + off, out, oo, width);
        }
    }

    @Override
    public void softmax(float[] x, int off, int n) {
        Ops.softmax(x, off, n);
    }

    @Override
    public void siluMul(float[] gate, int go, float[] up, int uo, int n) {
        Ops.siluMul(gate, go, up, uo, n);
    }

    @Override
    public void gelu(float[] x, int off, int n) {
        Ops.gelu(x, off, n);
    }
}
