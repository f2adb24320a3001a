package org.cornserve.runtime.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VecOps} on the JDK Vector API, and the species every vector kernel uses. Only load this class
 * when the {@code jdk.incubator.vector} module is present.
 */
public final class VectorKernels implements VecOps {
    static final VectorSpecies<Float> SPECIES = pickSpecies();

    private static VectorSpecies<Float> pickSpecies() {
        String bits = System.getProperty("cornserve.engine.vectorBits", "256");
        return switch (bits) {
            case "128" -> FloatVector.SPECIES_128;
            case "512" -> FloatVector.SPECIES_512;
            case "preferred" -> FloatVector.SPECIES_PREFERRED;
            default -> FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256
                    ? FloatVector.SPECIES_256 : FloatVector.SPECIES_PREFERRED;
        };
    }

    private static final VectorSpecies<Float> S = SPECIES;
    private static final int L = S.length();

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= n; i += L) {
            acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        }
        float s = sumLanes(acc);
        for (; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    /**
     * Sums the lanes as a fixed tree of lane-wise adds (rotate by half, quarter, ...). reduceLanes is not
     * used because its order differs between the interpreter and compiled code, which would make a
     * result depend on JIT timing.
     */
    private static float sumLanes(FloatVector v) {
        for (int i = 0; i < ROTATIONS.length; i++) {
            v = v.add(v.rearrange(ROTATIONS[i]));
        }
        return v.lane(0);
    }

    private static final VectorShuffle<Float>[] ROTATIONS = rotations();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] rotations() {
        int steps = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] r = new VectorShuffle[steps];
        for (int i = 0, d = L / 2; d >= 1; d /= 2, i++) {
            r[i] = VectorShuffle.iota(S, d, 1, true);
        }
        return r;
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (; i + L <= n; i += L) {
            va.fma(FloatVector.fromArray(S, x, xo + i), FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += alpha * x[xo + i];
        }
    }
}
