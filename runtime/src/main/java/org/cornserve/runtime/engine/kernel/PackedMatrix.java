package org.cornserve.runtime.engine.kernel;

/**
 * The right-hand operand of a matrix multiply, packed into column panels for one {@link Gemm}.
 * Logically it is B with {@code k} rows and {@code n} columns; panel {@code p} holds columns
 * {@code p*panelWidth ..} as {@code k} consecutive groups of {@code panelWidth} floats (zero padded).
 *
 * @param k rows of B (the reduction length, a layer's input width)
 * @param n columns of B (a layer's output width)
 * @param panelWidth floats per panel row, fixed by the Gemm that packed it
 * @param data packed values, {@code panels * k * panelWidth} floats
 */
public record PackedMatrix(int k, int n, int panelWidth, float[] data) {
    public PackedMatrix {
        if (k < 0 || n < 0 || panelWidth < 1) {
            throw new IllegalArgumentException("bad packed shape k=" + k + " n=" + n + " panel=" + panelWidth);
        }
        long need = (long) panels(n, panelWidth) * k * panelWidth;
        if (data.length != need) {
            throw new IllegalArgumentException("packed data has " + data.length + " floats, expected " + need);
        }
    }

    static int panels(int n, int panelWidth) {
        return (n + panelWidth - 1) / panelWidth;
    }

    /** Number of column panels. */
    public int panels() {
        return panels(n, panelWidth);
    }

    /** Bytes held. */
    public long bytes() {
        return 4L * data.length;
    }

    /** Packs B given row-major as {@code k x n} (b[r*n + c]). */
    public static PackedMatrix fromRowMajor(float[] b, int offset, int k, int n, int panelWidth) {
        float[] out = new float[panels(n, panelWidth) * k * panelWidth];
        for (int p = 0, panels = panels(n, panelWidth); p < panels; p++) {
            int col0 = p * panelWidth;
            int width = Math.min(panelWidth, n - col0);
            for (int r = 0; r < k; r++) {
                System.arraycopy(b, offset + r * n + col0, out, (p * k + r) * panelWidth, width);
            }
        }
        return new PackedMatrix(k, n, panelWidth, out);
    }

    /**
     * Packs B given as its transpose, a weight matrix W of {@code n} rows (outputs) by {@code k} columns
     * (inputs), as PyTorch's Linear stores it: y = x W^T.
     */
    public static PackedMatrix fromTransposed(float[] w, int offset, int n, int k, int panelWidth) {
        float[] out = new float[panels(n, panelWidth) * k * panelWidth];
        for (int j = 0; j < n; j++) {
            int p = j / panelWidth;
            int lane = j % panelWidth;
            int src = offset + j * k;
            int base = p * k * panelWidth + lane;
            for (int r = 0; r < k; r++) {
                out[base + r * panelWidth] = w[src + r];
            }
        }
        return new PackedMatrix(k, n, panelWidth, out);
    }
}
