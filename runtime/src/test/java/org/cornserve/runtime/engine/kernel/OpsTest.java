package org.cornserve.runtime.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class OpsTest {
    static final Kernels K = Kernels.create(Kernels.Choice.AUTO, 2);

    @AfterAll
    static void close() {
        K.close();
    }

    static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextDouble(-3, 3);
        }
        return x;
    }

    @Test
    void softmaxNormsAndActivationsMatchDefinitions() {
        float[] x = random(1, 37);
        float[] s = x.clone();
        Ops.softmax(s, 0, 37);
        double z = 0;
        for (float v : x) {
            z += Math.exp(v);
        }
        for (int i = 0; i < 37; i++) {
            assertEquals(Math.exp(x[i]) / z, s[i], 1e-6);
        }
        float[] w = random(2, 17);
        float[] b = random(3, 17);
        float[] rows = random(4, 3 * 17);
        float[] rms = new float[rows.length];
        float[] ln = new float[rows.length];
        Ops.rmsNorm(rows, 0, rms, 0, 3, 17, w, 1e-6f);
        Ops.layerNorm(rows, 0, ln, 0, 3, 17, w, b, 1e-5f);
        for (int r = 0; r < 3; r++) {
            double ss = 0;
            double mean = 0;
            for (int i = 0; i < 17; i++) {
                ss += rows[r * 17 + i] * rows[r * 17 + i];
                mean += rows[r * 17 + i] / 17.0;
            }
            double var = 0;
            for (int i = 0; i < 17; i++) {
                var += Math.pow(rows[r * 17 + i] - mean, 2) / 17;
            }
            for (int i = 0; i < 17; i++) {
                double v = rows[r * 17 + i];
                assertEquals(v / Math.sqrt(ss / 17 + 1e-6) * w[i], rms[r * 17 + i], 1e-5);
                assertEquals((v - mean) / Math.sqrt(var + 1e-5) * w[i] + b[i], ln[r * 17 + i], 1e-5);
            }
        }
        float[] g = x.clone();
        Ops.gelu(g, 0, g.length);
        float[] si = x.clone();
        Ops.silu(si, 0, si.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Ops.geluExact(x[i]), g[i], 1e-3, "gelu tanh approximation within 1e-3 of exact");
            assertEquals(x[i] / (1 + Math.exp(-x[i])), si[i], 1e-6);
        }
    }

    @Test
    void ropeRotatesPairsByPositionAngle() {
        Rope rope = new Rope(8, 64, 10000);
        float[] x = random(5, 16);
        float[] y = x.clone();
        rope.apply(y, 0, 2, 13);
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < 4; i++) {
                double ang = 13 * Math.pow(10000, -2.0 * i / 8);
                double a = x[h * 8 + i];
                double c = x[h * 8 + i + 4];
                assertEquals(a * Math.cos(ang) - c * Math.sin(ang), y[h * 8 + i], 1e-5);
                assertEquals(c * Math.cos(ang) + a * Math.sin(ang), y[h * 8 + i + 4], 1e-5);
            }
        }
        // relative property: <rope(q, m), rope(k, n)> depends only on m - n
        float[] q = random(6, 8);
        float[] k = random(7, 8);
        double d1 = dotAt(rope, q, k, 20, 15);
        double d2 = dotAt(rope, q, k, 40, 35);
        assertEquals(d1, d2, 1e-4);
    }

    private static double dotAt(Rope rope, float[] q, float[] k, int m, int n) {
        float[] a = q.clone();
        float[] b = k.clone();
        rope.apply(a, 0, 1, m);
        rope.apply(b, 0, 1, n);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void denseAttentionMatchesNaive() {
        int n = 23;
        int heads = 3;
        int hd = 8;
        int dim = heads * hd;
        float[] qkv = random(8, n * 3 * dim);
        float[] out = new float[n * dim];
        DenseAttention.selfAttention(K, qkv, 0, n, heads, hd, out, 0);
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < heads; h++) {
                double[] s = new double[n];
                double z = 0;
                for (int j = 0; j < n; j++) {
                    double d = 0;
                    for (int e = 0; e < hd; e++) {
                        d += qkv[i * 3 * dim + h * hd + e] * qkv[j * 3 * dim + dim + h * hd + e];
                    }
                    s[j] = Math.exp(d / Math.sqrt(hd));
                    z += s[j];
                }
                for (int e = 0; e < hd; e++) {
                    double o = 0;
                    for (int j = 0; j < n; j++) {
                        o += s[j] / z * qkv[j * 3 * dim + 2 * dim + h * hd + e];
                    }
                    assertEquals(o, out[i * dim + h * hd + e], 1e-4);
                }
            }
        }
    }

    @Test
    void convolutionsMatchDirectLoops() {
        int len = 19;
        int in = 5;
        int outCh = 7;
        float[] x = random(9, len * in);
        float[] w = random(10, outCh * in * 3);
        float[] bias = random(11, outCh);
        Linear lin = new Linear(K.gemm().packTransposed(w, 0, outCh, in * 3), bias);
        float[] y = Convolutions.conv1d(K, x, len, in, lin, 3, 2, 1);
        int outLen = Convolutions.outLength(len, 3, 2, 1);
        assertEquals(10, outLen);
        for (int t = 0; t < outLen; t++) {
            for (int o = 0; o < outCh; o++) {
                double s = bias[o];
                for (int c = 0; c < in; c++) {
                    for (int j = 0; j < 3; j++) {
                        int src = t * 2 + j - 1;
                        if (src >= 0 && src < len) {
                            s += w[(o * in + c) * 3 + j] * x[src * in + c];
                        }
                    }
                }
                assertEquals(s, y[t * outCh + o], 1e-4);
            }
        }
        int h = 6;
        int wd = 9;
        float[] img = random(12, h * wd * in);
        float[] w2 = random(13, outCh * in * 9);
        Linear lin2 = new Linear(K.gemm().packTransposed(w2, 0, outCh, in * 9), bias);
        float[] y2 = Convolutions.conv3x3(K, img, h, wd, in, lin2);
        for (int yy = 0; yy < h; yy++) {
            for (int xx = 0; xx < wd; xx++) {
                for (int o = 0; o < outCh; o++) {
                    double s = bias[o];
                    for (int c = 0; c < in; c++) {
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int sy = yy + ky - 1;
                                int sx = xx + kx - 1;
                                if (sy >= 0 && sy < h && sx >= 0 && sx < wd) {
                                    s += w2[((o * in + c) * 3 + ky) * 3 + kx] * img[(sy * wd + sx) * in + c];
                                }
                            }
                        }
                    }
                    assertEquals(s, y2[(yy * wd + xx) * outCh + o], 1e-4);
                }
            }
        }
        assertArrayEquals(y2, Convolutions.conv3x3(K, img, h, wd, in, lin2));
    }
}
