package org.cornserve.runtime.engine.kernel;

import java.nio.FloatBuffer;

/**
 * Single-precision matrix multiply {@code C[m x n] = A[m x k] * B[k x n]} with B packed ahead of time.
 *
 * <p>Every implementation computes each output element as one sequential fused or unfused chain over
 * {@code k = 0..K-1}, started from zero, whatever the other rows of A are: a row's result does not
 * depend on the batch it is computed in, which makes continuous batching reproducible.
 */
public interface Gemm {
    /** Short name, e.g. "scalar" or "vector-256". */
    String name();

    /** Panel width this implementation packs B with. */
    int panelWidth();

    /** Packs row-major B ({@code k x n}). */
    default PackedMatrix packRowMajor(float[] b, int offset, int k, int n) {
        return PackedMatrix.fromRowMajor(b, offset, k, n, panelWidth());
    }

    /** Packs a weight matrix stored as {@code n x k} (outputs x inputs) so that C = A W^T. */
    default PackedMatrix packTransposed(float[] w, int offset, int n, int k) {
        return PackedMatrix.fromTransposed(w, offset, n, k, panelWidth());
    }

    /**
     * Computes {@code C = A * B}: A is row-major {@code m x b.k()} at {@code aOffset}, C row-major
     * {@code m x b.n()} at {@code cOffset}, overwritten.
     */
    void multiply(float[] a, int aOffset, int m, PackedMatrix b, float[] c, int cOffset);

    /**
     * Computes {@code C = A * B + bias} into a buffer (a shared-memory segment its consumer reads, so the output is
     * stored once, where it lies, with no array in between): C row-major {@code m x b.n()} from float
     * {@code cOffset} of {@code c}, overwritten through its absolute methods. Each element is the same chain as
     * {@link #multiply(float[], int, int, PackedMatrix, float[], int)}'s, then its column's bias added, so the result
     * equals that multiply followed by {@link Ops#addBias} bit for bit.
     *
     * @param bias {@code b.n()} floats added to every row, or null
     */
    void multiply(float[] a, int aOffset, int m, PackedMatrix b, float[] bias, FloatBuffer c, int cOffset);
}
