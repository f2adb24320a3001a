package org.cornserve.planner.schedule.scale;

/**
 * The plan scaled as a whole (a monolith's way: it can only add whole copies of itself): every scaled deployment
 * moves by one factor of its plan count, the factor the most loaded one needs, so the plan's proportions hold.
 * With one deployment it is {@link TargetTrackingPolicy}.
 */
public final class LockstepPolicy implements ScalingPolicy {
    private final double tolerance;

    /** @param tolerance relative band around the current factor in which nothing changes, in [0, 1) */
    public LockstepPolicy(double tolerance) {
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be in [0, 1), got " + tolerance);
        }
        this.tolerance = tolerance;
    }

    @Override
    public void desired(double[] demand, int[] current, int[] base, boolean[] scaled, int[] desired) {
        double factor = 0;
        double currentFactor = 0;
        for (int d = 0; d < demand.length; d++) {
            if (scaled[d]) {
                factor = Math.max(factor, demand[d] / base[d]);
                currentFactor = Math.max(currentFactor, (double) current[d] / base[d]);
            }
        }
        boolean hold = currentFactor > 0 && Math.abs(factor / currentFactor - 1) <= tolerance;
        for (int d = 0; d < demand.length; d++) {
            if (scaled[d]) {
                desired[d] = hold ? current[d] : (int) Math.min(Integer.MAX_VALUE, Math.ceil(base[d] * factor - 1e-9));
            }
        }
    }
}
