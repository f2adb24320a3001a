package org.cornserve.planner.schedule.scale;

/**
 * Each deployment on its own (per-stage scaling): {@code ceil(demand)} replicas, as Kubernetes' horizontal pod
 * autoscaler does, kept at the current count while demand is within {@code tolerance} of it (no flapping on
 * noise).
 */
public final class TargetTrackingPolicy implements ScalingPolicy {
    private final double tolerance;

    /** @param tolerance relative band around the current count in which nothing changes, in [0, 1) */
    public TargetTrackingPolicy(double tolerance) {
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be in [0, 1), got " + tolerance);
        }
        this.tolerance = tolerance;
    }

    @Override
    public void desired(double[] demand, int[] current, int[] base, boolean[] scaled, int[] desired) {
        for (int d = 0; d < demand.length; d++) {
            if (scaled[d]) {
                desired[d] = track(demand[d], current[d], tolerance);
            }
        }
    }

    /** {@code ceil(demand)}, or {@code current} when demand is within the tolerance band around it. */
    static int track(double demand, int current, double tolerance) {
        if (current > 0 && Math.abs(demand / current - 1) <= tolerance) {
            return current;
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.ceil(demand - 1e-9));
    }
}
