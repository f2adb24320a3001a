package org.cornserve.runtime.engine.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
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

    @Override
    public void weightedSum(float[] w, int wo, int n, float[] values, int[] slots, int off, float[] out, int oo,
            int width) {
        int e = 0;
        // four vector accumulators stay in registers over all n values (no load/store of out per value)
        for (; e + 4 * L <= width; e += 4 * L) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int j = 0; j < n; j++) {
                FloatVector p = FloatVector.broadcast(S, w[wo + j]);
                int base = slots[j] + off + e;
                a0 = p.fma(FloatVector.fromArray(S, values, base), a0);
                a1 = p.fma(FloatVector.fromArray(S, values, base + L), a1);
                a2 = p.fma(FloatVector.fromArray(S, values, base + 2 * L), a2);
                a3 = p.fma(FloatVector.fromArray(S, values, base + 3 * L), a3);
            }
            a0.intoArray(out, oo + e);
            a1.intoArray(out, oo + e + L);
            a2.intoArray(out, oo + e + 2 * L);
            a3.intoArray(out, oo + e + 3 * L);
        }
        for (; e + L <= width; e += L) {
            FloatVector a = FloatVector.zero(S);
            for (int j = 0; j < n; j++) {
                a = FloatVector.broadcast(S, w[wo + j]).fma(FloatVector.fromArray(S, values, slots[j] + off + e), a);
            }
            a.intoArray(out, oo + e);
        }
        for (; e < width; e++) {
            float a = 0;
            for (int j = 0; j < n; j++) {
                a += w[wo + j] * values[slots[j] + off + e];
            }
            out[oo + e] = a;
        }
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;

    /**
     * e^x lane-wise for x <= 0 (larger values are clamped to 0, smaller to -87): x = k ln2 + r, then a
     * degree-7 polynomial of r and 2^k from the exponent bits. Only lane-wise IEEE operations, so the
     * interpreter and compiled code agree bit for bit. Relative error about 2e-7.
     */
    static FloatVector expNonPositive(FloatVector x) {
        x = x.max(-87f).min(0f);
        FloatVector t = x.mul(LOG2E).sub(0.5f);
        IntVector k = (IntVector) t.convert(VectorOperators.F2I, 0);
        FloatVector kf = (FloatVector) k.convert(VectorOperators.I2F, 0);
        FloatVector r = kf.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = kf.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, 1.9875691500e-4f);
        p = p.fma(r, FloatVector.broadcast(S, 1.3981999507e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        p = p.fma(r.mul(r), r).add(1f);
        FloatVector scale = k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale);
    }

    /** The scalar twin of {@link #expNonPositive} for loop tails (same operations, same rounding). */
    static float expNonPositive(float x) {
        x = Math.min(Math.max(x, -87f), 0f);
        float t = x * LOG2E - 0.5f;
        int k = (int) t;
        float kf = k;
        float r = Math.fma(kf, -LN2_HI, x);
        r = Math.fma(kf, -LN2_LO, r);
        float p = 1.9875691500e-4f;
        p = Math.fma(p, r, 1.3981999507e-3f);
        p = Math.fma(p, r, 8.3334519073e-3f);
        p = Math.fma(p, r, 4.1665795894e-2f);
        p = Math.fma(p, r, 1.6666665459e-1f);
        p = Math.fma(p, r, 5.0000001201e-1f);
        p = Math.fma(p, r * r, r) + 1f;
        return p * Float.intBitsToFloat((k + 127) << 23);
    }

    @Override
    public void softmax(float[] x, int off, int n) {
        if (n == 0) {
            return;
        }
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i + L <= n; i += L) {
            vmax = vmax.max(FloatVector.fromArray(S, x, off + i));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        FloatVector acc = FloatVector.zero(S);
        i = 0;
        for (; i + L <= n; i += L) {
            FloatVector e = expNonPositive(FloatVector.fromArray(S, x, off + i).sub(max));
            e.intoArray(x, off + i);
            acc = acc.add(e);
        }
        float sum = sumLanes(acc);
        for (; i < n; i++) {
            float e = expNonPositive(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, x, off + i).mul(inv).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= inv;
        }
    }

    /** sigmoid(v) = 1 / (1 + e^-|v|) mirrored for negative v, so exp only sees non-positive inputs. */
    private static FloatVector sigmoid(FloatVector v) {
        FloatVector e = expNonPositive(v.abs().neg());
        FloatVector denom = e.add(1f);
        FloatVector forPositive = FloatVector.broadcast(S, 1f).div(denom);
        return forPositive.blend(e.div(denom), v.compare(VectorOperators.LT, 0f));
    }

    private static float sigmoid(float v) {
        float e = expNonPositive(-Math.abs(v));
        return v < 0 ? e / (e + 1f) : 1f / (e + 1f);
    }

    @Override
    public void siluMul(float[] gate, int go, float[] up, int uo, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector g = FloatVector.fromArray(S, gate, go + i);
            g.mul(sigmoid(g)).mul(FloatVector.fromArray(S, up, uo + i)).intoArray(gate, go + i);
        }
        for (; i < n; i++) {
            float g = gate[go + i];
            gate[go + i] = g * sigmoid(g) * up[uo + i];
        }
    }

    @Override
    public void gelu(float[] x, int off, int n) {
        // 0.5 v (1 + tanh(u)) = v * sigmoid(2u), u = sqrt(2/pi) (v + 0.044715 v^3)
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, off + i);
            FloatVector u = v.mul(v).mul(0.044715f).add(1f).mul(v).mul(2f * 0.7978845608f);
            v.mul(sigmoid(u)).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            float v = x[off + i];
            float u = (v * v * 0.044715f + 1f) * v * (2f * 0.7978845608f);
            x[off + i] = v * sigmoid(u);
        }
    }
}
