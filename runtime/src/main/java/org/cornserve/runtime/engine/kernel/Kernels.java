package org.cornserve.runtime.engine.kernel;

import java.util.Locale;

/**
 * The kernels a model runs on: a matrix multiply, vector primitives and the thread pool they share.
 * {@link #create} picks the Vector API implementation when the {@code jdk.incubator.vector} module is
 * in the boot layer (the JVM was started with {@code --add-modules jdk.incubator.vector}) and the
 * scalar one otherwise; the vector classes are only loaded in the first case.
 *
 * @param gemm matrix multiply
 * @param vec dot products and axpy
 * @param pool compute threads
 */
public record Kernels(Gemm gemm, VecOps vec, ComputePool pool) implements AutoCloseable {

    /** Which implementation to use. */
    public enum Choice {
        /** Vector if available, else scalar. */
        AUTO,
        /** Plain Java loops. */
        SCALAR,
        /** JDK Vector API; fails when the module is absent. */
        VECTOR;

        /** Parses "auto", "scalar" or "vector". */
        public static Choice parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown kernel choice '" + s + "' (auto, scalar, vector)");
            }
        }
    }

    public Kernels {
        if (gemm == null || vec == null || pool == null) {
            throw new IllegalArgumentException("kernels need a gemm, vector ops and a pool");
        }
    }

    /** True when the Vector API module is present in this JVM. */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** Kernels of the given choice on a new pool of {@code threads} threads. */
    public static Kernels create(Choice choice, int threads) {
        ComputePool pool = new ComputePool(threads);
        boolean vector = switch (choice) {
            case AUTO -> vectorApiAvailable();
            case SCALAR -> false;
            case VECTOR -> {
                if (!vectorApiAvailable()) {
                    pool.close();
                    throw new IllegalStateException(
                            "the vector kernels need the JVM option --add-modules jdk.incubator.vector");
                }
                yield true;
            }
        };
        if (!vector) {
            return new Kernels(new ScalarGemm(pool), new ScalarVecOps(), pool);
        }
        try {
            Gemm gemm = (Gemm) Class.forName("org.cornserve.runtime.engine.kernel.VectorGemm")
                    .getConstructor(ComputePool.class).newInstance(pool);
            VecOps vec = (VecOps) Class.forName("org.cornserve.runtime.engine.kernel.VectorKernels")
                    .getConstructor().newInstance();
            return new Kernels(gemm, vec, pool);
        } catch (ReflectiveOperationException e) {
            pool.close();
            throw new IllegalStateException("could not load the vector kernels: " + e, e);
        }
    }

    /** The best available kernels on all available processors. */
    public static Kernels auto() {
        return create(Choice.AUTO, Runtime.getRuntime().availableProcessors());
    }

    /** Short description, e.g. "vector-256 x2 threads". */
    public String describe() {
        return gemm.name() + " x" + pool.threads() + " threads";
    }

    @Override
    public void close() {
        pool.close();
    }
}
