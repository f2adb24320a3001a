package org.cornserve.runtime.launch;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * What an executor is started with.
 *
 * @param id the executor's id within the session (letters and digits), also its shared-memory tag
 * @param tasks the unit tasks it hosts (a deployment's colocated tasks)
 * @param threads CPU threads it computes with (its device slots' share)
 * @param weightSeed seed of its generated weights
 * @param kvTokens KV-cache tokens of each autoregressive task
 * @param maxSeqs sequences an autoregressive task runs at most
 * @param control where the control plane listens for its executors
 * @param session the runtime session (shared-memory file names)
 * @param shmDir the shared-memory directory
 * @param tensorTimeoutMs a tensor not consumed in this time is reclaimed
 * @param ignoreEos its LLMs generate until max_tokens even past end-of-sequence (load tests, validation)
 */
public record ExecutorSpec(String id, List<String> tasks, int threads, long weightSeed, long kvTokens, int maxSeqs,
        InetSocketAddress control, String session, Path shmDir, long tensorTimeoutMs, boolean ignoreEos) {

    /** As the canonical constructor, its LLMs ending at end-of-sequence. */
    public ExecutorSpec(String id, List<String> tasks, int threads, long weightSeed, long kvTokens, int maxSeqs,
            InetSocketAddress control, String session, Path shmDir, long tensorTimeoutMs) {
        this(id, tasks, threads, weightSeed, kvTokens, maxSeqs, control, session, shmDir, tensorTimeoutMs, false);
    }

    public ExecutorSpec {
        if (id == null || !id.matches("[A-Za-z0-9]+")) {
            throw new IllegalArgumentException("executor id must be letters and digits, got " + id);
        }
        tasks = List.copyOf(tasks);
        if (tasks.isEmpty() || threads < 1 || kvTokens < 1 || maxSeqs < 1) {
            throw new IllegalArgumentException("executor " + id + " needs tasks, threads >= 1, kv tokens >= 1 and max"
                    + " seqs >= 1: " + tasks + ", " + threads + ", " + kvTokens + ", " + maxSeqs);
        }
    }

    /** The executor's command-line arguments (after the main class). */
    public List<String> arguments() {
        List<String> args = new java.util.ArrayList<>(List.of("--connect", control.getHostString() + ":" + control.getPort(), "--id", id, "--session",
                session, "--tasks", String.join(",", tasks), "--threads", Integer.toString(threads), "--seed",
                Long.toString(weightSeed), "--kv-tokens", Long.toString(kvTokens), "--max-seqs",
                Integer.toString(maxSeqs), "--shm-dir", shmDir.toString(), "--tensor-timeout-ms",
                Long.toString(tensorTimeoutMs)));
        if (ignoreEos) {
            args.addAll(List.of("--ignore-eos", "true"));
        }
        return List.copyOf(args);
    }
}
