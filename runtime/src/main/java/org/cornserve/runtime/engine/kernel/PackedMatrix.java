package org.cornserve.runtime.engine.kernel;

/**
 * The right-hand operand of a matrix multiply, packed into column panels for one {@link Gemm}.
 * Logically it is B with {@code k} rows and {@code n} columns; panel {@code p} holds columns
 * {@code p*panelWidth ..} as {@code k} consecutive groups of {@code panelWidth} floats (zero padded).
 *
 * @param k rows of B (the reduction length, a layer's input width)
 * @param n columns of B (a layer's output width)
 * @param panelWidth floats per panel row, fixed by the Gemm that packed it
 * <p>Values are stored either as float32 ({@code data}) or as bfloat16 ({@code bf16}, half the memory
 * traffic; kernels widen them to float32 on load, so arithmetic stays float32).
 *
 * @param data packed float32 values, {@code panels * k * panelWidth}, or null when stored as bf16
 * @param bf16 packed bfloat16 bits of the same layout, or null when stored as float32
 */
public record PackedMatrix(int k, int n, int panelWidth, float[] data, short[] bf16) {
    public PackedMatrix {
        if (k < 0 || n < 0 || panelWidth < 1) {
            throw new IllegalArgumentException("bad packed shape k=" + k + " n=" + n + " panel=" + panelWidth);
        }
        if ((data == null) == (bf16 == null)) {
            throw new IllegalArgumentException("a packed matrix holds exactly one of float32 or bf16 values");
        }
        long need = (long) panels(n, panelWidth) * k * panelWidth;
        long have = data != null ? data.length : bf16.length;
        if (have != need) {
            throw new IllegalArgumentException("packed data has " + have + " values, expected " + need);
        }
    }

    /** A float32 packed matrix. */
    public PackedMatrix(int k, int n, int panelWidth, float[] data) {
        this(k, n, panelWidth, data, null);
    }

    /** True when values are stored as bfloat16. */
    public boolean isBf16() {
        return bf16 != null;
    }

    /** The same matrix with its values rounded to bfloat16 storage. */
    public PackedMatrix toBf16() {
        if (bf16 != null) {
            return this;
        }
        short[] out = new short[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = org.cornserve.runtime.engine.tensor.HalfFloats.floatToBf16(data[i]);
        }
        return new PackedMatrix(k, n, panelWidth, null, out);
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
        return data != null ? 4L * data.length : 2L * bf16.length;
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
