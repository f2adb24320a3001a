package org.cornserve.runtime.control;

/**
 * What the dispatcher observes of each request, for metrics and for the parity test (which compares these times
 * with the simulator's). Called on the loop thread; defaults do nothing.
 */
public interface DispatchObserver {

    default void arrived(long requestId, long nowNanos) {
    }

    /** An invocation of the request, on {@code deployment}, has its inputs and is queued. */
    default void queued(long requestId, int node, int deployment, long nowNanos) {
    }

    default void started(long requestId, int node, long nowNanos) {
    }

    default void finished(long requestId, int node, int deployment, long nowNanos) {
    }

    default void firstOutput(long requestId, long nowNanos) {
    }

    default void completed(long requestId, long nowNanos) {
    }

    default void rejected(long requestId, String reason, long nowNanos) {
    }

    default void failed(long requestId, String stage, String reason, long nowNanos) {
    }

    /** The request lost work with an executor of {@code deployment} that died and runs again on another replica. */
    default void retried(long requestId, int deployment, long nowNanos) {
    }

    /** The core planned {@code step} on a replica; its command goes to the executor next. */
    default void stepStarted(int deployment, int replica, org.cornserve.planner.schedule.batch.Step step,
            long nowNanos) {
    }

    /**
     * A step ended on a replica: {@code busyNanos} from its decision to its report on the loop, less the time it
     * waited in its executor behind the step sent before it (async scheduling sends a step while the previous one
     * computes; that wait is queueing behind executor work), of which the executor computed {@code computeNanos};
     * {@code requestIds} are the requests it served (one entry per member).
     */
    default void stepEnded(int deployment, int replica, long busyNanos, long computeNanos, long[] requestIds,
            long nowNanos) {
    }

    /**
     * The overhead of the step {@link #stepEnded} just reported, split by its executor's clock (one host's monotonic
     * clock): {@code idleNanos} from the later of its decision and the previous step's compute end on that replica to
     * its compute start (the executor waited for it), {@code reportBackNanos} from its compute end to its report
     * applied on the loop. {@code nextInFlight}: another step had already been sent to that replica (async
     * scheduling), so the replica computed while this report came back. Only for steps whose executor reported its
     * compute times.
     */
    default void stepOverheadSplit(int deployment, int replica, long idleNanos, long reportBackNanos,
            boolean nextInFlight, long[] requestIds, long nowNanos) {
    }
}
