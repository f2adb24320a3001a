package org.cornserve.runtime.engine.kernel;

/**
 * Convolutions as im2col plus a matrix multiply, on channels-last activations ({@code [T][C]} for 1-d,
 * {@code [H][W][C]} for 2-d). Weights are PyTorch's {@code [out, in, k]} / {@code [out, in, kh, kw]}
 * packed as a {@link Linear} of input width {@code in * k} (or {@code in * kh * kw}).
 */
public final class Convolutions {
    private Convolutions() {
    }

    /** Output length of a 1-d convolution. */
    public static int outLength(int length, int kernel, int stride, int pad) {
        return (length + 2 * pad - kernel) / stride + 1;
    }

    /** 1-d convolution of {@code x [length][in]} with zero padding; returns {@code [outLength][out]}. */
    public static float[] conv1d(Kernels kernels, float[] x, int length, int in, Linear w, int kernel, int stride,
            int pad) {
        int outLen = outLength(length, kernel, stride, pad);
        int width = in * kernel;
        if (w.in() != width) {
            throw new IllegalArgumentException("conv1d weight takes " + w.in() + " inputs, im2col gives " + width);
        }
        float[] cols = new float[outLen * width];
        for (int t = 0; t < outLen; t++) {
            for (int j = 0; j < kernel; j++) {
                int src = t * stride + j - pad;
                if (src < 0 || src >= length) {
                    continue;
                }
                for (int c = 0; c < in; c++) {
                    cols[t * width + c * kernel + j] = x[src * in + c];
                }
            }
        }
        return w.apply(kernels.gemm(), cols, outLen);
    }

    /** 3x3 "same" 2-d convolution of {@code x [h][w][in]}; returns {@code [h][w][out]}. */
    public static float[] conv3x3(Kernels kernels, float[] x, int h, int wd, int in, Linear w) {
        int width = in * 9;
        if (w.in() != width) {
            throw new IllegalArgumentException("conv3x3 weight takes " + w.in() + " inputs, im2col gives " + width);
        }
        float[] out = new float[h * wd * w.out()];
        int rowsPerBlock = Math.max(1, 4096 / Math.max(1, wd));
        float[] cols = new float[Math.min(h, rowsPerBlock) * wd * width];
        for (int y0 = 0; y0 < h; y0 += rowsPerBlock) {
            int rows = Math.min(rowsPerBlock, h - y0);
            java.util.Arrays.fill(cols, 0f);
            for (int yy = 0; yy < rows; yy++) {
                int y = y0 + yy;
                for (int xx = 0; xx < wd; xx++) {
                    int base = (yy * wd + xx) * width;
                    for (int ky = 0; ky < 3; ky++) {
                        int sy = y + ky - 1;
                        if (sy < 0 || sy >= h) {
                            continue;
                        }
                        for (int kx = 0; kx < 3; kx++) {
                            int sx = xx + kx - 1;
                            if (sx < 0 || sx >= wd) {
                                continue;
                            }
                            int src = (sy * wd + sx) * in;
                            int dst = base + ky * 3 + kx;
                            for (int c = 0; c < in; c++) {
                                cols[dst + c * 9] = x[src + c];
                            }
                        }
                    }
                }
            }
            w.apply(kernels.gemm(), cols, 0, rows * wd, out, y0 * wd * w.out());
        }
        return out;
    }
}
