package org.cornserve.runtime.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VectorMathTest {
    private final VecOps vector = new VectorKernels();
    private final VecOps scalar = new ScalarVecOps();

    @Test
    void polynomialExpIsAccurateAndLanesMatchTheScalarTwin() {
        SplittableRandom r = new SplittableRandom(1);
        int l = VectorKernels.SPECIES.length();
        for (int i = 0; i < 2000; i++) {
            float[] x = new float[l];
            for (int j = 0; j < l; j++) {
                x[j] = (float) (i < 1000 ? r.nextDouble(-20, 0) : r.nextDouble(-90, 0));
            }
            x[0] = i == 0 ? 0f : x[0];
            float[] y = new float[l];
            VectorKernels.expNonPositive(FloatVector.fromArray(VectorKernels.SPECIES, x, 0)).intoArray(y, 0);
            for (int j = 0; j < l; j++) {
                float twin = VectorKernels.expNonPositive(x[j]);
                assertEquals(twin, y[j], 0f, "lane and scalar twin agree bit for bit at " + x[j]);
                double want = Math.exp(Math.max(x[j], -87));
                assertEquals(want, y[j], want * 4e-7, "exp(" + x[j] + ")");
            }
        }
    }

    @Test
    void vectorSoftmaxSiluAndGeluMatchScalar() {
        SplittableRandom r = new SplittableRandom(2);
        for (int n : new int[] {1, 7, 8, 9, 33, 100, 1025}) {
            float[] x = new float[n];
            float[] u = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) r.nextDouble(-12, 12);
                u[i] = (float) r.nextDouble(-2, 2);
            }
            float[] a = x.clone();
            float[] b = x.clone();
            vector.softmax(a, 0, n);
            scalar.softmax(b, 0, n);
            for (int i = 0; i < n; i++) {
                assertEquals(b[i], a[i], 1e-6 * Math.max(1e-3, b[i]) + 1e-12, "softmax " + i);
            }
            a = x.clone();
            b = x.clone();
            vector.siluMul(a, 0, u, 0, n);
            scalar.siluMul(b, 0, u, 0, n);
            for (int i = 0; i < n; i++) {
                assertEquals(b[i], a[i], 1e-5 * (1 + Math.abs(b[i])), "silu " + i);
            }
            a = x.clone();
            b = x.clone();
            vector.gelu(a, 0, n);
            scalar.gelu(b, 0, n);
            for (int i = 0; i < n; i++) {
                assertEquals(b[i], a[i], 1e-5 * (1 + Math.abs(b[i])), "gelu " + i);
            }
        }
    }

    @Test
    void weightedSumMatchesNaive() {
        SplittableRandom r = new SplittableRandom(3);
        for (int width : new int[] {1, 8, 20, 32, 40, 64, 100}) {
            int n = 1 + r.nextInt(50);
            float[] values = new float[64 * 128];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) r.nextDouble(-1, 1);
            }
            int[] slots = new int[n];
            float[] w = new float[n + 3];
            for (int j = 0; j < n; j++) {
                slots[j] = r.nextInt(60) * 128;
                w[j + 3] = (float) r.nextDouble();
            }
            float[] a = new float[width + 5];
            float[] b = new float[width + 5];
            vector.weightedSum(w, 3, n, values, slots, 7, a, 5, width);
            scalar.weightedSum(w, 3, n, values, slots, 7, b, 5, width);
            for (int e = 0; e < width; e++) {
                double want = 0;
                for (int j = 0; j < n; j++) {
                    want += (double) w[j + 3] * values[slots[j] + 7 + e];
                }
                assertEquals(want, a[5 + e], 1e-4, "vector width " + width);
                assertEquals(want, b[5 + e], 1e-4, "scalar width " + width);
            }
        }
    }
}
