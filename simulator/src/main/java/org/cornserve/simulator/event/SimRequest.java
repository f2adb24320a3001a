package org.cornserve.simulator.event;

import org.cornserve.planner.schedule.graph.InvocationGraph;

/**
 * One request of a simulated workload.
 *
 * @param id request id, unique in the workload
 * @param arrivalNanos arrival time in simulated nanoseconds
 * @param app the app it calls (selects its SLO)
 * @param graph its invocation graph
 * @param inputTokens prompt tokens it brings, media tokens included (reported, not used for timing)
 * @param traceId the trace's own id of the request (reported in {@code requests.csv}), or null when it has none
 */
public record SimRequest(long id, long arrivalNanos, String app, InvocationGraph graph, long inputTokens, String traceId) {

    /** A request without a trace id (generated workloads). */
    public SimRequest(long id, long arrivalNanos, String app, InvocationGraph graph, long inputTokens) {
        this(id, arrivalNanos, app, graph, inputTokens, null);
    }

    public SimRequest {
        if (arrivalNanos < 0) {
            throw new IllegalArgumentException("request " + id + " arrives at a negative time " + arrivalNanos);
        }
        if (app == null || graph == null) {
            throw new IllegalArgumentException("request " + id + " needs an app and a graph");
        }
    }
}
