package org.cornserve.runtime.serve;

import java.util.List;

/**
 * What a {@link ModelInvoker} that starts and stops replicas while serving can tell the gateway: each deployment's
 * replicas by state, the autoscaler's decisions so far and every replica's measured start-up. The gateway exports
 * it in {@code /metrics} and {@code GET /admin/deployments}.
 */
public interface ScalingStats {

    /** Every deployment's replicas and scaling now, in plan order. Called from HTTP threads; thread-safe. */
    List<Deployment> scaling();

    /**
     * One deployment.
     *
     * @param name the deployment
     * @param starting replicas starting (executor launched, not ready yet)
     * @param up replicas serving
     * @param draining replicas removed that still finish their work
     * @param autoscale how it scales, or null when its replicas are fixed
     * @param scaleUps replicas the autoscaler added so far
     * @param scaleDowns replicas the autoscaler removed so far
     * @param startups the measured start-up of every replica that came up (its latest executor's)
     * @param replicaSeconds replica-seconds held so far: each replica from its start (the plan's from when serving
     *     began) to its stop, loading and draining included
     * @param events its replicas' starts, ups and stops, in order (the latest {@value #MAX_EVENTS} at most)
     */
    record Deployment(String name, int starting, int up, int draining, Autoscale autoscale, long scaleUps,
            long scaleDowns, List<Startup> startups, double replicaSeconds, List<Event> events) {
        public Deployment {
            startups = List.copyOf(startups);
            events = List.copyOf(events);
        }

        /** Replicas up or starting: what the autoscaler counts as the deployment's current size. */
        public int replicas() {
            return starting + up;
        }
    }

    /**
     * A deployment's scaling settings as served.
     *
     * @param metric {@code utilization} or {@code queue}
     * @param target the metric's value held
     * @param minReplicas fewest replicas
     * @param maxReplicas most replicas
     */
    record Autoscale(String metric, double target, int minReplicas, int maxReplicas) {
    }

    /** Events kept per deployment. */
    int MAX_EVENTS = 200;

    /**
     * A replica started (the executor is launched), came up (ready, serving) or stopped (drained and removed).
     *
     * @param atSeconds seconds since serving began
     * @param replica the replica index
     * @param kind {@code START}, {@code UP} or {@code STOP}
     */
    record Event(double atSeconds, int replica, String kind) {
    }

    /**
     * A replica's start-up: from its executor's launch to its ready report (process start, weight load, warm-up).
     *
     * @param replica the replica index
     * @param seconds the time
     */
    record Startup(int replica, double seconds) {
    }
}
