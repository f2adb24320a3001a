package org.cornserve.planner.schedule;

import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.planner.schedule.dispatch.ActiveRequest;
import org.cornserve.planner.schedule.graph.InvocationGraph;

/**
 * What the scheduler core decides, delivered as calls in the order decided. The simulator turns each into a
 * future event timed by profiles; the runtime turns each into I/O. Calls instead of decision records keep the
 * simulator's hot path free of allocation; the observation callbacks have empty defaults.
 */
public interface Decisions {

    /**
     * Run {@code step} on the replica now; report its end through {@link SchedulerCore#stepDone}, with the
     * sequences that ended in it (see {@link org.cornserve.planner.schedule.batch.SequenceEnds}).
     */
    void startStep(int deployment, int replica, Step step, long nowNanos);

    /**
     * The multi-iteration step running on the replica should stop at its first iteration boundary at or after
     * {@code atNanos}; report the iterations actually done through {@link SchedulerCore#stepDone}.
     */
    void endRunBy(int deployment, int replica, long atNanos);

    /** Call {@link SchedulerCore#wake} for the replica at {@code atNanos} (a bounded batch wait expires). */
    void wakeAt(int deployment, int replica, long atNanos);

    /** Move {@code bytes} of edge {@code edge}'s data between replicas; report through {@link SchedulerCore#transferDone}. */
    void startTransfer(ActiveRequest request, int edge, int fromDeployment, int fromReplica, int toDeployment,
            int toReplica, long bytes, long nowNanos);

    /** Answer the request: every invocation finished. */
    void completed(ActiveRequest request, long nowNanos);

    /** Reject the request at arrival with a reason; nothing of it runs. */
    void rejected(long requestId, InvocationGraph graph, Object attachment, String reason, long nowNanos);

    /**
     * Answer the request with an error: an invocation of it failed ({@link SchedulerCore#invocationFailed}) or a
     * replica holding its work went down ({@link SchedulerCore#replicaDown}). {@code reason} names the stage (task)
     * or the replica. Nothing more of the request runs: its other invocations were dropped and their KV freed.
     */
    default void failed(ActiveRequest request, String reason, long nowNanos) {
    }

    /**
     * Start a new replica of the deployment (a scaling decision, {@link SchedulerCore#addReplica}); report
     * {@link SchedulerCore#replicaUp} once it has loaded its weights and warmed up. It gets no work before.
     */
    default void startReplica(int deployment, int replica, long nowNanos) {
    }

    /**
     * Stop the replica: it was marked for removal ({@link SchedulerCore#removeReplica}) and has drained; it gets
     * no more work.
     */
    default void stopReplica(int deployment, int replica, long nowNanos) {
    }

    /** Observation: the request was cancelled (its client left); its invocations were dropped and KV freed. */
    default void cancelled(ActiveRequest request, long nowNanos) {
    }

    /** Observation: an invocation's inputs are all present and it is queued at its replica. */
    default void invocationQueued(ActiveRequest request, int node, long nowNanos) {
    }

    /** Observation: an invocation began computing. */
    default void invocationStarted(ActiveRequest request, int node, long nowNanos) {
    }

    /** Observation: the request's first output (first token, or first output invocation finished). */
    default void firstOutput(ActiveRequest request, int node, long nowNanos) {
    }

    /** Observation: a token-generating invocation (LLM, talker) produced its first token. */
    default void invocationFirstToken(ActiveRequest request, int node, long nowNanos) {
    }

    /** Observation: an invocation finished. */
    default void invocationFinished(ActiveRequest request, int node, long nowNanos) {
    }
}
