package org.cornserve.runtime.engine.kernel;

import java.nio.FloatBuffer;
import org.cornserve.runtime.engine.weights.WeightSource;

/**
 * A linear layer y = x W^T + b with W packed once for a {@link Gemm}.
 *
 * @param weight packed W ({@code in} = k, {@code out} = n)
 * @param bias bias of length out, or null
 */
public record Linear(PackedMatrix weight, float[] bias) {
    public Linear {
        if (bias != null && bias.length != weight.n()) {
            throw new IllegalArgumentException("bias of " + bias.length + " for " + weight.n() + " outputs");
        }
    }

    /** Loads {@code name.weight} [out, in] (and {@code name.bias} [out] when {@code withBias}). */
    public static Linear load(Gemm gemm, WeightSource src, String name, int out, int in, boolean withBias) {
        float[] w = src.get(name + ".weight", WeightSource.Init.FAN_IN, out, in);
        float[] b = withBias ? src.get(name + ".bias", WeightSource.Init.ZEROS, out) : null;
        return new Linear(gemm.packTransposed(w, 0, out, in), b);
    }

    /** The same layer with its weight stored as bfloat16 (bias stays float32). */
    public Linear toBf16() {
        return new Linear(weight.toBf16(), bias);
    }

    /** Input width. */
    public int in() {
        return weight.k();
    }

    /** Output width. */
    public int out() {
        return weight.n();
    }

    /** out[rows x out] = x[rows x in] W^T + b. */
    public void apply(Gemm gemm, float[] x, int xo, int rows, float[] y, int yo) {
        gemm.multiply(x, xo, rows, weight, y, yo);
        if (bias != null) {
            Ops.addBias(y, yo, rows, out(), bias);
        }
    }

    /**
     * out[rows x out] = x[rows x in] W^T + b stored into {@code y} from float {@code yo} (a shared-memory segment the
     * consumer reads): equal bit for bit to {@link #apply(Gemm, float[], int, int, float[], int)}.
     */
    public void apply(Gemm gemm, float[] x, int xo, int rows, FloatBuffer y, int yo) {
        gemm.multiply(x, xo, rows, weight, bias, y, yo);
    }

    /** A new array with the output of {@code rows} rows. */
    public float[] apply(Gemm gemm, float[] x, int rows) {
        float[] y = new float[rows * out()];
        apply(gemm, x, 0, rows, y, 0);
        return y;
    }
}
