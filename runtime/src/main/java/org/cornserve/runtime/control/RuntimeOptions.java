package org.cornserve.runtime.control;

import java.nio.file.Path;
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
 * @param deployOnRegister whether deployments start only when a registered app needs them and stop when no app
 *     uses them any more (a server with a gateway: {@code cornserve serve}); false starts every deployment of the
 *     plan at once and keeps it (a runtime driven without apps: tests, benchmarks, the profiler)
 * @param maxRetries times a request whose executor died before anything of it reached the client is sent again
 *     to another live replica; 0 fails it at once
 */
public record RuntimeOptions(long kvTokensPerTask, long maxRunIterations, int admissionBound,
        long requestTimeoutMillis, long startupTimeoutMillis, long tensorTimeoutMillis, long weightSeed, Path shmDir,
        boolean ignoreEos, boolean deployOnRegister, int maxRetries) {

    public RuntimeOptions {
        if (kvTokensPerTask < 1 || maxRunIterations < 1 || admissionBound < 0 || requestTimeoutMillis < 1
                || startupTimeoutMillis < 1 || tensorTimeoutMillis < 1 || maxRetries < 0) {
            throw new IllegalArgumentException("runtime options out of range: " + kvTokensPerTask + " KV tokens, "
                    + maxRunIterations + " run iterations, admission " + admissionBound + ", timeouts "
                    + requestTimeoutMillis + "/" + startupTimeoutMillis + "/" + tensorTimeoutMillis + " ms, "
                    + maxRetries + " retries");
        }
    }

    /** As the canonical constructor, ending sequences at end-of-sequence. */
    public RuntimeOptions(long kvTokensPerTask, long maxRunIterations, int admissionBound, long requestTimeoutMillis,
            long startupTimeoutMillis, long tensorTimeoutMillis, long weightSeed, Path shmDir) {
        this(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis, startupTimeoutMillis,
                tensorTimeoutMillis, weightSeed, shmDir, false, false, DEFAULT_RETRIES);
    }

    /** Retries of a request whose executor died before any of its output was sent. */
    public static final int DEFAULT_RETRIES = 2;

    /**
     * 16384 KV tokens per task, 4 decode iterations per report, 256 outstanding invocations per deployment,
     * 120 s per request, 120 s to start an executor, 30 s per tensor, weight seed 1, /dev/shm, sequences end at end-of-sequence,
     * every deployment started at once, {@value #DEFAULT_RETRIES} retries.
     */
    public static RuntimeOptions defaults() {
        return new RuntimeOptions(16384, 4, 256, 120_000, 120_000, 30_000, 1, SharedMemorySidecar.DEV_SHM);
    }

    public RuntimeOptions withAdmissionBound(int bound) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, bound, requestTimeoutMillis, startupTimeoutMillis,
                tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, deployOnRegister, maxRetries);
    }

    public RuntimeOptions withShmDir(Path dir) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, dir, ignoreEos, deployOnRegister, maxRetries);
    }

    public RuntimeOptions withRequestTimeoutMillis(long millis) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, millis, startupTimeoutMillis,
                tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, deployOnRegister, maxRetries);
    }

    public RuntimeOptions withIgnoreEos(boolean ignore) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, shmDir, ignore, deployOnRegister, maxRetries);
    }

    public RuntimeOptions withMaxRunIterations(long iterations) {
        return new RuntimeOptions(kvTokensPerTask, iterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, deployOnRegister, maxRetries);
    }

    public RuntimeOptions withDeployOnRegister(boolean onRegister) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, onRegister, maxRetries);
    }

    public RuntimeOptions withMaxRetries(int retries) {
        return new RuntimeOptions(kvTokensPerTask, maxRunIterations, admissionBound, requestTimeoutMillis,
                startupTimeoutMillis, tensorTimeoutMillis, weightSeed, shmDir, ignoreEos, deployOnRegister, retries);
    }
}
