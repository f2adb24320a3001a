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
}
