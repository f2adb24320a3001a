package org.cornserve.runtime.control;

import java.util.List;

/**
 * A snapshot of the runtime for metrics (a gateway's {@code /metrics}).
 *
 * @param requestsArrived requests handed to the dispatcher
 * @param requestsCompleted answered in full
 * @param requestsRejected refused at admission (overload or a request the plan cannot serve)
 * @param requestsFailed failed after admission (an executor lost, a task's exception, a timeout, a cancel)
 * @param deployments per deployment
 */
public record RuntimeStats(long requestsArrived, long requestsCompleted, long requestsRejected, long requestsFailed,
        List<Deployment> deployments) {

    public RuntimeStats {
        deployments = List.copyOf(deployments);
    }

    /**
     * @param name deployment name
     * @param replicas replicas planned
     * @param readyReplicas replicas whose executor is up and ready
     * @param queuedInvocations invocations queued or running on it
     * @param busyNanos executor time spent in steps, over all its replicas
     * @param restarts executors restarted after they died
     * @param lastStartupNanos the last executor start-up (launch to ready), -1 before any
     */
    public record Deployment(String name, int replicas, int readyReplicas, long queuedInvocations, long busyNanos,
            int restarts, long lastStartupNanos) {
    }
}
