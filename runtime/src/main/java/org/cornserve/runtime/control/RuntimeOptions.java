package org.cornserve.runtime.control;

import java.nio.file.Path;
import org.cornserve.planner.schedule.scale.Autoscaler;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;

/**
 * The runtime's settings, with documented defaults ({@link #defaults()}).
 *
 * @param kvTokensPerTask KV-cache tokens of each autoregressive task on a replica, at most (the plan's figure from
 *     device memory is capped by this; the scheduler and the executor use the same number)
 * @param maxRunIterations decode iterations one step may run before the executor reports (tokens stream at each
 *     report); 1 reports every token
 * @param admissionBound invocations admitted to a deployment and not finished before requests are refused with 429
 * @param requestTimeoutMillis a request not answered in this time fails with 504
 * @param startupTimeoutMillis an executor not ready in this time is killed (and counted as a failed start)
 * @param tensorTimeoutMillis a tensor not consumed in this time is reclaimed
 * @param weightSeed seed of every executor's generated weights
 * @param shmDir the shared-memory directory
 * @param ignoreEos LLMs generate until a request's {@code max_tokens} even past end-of-sequence, as vLLM's
 *     {@code ignore_eos} in its benchmarks: for load tests and validation, where the trace fixes each output length
 * @param tensorTransport how tensors cross between executors: shared memory where processes share it and the socket
 *     stream otherwise (auto), or forced either way
 * @param deployOnRegister whether deployments start only when a registered app needs them and stop when no app
 *     uses them any more (a server with a gateway: {@code cornserve serve}); false starts every deployment of the
 *     plan at once and keeps it (a runtime driven without apps: tests, benchmarks, the profiler)
 * @param maxRetries times a request whose executor died before anything of it reached the client is sent again
 *     to another live replica; 0 fails it at once
 * @param scaleIntervalNanos time between the autoscaler's evaluations, for a plan with {@code autoscale}
 */
public record RuntimeOptions(long kvTokensPerTask, long maxRunIterations, int admissionBound,
        long requestTimeoutMillis, long startupTimeoutMillis, long tensorTimeoutMillis, long weightSeed, Path shmDir,
        boolean ignoreEos, TensorTransport.Mode tensorTransport, boolean deployOnRegister, int maxRetries,
        long scaleIntervalNanos) {

    /** Retries of a request whose executor died before any of its output was sent. */
    public static final int DEFAULT_RETRIES = 2;

    public RuntimeOptions {
        if (kvTokensPerTask < 1 || maxRunIterations < 1 || admissionBound < 0 || requestTimeoutMillis < 1
                || startupTimeoutMillis < 1 || tensorTimeoutMillis < 1 || maxRetries < 0 || scaleIntervalNanos < 1) {
            throw new IllegalArgumentException("runtime options out of range: " + kvTokensPerTask + " KV tokens, "
                    + maxRunIterations + " run iterations, admission " + admissionBound + ", timeouts "
                    + requestTimeoutMillis + "/" + startupTimeoutMillis + "/" + tensorTimeoutMillis + " ms, "
                    + maxRetries + " retries, scaling every " + scaleIntervalNanos + " ns");
        }
        if (tensorTransport == null) {
            throw new IllegalArgumentException("runtime options: the tensor transport must be auto, shm or socket");
        }
    }

    /**
     * As the canonical constructor, tensors by shared memory where processes share it (auto), every deployment
     * started at once, {@value #DEFAULT_RETRIES} retries, scaling evaluated at the core's default interval.
     */
    public RuntimeOptions(long kvTokensPerTask, long maxRunIterations, int admissionBound, long requestTimeoutMillis,
            long startupTimeoutMillis, long tensorTimeoutMillis, long weightSeed, Path shmDir, boolean ignoreEos) {
        this(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis, startupTimeoutMillis,
                tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, TensorTransport.Mode.AUTO, false, DEFAULT_RETRIES,
                Autoscaler.DEFAULT_INTERVAL_NANOS);
    }

    /** As above, ending sequences at end-of-sequence. */
    public RuntimeOptions(long kvTokensPerTask, long maxRunIterations, int admissionBound, long requestTimeoutMillis,
            long startupTimeoutMillis, long tensorTimeoutMillis, long weightSeed, Path shmDir) {
        this(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis, startupTimeoutMillis,
                tensorTimeoutMillis, weightSeed, shmDir, false);
    }

    /**
     * 16384 KV tokens per task, 4 decode iterations per report, 256 outstanding invocations per deployment,
     * 120 s per request, 120 s to start an executor, 30 s per tensor, weight seed 1, /dev/shm, sequences end at
     * end-of-sequence, tensors by shared memory where processes share it and by socket stream otherwise, every
     * deployment started at once, {@value #DEFAULT_RETRIES} retries, scaling evaluated every 15 s.
     */
    public static RuntimeOptions defaults() {
        return new RuntimeOptions(16384, 4, 256, 120_000, 120_000, 30_000, 1, SharedMemorySidecar.DEV_SHM);
    }

    public RuntimeOptions withAdmissionBound(int bound) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, bound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, tensorTransport,
                deployOnRegister, maxRetries, scaleIntervalNanos);
    }

    public RuntimeOptions withShmDir(Path dir) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, dir, ignoreEos, tensorTransport,
                deployOnRegister, maxRetries, scaleIntervalNanos);
    }

    public RuntimeOptions withRequestTimeoutMillis(long millis) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, millis, startupTimeoutMillis,
                tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, tensorTransport, deployOnRegister, maxRetries,
                scaleIntervalNanos);
    }

    public RuntimeOptions withIgnoreEos(boolean ignore) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, shmDir, ignore, tensorTransport,
                deployOnRegister, maxRetries, scaleIntervalNanos);
    }

    public RuntimeOptions withMaxRunIterations(long iterations) {
        return new RuntimeOptions(kvTokensPerTask, iterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, tensorTransport,
                deployOnRegister, maxRetries, scaleIntervalNanos);
    }

    public RuntimeOptions withTensorTransport(TensorTransport.Mode mode) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, mode, deployOnRegister,
                maxRetries, scaleIntervalNanos);
    }

    public RuntimeOptions withDeployOnRegister(boolean onRegister) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, tensorTransport, onRegister,
                maxRetries, scaleIntervalNanos);
    }

    public RuntimeOptions withMaxRetries(int retries) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, tensorTransport,
                deployOnRegister, retries, scaleIntervalNanos);
    }

    public RuntimeOptions withScaleIntervalNanos(long nanos) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, tensorTransport,
                deployOnRegister, maxRetries, nanos);
    }
}
