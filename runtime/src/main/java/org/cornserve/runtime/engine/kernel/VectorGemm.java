package org.cornserve.runtime.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix multiply on the JDK Vector API: the blocked driver with a 6 x (2 vectors) micro-kernel of
 * fused multiply-adds (12 vector accumulators). The vector width is 256 bits unless the system
 * property {@code cornserve.engine.vectorBits} says 512 (or "preferred"); {@code cornserve.engine.rowBlock}
 * sets the rows of A packed per block (default 72).
 *
 * <p>Only load this class when the {@code jdk.incubator.vector} module is present; {@link Kernels}
 * checks that.
 */
public final class VectorGemm extends BlockedGemm {
    static final VectorSpecies<Float> S = VectorKernels.SPECIES;
    static final int L = S.length();
    static final int MR = 6;
    static final int NR = 2 * L;

    /** A vector kernel splitting large products over {@code pool}. */
    public VectorGemm(ComputePool pool) {
        super(pool, MR, NR, L >= 16 ? 128 : 256, Integer.getInteger("cornserve.engine.rowBlock", 72) / MR * MR);
    }

    @Override
    public String name() {
        return "vector-" + S.vectorBitSize();
    }

    @Override
    void kernelFull(float[] ap, int apOff, float[] bp, int bpOff, int kLen, float[] c, int cOff, int ldc,
            boolean first) {
        FloatVector c00, c01;
        FloatVector c10, c11;
        FloatVector c20, c21;
        FloatVector c30, c31;
        FloatVector c40, c41;
        FloatVector c50, c51;
        if (first) {
            FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z;
            c10 = z; c11 = z;
            c20 = z; c21 = z;
            c30 = z; c31 = z;
            c40 = z; c41 = z;
            c50 = z; c51 = z;
        } else {
            c00 = FloatVector.fromArray(S, c, cOff + 0 * ldc); c01 = FloatVector.fromArray(S, c, cOff + 0 * ldc + L);
            c10 = FloatVector.fromArray(S, c, cOff + 1 * ldc); c11 = FloatVector.fromArray(S, c, cOff + 1 * ldc + L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc); c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc); c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * ldc); c41 = FloatVector.fromArray(S, c, cOff + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * ldc); c51 = FloatVector.fromArray(S, c, cOff + 5 * ldc + L);
        }
        for (int kk = 0; kk < kLen; kk++) {
            int ai = apOff + kk * MR;
            int bi = bpOff + kk * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai + 0]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        }
        c00.intoArray(c, cOff + 0 * ldc); c01.intoArray(c, cOff + 0 * ldc + L);
        c10.intoArray(c, cOff + 1 * ldc); c11.intoArray(c, cOff + 1 * ldc + L);
        c20.intoArray(c, cOff + 2 * ldc); c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc); c31.intoArray(c, cOff + 3 * ldc + L);
        c40.intoArray(c, cOff + 4 * ldc); c41.intoArray(c, cOff + 4 * ldc + L);
        c50.intoArray(c, cOff + 5 * ldc); c51.intoArray(c, cOff + 5 * ldc + L);
    }

    @Override
    void kernelRow(float[] ap, int apOff, int r, float[] bp, int bpOff, int kLen, float[] c, int cOff,
            boolean first) {
        FloatVector c0;
        FloatVector c1;
        if (first) {
            c0 = FloatVector.zero(S);
            c1 = c0;
        } else {
            c0 = FloatVector.fromArray(S, c, cOff);
            c1 = FloatVector.fromArray(S, c, cOff + L);
        }
        for (int kk = 0; kk < kLen; kk++) {
            int bi = bpOff + kk * NR;
            FloatVector a = FloatVector.broadcast(S, ap[apOff + kk * MR + r]);
            c0 = a.fma(FloatVector.fromArray(S, bp, bi), c0);
            c1 = a.fma(FloatVector.fromArray(S, bp, bi + L), c1);
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + L);
    }

    @Override
    void kernelFullBf16(float[] ap, int apOff, short[] bp, int bpOff, int kLen, float[] c, int cOff, int ldc,
            boolean first) {
        FloatVector c00, c01;
        FloatVector c10, c11;
        FloatVector c20, c21;
        FloatVector c30, c31;
        FloatVector c40, c41;
        FloatVector c50, c51;
        if (first) {
            FloatVector z = FloatVector.zero(S);
            c00 = z; c01 = z;
            c10 = z; c11 = z;
            c20 = z; c21 = z;
            c30 = z; c31 = z;
            c40 = z; c41 = z;
            c50 = z; c51 = z;
        } else {
            c00 = FloatVector.fromArray(S, c, cOff + 0 * ldc); c01 = FloatVector.fromArray(S, c, cOff + 0 * ldc + L);
            c10 = FloatVector.fromArray(S, c, cOff + 1 * ldc); c11 = FloatVector.fromArray(S, c, cOff + 1 * ldc + L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc); c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc); c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * ldc); c41 = FloatVector.fromArray(S, c, cOff + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * ldc); c51 = FloatVector.fromArray(S, c, cOff + 5 * ldc + L);
        }
        for (int kk = 0; kk < kLen; kk++) {
            int ai = apOff + kk * MR;
            int bi = bpOff + kk * NR;
            FloatVector b0 = bf16(bp, bi);
            FloatVector b1 = bf16(bp, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai + 0]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        }
        c00.intoArray(c, cOff + 0 * ldc); c01.intoArray(c, cOff + 0 * ldc + L);
        c10.intoArray(c, cOff + 1 * ldc); c11.intoArray(c, cOff + 1 * ldc + L);
        c20.intoArray(c, cOff + 2 * ldc); c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc); c31.intoArray(c, cOff + 3 * ldc + L);
        c40.intoArray(c, cOff + 4 * ldc); c41.intoArray(c, cOff + 4 * ldc + L);
        c50.intoArray(c, cOff + 5 * ldc); c51.intoArray(c, cOff + 5 * ldc + L);
    }

    @Override
    void kernelRowBf16(float[] ap, int apOff, int r, short[] bp, int bpOff, int kLen, float[] c, int cOff,
            boolean first) {
        FloatVector c0;
        FloatVector c1;
        if (first) {
            c0 = FloatVector.zero(S);
            c1 = c0;
        } else {
            c0 = FloatVector.fromArray(S, c, cOff);
            c1 = FloatVector.fromArray(S, c, cOff + L);
        }
        for (int kk = 0; kk < kLen; kk++) {
            int bi = bpOff + kk * NR;
            FloatVector a = FloatVector.broadcast(S, ap[apOff + kk * MR + r]);
            c0 = a.fma(bf16(bp, bi), c0);
            c1 = a.fma(bf16(bp, bi + L), c1);
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + L);
    }

    private static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, S.vectorShape());

    /** L bfloat16 values widened to float32: sign-extend to int, shift into the high half. */
    private static FloatVector bf16(short[] a, int off) {
        return ((IntVector) ShortVector.fromArray(SHORTS, a, off).convertShape(VectorOperators.S2I, INTS, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}
