package org.cornserve.runtime.engine.kernel;

import java.util.List;

/**
 * Row-wise neural-network operations on row-major float arrays. Each works one row at a time with a
 * fixed summation order, so a row's result never depends on the other rows in the batch.
 */
public final class Ops {
    private static final float SQRT_2_OVER_PI = 0.7978845608f;

    private Ops() {
    }

    /** RMSNorm of {@code rows} rows of width {@code dim}: out = x / rms(x) * weight. In place allowed. */
    /** The parts one after another in a new array. */
    public static float[] concat(List<float[]> parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    public static void rmsNorm(float[] x, int xo, float[] out, int oo, int rows, int dim, float[] weight, float eps) {
        for (int r = 0; r < rows; r++) {
            int xb = xo + r * dim;
            int ob = oo + r * dim;
            double ss = 0;
            for (int i = 0; i < dim; i++) {
                ss += (double) x[xb + i] * x[xb + i];
            }
            float inv = (float) (1.0 / Math.sqrt(ss / dim + eps));
            for (int i = 0; i < dim; i++) {
                out[ob + i] = x[xb + i] * inv * weight[i];
            }
        }
    }

    /** LayerNorm of {@code rows} rows: out = (x - mean) / sqrt(var + eps) * weight + bias. In place allowed. */
    public static void layerNorm(float[] x, int xo, float[] out, int oo, int rows, int dim, float[] weight,
            float[] bias, float eps) {
        for (int r = 0; r < rows; r++) {
            int xb = xo + r * dim;
            int ob = oo + r * dim;
            double sum = 0;
            for (int i = 0; i < dim; i++) {
                sum += x[xb + i];
            }
            double mean = sum / dim;
            double var = 0;
            for (int i = 0; i < dim; i++) {
                double d = x[xb + i] - mean;
                var += d * d;
            }
            float inv = (float) (1.0 / Math.sqrt(var / dim + eps));
            float m = (float) mean;
            for (int i = 0; i < dim; i++) {
                out[ob + i] = (x[xb + i] - m) * inv * weight[i] + bias[i];
            }
        }
    }

    /** Softmax in place over x[off..off+n), numerically stable. */
    public static void softmax(float[] x, int off, int n) {
        if (n == 0) {
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        float sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) {
            x[off + i] *= inv;
        }
    }

    /** GELU (tanh approximation) in place over n values. */
    public static void gelu(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) {
            float v = x[i];
            x[i] = 0.5f * v * (1f + tanh(SQRT_2_OVER_PI * (v + 0.044715f * v * v * v)));
        }
    }

    /** The exact GELU, x * Phi(x), for reference in tests. */
    public static double geluExact(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** SiLU in place over n values: x * sigmoid(x). */
    public static void silu(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) {
            float v = x[i];
            x[i] = v / (1f + (float) Math.exp(-v));
        }
    }

    /** gate = silu(gate) * up over n values (the SwiGLU MLP's middle). */
    public static void siluMul(float[] gate, int go, float[] up, int uo, int n) {
        for (int i = 0; i < n; i++) {
            float v = gate[go + i];
            gate[go + i] = v / (1f + (float) Math.exp(-v)) * up[uo + i];
        }
    }

    /** Adds bias (length dim) to each of rows rows. */
    public static void addBias(float[] x, int xo, int rows, int dim, float[] bias) {
        for (int r = 0; r < rows; r++) {
            int b = xo + r * dim;
            for (int i = 0; i < dim; i++) {
                x[b + i] += bias[i];
            }
        }
    }

    /** y[yo..yo+n) += x[xo..xo+n). */
    public static void addInPlace(float[] y, int yo, float[] x, int xo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] += x[xo + i];
        }
    }

    /** tanh through one exp; accurate to float precision for the GELU's range. */
    static float tanh(float x) {
        if (x > 9f) {
            return 1f;
        }
        if (x < -9f) {
            return -1f;
        }
        float e = (float) Math.exp(2f * x);
        return (e - 1f) / (e + 1f);
    }

    /** Error function (Abramowitz-Stegun 7.1.26 refined by one Newton step is overkill; 1.5e-7 is enough). */
    static double erf(double x) {
        double t = 1.0 / (1.0 + 0.5 * Math.abs(x));
        double y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? y : -y;
    }
}
