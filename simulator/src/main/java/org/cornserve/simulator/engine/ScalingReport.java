package org.cornserve.simulator.engine;

import java.util.List;

/**
 * What replicas existed during a run and what they cost. A replica exists from its start decision (a plan's
 * replicas: from the first arrival) until it is stopped, or until the run's last request ended; device-seconds
 * are existence times its devices, whether it served, loaded or drained meanwhile.
 *
 * @param deviceSeconds per deployment (plan order)
 * @param scaleUps replicas started while running
 * @param scaleDowns replicas stopped while running
 * @param changes every replica start decision, coming up and stop, in time order
 */
public record ScalingReport(double[] deviceSeconds, long scaleUps, long scaleDowns, List<Change> changes) {

    public ScalingReport {
        deviceSeconds = deviceSeconds.clone();
        changes = List.copyOf(changes);
    }

    /** GPU-hours over all deployments. */
    public double gpuHours() {
        double s = 0;
        for (double v : deviceSeconds) {
            s += v;
        }
        return s / 3600;
    }

    /** What happened to a replica. */
    public enum Kind { START, UP, STOP }

    /** A replica of a deployment started, came up or stopped at a time. */
    public record Change(long timeNanos, int deployment, int replica, Kind kind) {
    }
}
