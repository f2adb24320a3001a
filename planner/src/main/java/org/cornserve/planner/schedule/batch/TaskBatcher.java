package org.cornserve.planner.schedule.batch;

import org.cornserve.planner.schedule.graph.Work;

/**
 * The batching policy of one unit task on one replica: it queues invocations, forms the next step when the
 * engine asks, and applies a finished step. One step at a time; single-threaded; time is passed in.
 */
public interface TaskBatcher {

    /**
     * Queues an invocation; {@code owner} and {@code node} come back through the listener. Returns a handle for
     * {@link #cancel}, valid until the invocation finishes or is cancelled.
     */
    int enqueue(Object owner, int node, Work work, long nowNanos);

    /** Whether anything is queued or running. */
    boolean hasWork();

    /**
     * The earliest time a step could start given the current state: {@code nowNanos} when one could start now,
     * a later time when a partial batch is waiting out its bounded wait, {@code Long.MAX_VALUE} when idle.
     */
    long readyAtNanos(long nowNanos);

    /**
     * Forms the next step; call only when {@link #readyAtNanos} is at most {@code nowNanos}. Invocations the
     * step starts are reported through {@code listener.started}.
     */
    Step plan(int taskIndex, long nowNanos, InvocationListener listener);

    /**
     * Applies the step last planned, of which {@code iterations} (1 up to the planned count) were performed and in
     * whose last iteration the sequences in {@code ended} generated their last token, reporting first outputs and
     * finished invocations. Tasks without sequences accept only {@link SequenceEnds#isEmpty() empty} ends.
     */
    void complete(long iterations, SequenceEnds ended, long nowNanos, InvocationListener listener);

    /** {@link #complete(long, SequenceEnds, long, InvocationListener)} with no sequence ended. */
    default void complete(long iterations, long nowNanos, InvocationListener listener) {
        complete(iterations, SequenceEnds.NONE, nowNanos, listener);
    }

    /**
     * Drops the invocation with this handle (its request failed or its client left) and frees what it holds. If
     * the step in flight computes it, it is dropped when that step completes. Nothing is reported for it.
     */
    void cancel(int handle);

    /**
     * While a multi-iteration step of this task runs: the time from which its plan is stale because of work
     * enqueued since it was planned (a sequence that could join), or {@code Long.MAX_VALUE} when it is not.
     */
    long staleFromNanos(long nowNanos);

    /** Describes the step last planned, member by member; call between {@link #plan} and {@link #complete}. */
    void visitStep(StepVisitor visitor);

    /** Invocations queued or running. */
    int outstanding();
}
