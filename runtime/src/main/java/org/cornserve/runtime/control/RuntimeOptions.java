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
 * @param scaleIntervalNanos time between the autoscaler's evaluations, for a plan with {@code autoscale}
 */
public record RuntimeOptions(long kvTokensPerTask, long maxRunIterations, int admissionBound,
        long requestTimeoutMillis, long startupTimeoutMillis, long tensorTimeoutMillis, long weightSeed, Path shmDir,
        boolean ignoreEos, long scaleIntervalNanos) {

    public RuntimeOptions {
        if (kvTokensPerTask < 1 || maxRunIterations < 1 || admissionBound < 0 || requestTimeoutMillis < 1
                || startupTimeoutMillis < 1 || tensorTimeoutMillis < 1 || scaleIntervalNanos < 1) {
            throw new IllegalArgumentException("runtime options out of range: " + kvTokensPerTask + " KV tokens, "
                    + maxRunIterations + " run iterations, admission " + admissionBound + ", timeouts "
                    + requestTimeoutMillis + "/" + startupTimeoutMillis + "/" + tensorTimeoutMillis + " ms, scaling every "
                    + scaleIntervalNanos + " ns");
        }
    }

    /** As the canonical constructor, evaluating scaling at the core's default interval. */
    public RuntimeOptions(long kvTokensPerTask, long maxRunIterations, int admissionBound, long requestTimeoutMillis,
            long startupTimeoutMillis, long tensorTimeoutMillis, long weightSeed, Path shmDir, boolean ignoreEos) {
        this(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis, startupTimeoutMillis,
                tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, Autoscaler.DEFAULT_INTERVAL_NANOS);
    }

    /** As the canonical constructor, ending sequences at end-of-sequence. */
    public RuntimeOptions(long kvTokensPerTask, long maxRunIterations, int admissionBound, long requestTimeoutMillis,
            long startupTimeoutMillis, long tensorTimeoutMillis, long weightSeed, Path shmDir) {
        this(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis, startupTimeoutMillis,
                tensorTimeoutMillis, weightSeed, shmDir, false);
    }

    /**
     * 16384 KV tokens per task, 4 decode iterations per report, 256 outstanding invocations per deployment,
     * 120 s per request, 120 s to start an executor, 30 s per tensor, weight seed 1, /dev/shm, sequences end at end-of-sequence,
     * scaling evaluated every 15 s.
     */
    public static RuntimeOptions defaults() {
        return new RuntimeOptions(16384, 4, 256, 120_000, 120_000, 30_000, 1, SharedMemorySidecar.DEV_SHM);
    }

    public RuntimeOptions withAdmissionBound(int bound) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, bound, requestTimeoutMillis, startupTimeoutMillis,
                tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, scaleIntervalNanos);
    }

    public RuntimeOptions withShmDir(Path dir) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, dir, ignoreEos, scaleIntervalNanos);
    }

    public RuntimeOptions withRequestTimeoutMillis(long millis) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, millis, startupTimeoutMillis,
                tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, scaleIntervalNanos);
    }

    public RuntimeOptions withIgnoreEos(boolean ignore) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, shmDir, ignore, scaleIntervalNanos);
    }

    public RuntimeOptions withMaxRunIterations(long iterations) {
        return new RuntimeOptions(kvTokensPerTask, iterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, scaleIntervalNanos);
    }

    public RuntimeOptions withScaleIntervalNanos(long nanos) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, nanos);
    }
}
