package org.cornserve.runtime.engine.bench;

import java.util.SplittableRandom;
import org.cornserve.runtime.engine.kernel.Gemm;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.engine.kernel.PackedMatrix;

/** Measures square matrix-multiply throughput (packing of B included, as in a BLAS call). */
public final class MatmulBench {
    private MatmulBench() {
    }

    /** One measurement: the best of {@code repeats} timed runs after one warm-up. */
    public record Result(String kernel, int threads, int size, double bestSeconds, double gflops) {
    }

    /** Times C = A B on two {@code size x size} matrices, best of {@code repeats}. */
    public static Result run(Kernels kernels, int size, int repeats) {
        SplittableRandom rnd = new SplittableRandom(size);
        float[] a = new float[size * size];
        float[] b = new float[size * size];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
            b[i] = (float) rnd.nextDouble(-1, 1);
        }
        float[] c = new float[size * size];
        Gemm gemm = kernels.gemm();
        warmUp(gemm);
        double best = Double.MAX_VALUE;
        for (int r = 0; r <= repeats; r++) {
            long t0 = System.nanoTime();
            PackedMatrix pb = gemm.packRowMajor(b, 0, size, size);
            gemm.multiply(a, 0, size, pb, c, 0);
            double s = (System.nanoTime() - t0) / 1e9;
            if (r > 0 || repeats == 0) {
                best = Math.min(best, s);
            }
        }
        double flops = 2.0 * size * size * size;
        return new Result(gemm.name(), kernels.pool().threads(), size, best, flops / best / 1e9);
    }

    /** Runs small products for half a second so the JIT has compiled the kernels before timing. */
    static void warmUp(Gemm gemm) {
        int n = 256;
        float[] a = new float[n * n];
        java.util.Arrays.fill(a, 0.5f);
        float[] c = new float[n * n];
        PackedMatrix b = gemm.packRowMajor(a, 0, n, n);
        long end = System.nanoTime() + 500_000_000L;
        for (int i = 0; i < 5 || System.nanoTime() < end; i++) {
            gemm.multiply(a, 0, n, b, c, 0);
        }
    }

    /** Command-line entry for quick checks: sizes... */
    public static void main(String[] args) {
        int threads = Integer.parseInt(System.getProperty("threads", "1"));
        String kind = System.getProperty("kind", "auto");
        int repeats = Integer.parseInt(System.getProperty("repeats", "3"));
        try (Kernels k = Kernels.create(Kernels.Choice.parse(kind), threads)) {
            for (String s : args) {
                Result r = run(k, Integer.parseInt(s), repeats);
                System.out.printf("%s threads=%d n=%d best=%.4fs %.2f GFLOP/s%n", r.kernel(), r.threads(), r.size(),
                        r.bestSeconds(), r.gflops());
            }
        }
    }
}
