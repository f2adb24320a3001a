package org.cornserve.planner.schedule.scale;

/**
 * How one deployment scales.
 *
 * @param metric what its load is measured by
 * @param target the metric's value to hold (a busy fraction in (0, 1], or invocations per replica > 0)
 * @param minReplicas fewest replicas (up or starting), >= 1
 * @param maxReplicas most replicas (up or starting), >= minReplicas; the cluster's free devices may bind first
 * @param upCooldownNanos no scale-up within this long of the deployment's last scaling action
 * @param downCooldownNanos no scale-down within this long of the deployment's last scaling action
 * @param startupNanos time from a start decision to the replica serving (weight load plus warm-up); the engine
 *     uses it, the policy does not
 */
public record ScaleSettings(ScaleMetric metric, double target, int minReplicas, int maxReplicas,
        long upCooldownNanos, long downCooldownNanos, long startupNanos) {

    public ScaleSettings {
        if (metric == null) {
            throw new IllegalArgumentException("scaling needs a metric");
        }
        if (!(target > 0) || Double.isInfinite(target) || (metric == ScaleMetric.UTILIZATION && target > 1)) {
            throw new IllegalArgumentException("scaling target must be > 0" + (metric == ScaleMetric.UTILIZATION
                    ? " and <= 1 for utilization" : "") + ", got " + target);
        }
        if (minReplicas < 1 || maxReplicas < minReplicas) {
            throw new IllegalArgumentException("scaling needs 1 <= min_replicas <= max_replicas, got " + minReplicas
                    + " and " + maxReplicas);
        }
        if (upCooldownNanos < 0 || downCooldownNanos < 0 || startupNanos < 0) {
            throw new IllegalArgumentException("cooldowns and start-up time must be >= 0, got " + upCooldownNanos
                    + ", " + downCooldownNanos + ", " + startupNanos + " ns");
        }
    }
}
