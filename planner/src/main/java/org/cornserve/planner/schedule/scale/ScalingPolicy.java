package org.cornserve.planner.schedule.scale;

/**
 * Turns measured demand into replica counts. Called by the {@link Autoscaler}, which then applies cooldowns,
 * replica bounds and the cluster's free devices; a policy only says how many replicas each deployment should
 * have.
 */
public interface ScalingPolicy {

    /**
     * Fills {@code desired[d]} for every deployment with {@code scaled[d]}; others are left alone.
     *
     * @param demand replicas deployment d needs to hold its metric at the target now (fractional, >= 0)
     * @param current replicas it has (up or starting)
     * @param base replicas the plan gave it
     * @param scaled whether it scales
     */
    void desired(double[] demand, int[] current, int[] base, boolean[] scaled, int[] desired);
}
