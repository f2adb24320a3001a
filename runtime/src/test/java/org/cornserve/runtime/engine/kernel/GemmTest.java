package org.cornserve.runtime.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GemmTest {
    private static final Kernels SCALAR1 = Kernels.create(Kernels.Choice.SCALAR, 1);
    private static final Kernels SCALAR2 = Kernels.create(Kernels.Choice.SCALAR, 2);
    private static final Kernels VECTOR1 = Kernels.create(Kernels.Choice.VECTOR, 1);
    private static final Kernels VECTOR2 = Kernels.create(Kernels.Choice.VECTOR, 2);

    @AfterAll
    static void close() {
        SCALAR1.close();
        SCALAR2.close();
        VECTOR1.close();
        VECTOR2.close();
    }

    static List<Gemm> gemms() {
        return List.of(SCALAR1.gemm(), SCALAR2.gemm(), VECTOR1.gemm(), VECTOR2.gemm());
    }

    static List<Arguments> shapes() {
        List<int[]> dims = new ArrayList<>(List.of(new int[] {1, 1, 1}, new int[] {17, 33, 65},
                new int[] {1, 256, 768}, new int[] {7, 300, 9}, new int[] {64, 600, 70}, new int[] {13, 0, 5},
                new int[] {100, 129, 131}));
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < 8; i++) {
            dims.add(new int[] {1 + rnd.nextInt(90), 1 + rnd.nextInt(300), 1 + rnd.nextInt(90)});
        }
        List<Arguments> out = new ArrayList<>();
        for (int[] d : dims) {
            for (int g = 0; g < 4; g++) {
                out.add(Arguments.of(g, d[0], d[1], d[2]));
            }
        }
        return out;
    }

    static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** C = A B in double precision, the reference. */
    static double[] naive(float[] a, float[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void matchesNaiveReference(int gemmIndex, int m, int k, int n) {
        Gemm gemm = gemms().get(gemmIndex);
        SplittableRandom rnd = new SplittableRandom(m * 31L + k * 7L + n);
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        double[] want = naive(a, b, m, k, n);
        float[] c = new float[m * n + 3];
        Arrays.fill(c, 99f);
        gemm.multiply(a, 0, m, gemm.packRowMajor(b, 0, k, n), c, 0);
        float[] bt = new float[n * k];
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                bt[j * k + p] = b[p * n + j];
            }
        }
        float[] c2 = new float[m * n];
        gemm.multiply(a, 0, m, gemm.packTransposed(bt, 0, n, k), c2, 0);
        double tol = 1e-5 * Math.sqrt(k + 1) * 4;
        for (int i = 0; i < m * n; i++) {
            assertEquals(want[i], c[i], tol, gemm.name() + " element " + i);
            assertEquals(c[i], c2[i], 0f, "row-major and transposed packing agree");
        }
        assertEquals(99f, c[m * n], "no write past C");
    }

    /**
     * C stored into a buffer (an off-heap one at an offset, as a shared-memory segment is written in place), with a
     * bias, f32 and bf16 weights: bit for bit the array path followed by {@link Ops#addBias}, the floats around it
     * untouched. The shapes cover several K blocks (C carried through the buffer), edge tiles and threading.
     */
    @ParameterizedTest
    @MethodSource("shapes")
    void aBufferOutputEqualsTheArrayOutputPlusBiasBitForBit(int gemmIndex, int m, int k, int n) {
        Gemm gemm = gemms().get(gemmIndex);
        SplittableRandom rnd = new SplittableRandom(31L * m + 7L * k + n);
        float[] a = random(rnd, m * k);
        float[] w = random(rnd, n * k);
        float[] bias = random(rnd, n);
        for (boolean bf16 : new boolean[] {false, true}) {
            PackedMatrix b = gemm.packTransposed(w, 0, n, k);
            if (bf16) {
                b = b.toBf16();
            }
            float[] expected = new float[m * n];
            gemm.multiply(a, 0, m, b, expected, 0);
            Ops.addBias(expected, 0, m, n, bias);
            int offset = 3;
            FloatBuffer c = ByteBuffer.allocateDirect(4 * (m * n + offset + 2)).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            for (int i = 0; i < c.capacity(); i++) {
                c.put(i, Float.NaN);
            }
            gemm.multiply(a, 0, m, b, bias, c, offset);
            float[] got = new float[m * n];
            c.get(offset, got);
            assertArrayEquals(expected, got, gemm.name() + (bf16 ? " bf16" : " f32"));
            for (int i : new int[] {0, 1, 2, offset + m * n, offset + m * n + 1}) {
                assertTrue(Float.isNaN(c.get(i)), "float " + i + " outside C untouched");
            }
        }
    }

    @Test
    void rowResultDoesNotDependOnBatch() {
        SplittableRandom rnd = new SplittableRandom(7);
        int k = 700;
        int n = 200;
        for (Gemm gemm : gemms()) {
            PackedMatrix b = gemm.packRowMajor(random(rnd, k * n), 0, k, n);
            float[] a = random(rnd, 37 * k);
            float[] all = new float[37 * n];
            gemm.multiply(a, 0, 37, b, all, 0);
            for (int row : new int[] {0, 5, 6, 11, 36}) {
                float[] alone = new float[n];
                gemm.multiply(Arrays.copyOfRange(a, row * k, row * k + k), 0, 1, b, alone, 0);
                assertArrayEquals(Arrays.copyOfRange(all, row * n, row * n + n), alone, gemm.name() + " row " + row);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void bf16StorageMatchesNaiveOnRoundedValues(int gemmIndex, int m, int k, int n) {
        Gemm gemm = gemms().get(gemmIndex);
        SplittableRandom rnd = new SplittableRandom(m * 13L + k * 5L + n);
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] rounded = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            rounded[i] = org.cornserve.runtime.engine.tensor.HalfFloats.bf16ToFloat(
                    org.cornserve.runtime.engine.tensor.HalfFloats.floatToBf16(b[i]));
        }
        PackedMatrix packed = gemm.packRowMajor(b, 0, k, n).toBf16();
        assertEquals(2L * packed.bf16().length, packed.bytes());
        float[] c = new float[m * n];
        gemm.multiply(a, 0, m, packed, c, 0);
        float[] f32 = new float[m * n];
        gemm.multiply(a, 0, m, gemm.packRowMajor(rounded, 0, k, n), f32, 0);
        double[] want = naive(a, rounded, m, k, n);
        for (int i = 0; i < m * n; i++) {
            assertEquals(want[i], c[i], 1e-5 * Math.sqrt(k + 1) * 4, gemm.name() + " element " + i);
            assertEquals(f32[i], c[i], 0f, "bf16 storage computes exactly as float32 holding the rounded values");
        }
    }

    @Test
    void vectorOpsMatchScalar() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int n : new int[] {0, 1, 7, 8, 31, 32, 33, 100}) {
            float[] x = random(rnd, n + 2);
            float[] y = random(rnd, n + 2);
            double want = 0;
            for (int i = 0; i < n; i++) {
                want += (double) x[i + 1] * y[i + 2];
            }
            assertEquals(want, VECTOR1.vec().dot(x, 1, y, 2, n), 1e-5);
            assertEquals(want, SCALAR1.vec().dot(x, 1, y, 2, n), 1e-5);
            float[] y1 = y.clone();
            float[] y2 = y.clone();
            VECTOR1.vec().axpy(0.5f, x, 0, y1, 1, n);
            SCALAR1.vec().axpy(0.5f, x, 0, y2, 1, n);
            assertArrayEquals(y2, y1, 1e-6f);
        }
        assertTrue(Kernels.vectorApiAvailable(), "tests run with --add-modules jdk.incubator.vector");
    }
}
