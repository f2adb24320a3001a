package org.cornserve.runtime.engine.kernel;

/**
 * Plain-Java matrix multiply: the blocked driver with a 4 x 4 scalar micro-kernel (16 accumulators in
 * registers, separate multiply and add). Used when the Vector API module is absent, and as the
 * baseline the vector kernel is measured against.
 */
public final class ScalarGemm extends BlockedGemm {
    static final int MR = 4;
    static final int NR = 4;

    /** A scalar kernel splitting large products over {@code pool}. */
    public ScalarGemm(ComputePool pool) {
        super(pool, MR, NR, 256, 64);
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    void kernelFull(float[] ap, int apOff, float[] bp, int bpOff, int kLen, float[] c, int cOff, int ldc,
            boolean first) {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        if (!first) {
            int o = cOff;
            c00 = c[o]; c01 = c[o + 1]; c02 = c[o + 2]; c03 = c[o + 3];
            o += ldc;
            c10 = c[o]; c11 = c[o + 1]; c12 = c[o + 2]; c13 = c[o + 3];
            o += ldc;
            c20 = c[o]; c21 = c[o + 1]; c22 = c[o + 2]; c23 = c[o + 3];
            o += ldc;
            c30 = c[o]; c31 = c[o + 1]; c32 = c[o + 2]; c33 = c[o + 3];
        }
        for (int kk = 0; kk < kLen; kk++) {
            int ai = apOff + kk * MR;
            int bi = bpOff + kk * NR;
            float b0 = bp[bi], b1 = bp[bi + 1], b2 = bp[bi + 2], b3 = bp[bi + 3];
            float a0 = ap[ai], a1 = ap[ai + 1], a2 = ap[ai + 2], a3 = ap[ai + 3];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        int o = cOff;
        c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03;
        o += ldc;
        c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13;
        o += ldc;
        c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23;
        o += ldc;
        c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
    }

    @Override
    void kernelRow(float[] ap, int apOff, int r, float[] bp, int bpOff, int kLen, float[] c, int cOff,
            boolean first) {
        float c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        if (!first) {
            c0 = c[cOff]; c1 = c[cOff + 1]; c2 = c[cOff + 2]; c3 = c[cOff + 3];
        }
        for (int kk = 0; kk < kLen; kk++) {
            float a = ap[apOff + kk * MR + r];
            int bi = bpOff + kk * NR;
            c0 += a * bp[bi]; c1 += a * bp[bi + 1]; c2 += a * bp[bi + 2]; c3 += a * bp[bi + 3];
        }
        c[cOff] = c0; c[cOff + 1] = c1; c[cOff + 2] = c2; c[cOff + 3] = c3;
    }

    @Override
    void kernelFullBf16(float[] ap, int apOff, short[] bp, int bpOff, int kLen, float[] c, int cOff, int ldc,
            boolean first) {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        if (!first) {
            int o = cOff;
            c00 = c[o]; c01 = c[o + 1]; c02 = c[o + 2]; c03 = c[o + 3];
            o += ldc;
            c10 = c[o]; c11 = c[o + 1]; c12 = c[o + 2]; c13 = c[o + 3];
            o += ldc;
            c20 = c[o]; c21 = c[o + 1]; c22 = c[o + 2]; c23 = c[o + 3];
            o += ldc;
            c30 = c[o]; c31 = c[o + 1]; c32 = c[o + 2]; c33 = c[o + 3];
        }
        for (int kk = 0; kk < kLen; kk++) {
            int ai = apOff + kk * MR;
            int bi = bpOff + kk * NR;
            float b0 = bf(bp[bi]), b1 = bf(bp[bi + 1]), b2 = bf(bp[bi + 2]), b3 = bf(bp[bi + 3]);
            float a0 = ap[ai], a1 = ap[ai + 1], a2 = ap[ai + 2], a3 = ap[ai + 3];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        int o = cOff;
        c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03;
        o += ldc;
        c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13;
        o += ldc;
        c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23;
        o += ldc;
        c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
    }

    @Override
    void kernelRowBf16(float[] ap, int apOff, int r, short[] bp, int bpOff, int kLen, float[] c, int cOff,
            boolean first) {
        float c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        if (!first) {
            c0 = c[cOff]; c1 = c[cOff + 1]; c2 = c[cOff + 2]; c3 = c[cOff + 3];
        }
        for (int kk = 0; kk < kLen; kk++) {
            float a = ap[apOff + kk * MR + r];
            int bi = bpOff + kk * NR;
            c0 += a * bf(bp[bi]); c1 += a * bf(bp[bi + 1]); c2 += a * bf(bp[bi + 2]); c3 += a * bf(bp[bi + 3]);
        }
        c[cOff] = c0; c[cOff + 1] = c1; c[cOff + 2] = c2; c[cOff + 3] = c3;
    }

    private static float bf(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }
}
