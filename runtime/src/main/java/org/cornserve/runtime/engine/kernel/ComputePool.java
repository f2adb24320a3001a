package org.cornserve.runtime.engine.kernel;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed pool of compute threads that kernels split their work over. The calling thread takes part,
 * so a pool of {@code threads} uses {@code threads - 1} workers. Calls made from inside a worker run
 * sequentially (no nested parallelism, no deadlock).
 */
public final class ComputePool implements AutoCloseable {
    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> false);

    private final int threads;
    private final ExecutorService workers;

    /** A pool of {@code threads} threads (the caller plus {@code threads - 1} daemon workers). */
    public ComputePool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        int id = POOL_IDS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.workers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(() -> {
                IN_WORKER.set(true);
                r.run();
            }, "engine-compute-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A single-threaded pool: everything runs on the caller. */
    public static ComputePool sequential() {
        return new ComputePool(1);
    }

    /** Number of threads work is split over. */
    public int threads() {
        return threads;
    }

    /** Runs {@code body} for task indexes 0..tasks-1 and waits for all of them. */
    public void run(int tasks, IntConsumer body) {
        if (tasks <= 1 || workers == null || IN_WORKER.get()) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        Future<?>[] pending = new Future<?>[tasks - 1];
        for (int i = 1; i < tasks; i++) {
            int task = i;
            pending[i - 1] = workers.submit(() -> body.accept(task));
        }
        RuntimeException failure = null;
        try {
            body.accept(0);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for compute threads", e);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
