package org.cornserve.runtime.executor;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import org.cornserve.runtime.sidecar.TensorRef;

/** What an executor tells the control plane, one frame each. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = ExecutorReport.Hello.class, name = "hello"),
        @JsonSubTypes.Type(value = ExecutorReport.Ready.class, name = "ready"),
        @JsonSubTypes.Type(value = ExecutorReport.StepDone.class, name = "step-done"),
        @JsonSubTypes.Type(value = ExecutorReport.OpenFailed.class, name = "open-failed"),
        @JsonSubTypes.Type(value = ExecutorReport.Sidecar.class, name = "sidecar"),
        @JsonSubTypes.Type(value = ExecutorReport.Forwarded.class, name = "forwarded")})
public sealed interface ExecutorReport {

    /** First frame after connecting: who this is. */
    record Hello(String executor, long pid) implements ExecutorReport {
    }

    /**
     * Second frame: where this executor's sidecar takes tensors from other hosts, and which processes share its
     * memory ({@link org.cornserve.runtime.sidecar.SharedMemoryDomain}).
     *
     * @param domain processes of equal domains read each other's shared-memory segments
     * @param streamHost the address its tensor stream server listens on
     * @param streamPort its port
     */
    record Sidecar(String domain, String streamHost, int streamPort) implements ExecutorReport {
    }

    /**
     * A {@link ExecutorCommand.Forward} ended.
     *
     * @param transfer the move's id
     * @param tensor the reference the consumer reads on its host (null when it failed)
     * @param error why it failed (null when it did not)
     */
    record Forwarded(long transfer, TensorRef tensor, String error) implements ExecutorReport {
    }

    /**
     * Weights are loaded and every hosted task warmed up: the replica can take work.
     *
     * @param jvmStartToMainNanos from the process's start to its main method
     * @param loadNanos weight generation or loading
     * @param warmupNanos one small run of every hosted task
     */
    record Ready(List<String> tasks, long jvmStartToMainNanos, long loadNanos, long warmupNanos)
            implements ExecutorReport {
    }

    /**
     * A step ended.
     *
     * @param step the step's id
     * @param iterations iterations performed
     * @param emitted tokens (codes) each LLM-like invocation produced, in order
     * @param ended invocations that ended in this step (end of sequence, the cap, or a single-pass result)
     * @param outputs tensors placed in the sidecar for the invocations' consumers
     * @param failure the step failed; every invocation in it is dropped on the executor
     * @param computeNanos time spent computing
     * @param computeStartNanos when the executor began computing ({@code System.nanoTime()} on its host, comparable
     *     with the control plane's on the same host), 0 when not known
     */
    record StepDone(long step, long iterations, List<Emitted> emitted, List<Ended> ended, List<Output> outputs,
            Failure failure, long computeNanos, long computeStartNanos) implements ExecutorReport {
        public StepDone {
            emitted = List.copyOf(emitted);
            ended = List.copyOf(ended);
            outputs = List.copyOf(outputs);
        }

        /** A report that does not say when its compute began. */
        public StepDone(long step, long iterations, List<Emitted> emitted, List<Ended> ended, List<Output> outputs,
                Failure failure, long computeNanos) {
            this(step, iterations, emitted, ended, outputs, failure, computeNanos, 0);
        }
    }

    /** An invocation's inputs could not be read or were rejected by the task. */
    record OpenFailed(long invocation, Failure failure) implements ExecutorReport {
    }

    /** Tokens one invocation produced in a step. */
    record Emitted(long invocation, int[] tokens) {
    }

    /**
     * An invocation ended.
     *
     * @param reason {@code stop} (end of sequence), {@code length} (the cap), {@code done} (a single pass, a
     *     prefill-only encoder, a finished diffusion job)
     * @param generated tokens (codes) generated in all
     */
    record Ended(long invocation, String reason, int generated) {
    }

    /**
     * A tensor an invocation produced, in the sidecar.
     *
     * @param tensor in this executor's shared memory, for the invocation's consumers
     * @param controlCopy the control plane's copy in its own shared memory when it asked for one
     *     ({@link ExecutorCommand.Open#controlCopyTo()}), else null
     * @param partial a chunk of a streamed output ({@link ExecutorCommand.Open#streamChunkTokens()}): the rows
     *     computed since the last one; more follow, the invocation's last output being its rest
     */
    record Output(long invocation, TensorRef tensor, TensorRef controlCopy, boolean partial) {
        public Output(long invocation, TensorRef tensor, TensorRef controlCopy) {
            this(invocation, tensor, controlCopy, false);
        }

        public Output(long invocation, TensorRef tensor) {
            this(invocation, tensor, null, false);
        }
    }

    /** What failed: the unit task (stage) and the reason. */
    record Failure(String stage, String message) {
    }
}
