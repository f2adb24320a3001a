package org.cornserve.planner.schedule.admit;

import java.util.Arrays;

/**
 * Bounds the work queued at each deployment: the invocations admitted there and not yet finished. A request
 * is admitted whole or rejected whole at arrival, so no admitted request is ever dropped midway.
 */
public final class AdmissionControl {
    private final String[] names;
    private final int[] bound;
    private final long[] outstanding;

    /** @param bounds per deployment, 0 = unbounded */
    public AdmissionControl(String[] names, int[] bounds) {
        if (names.length != bounds.length) {
            throw new IllegalArgumentException("one bound per deployment");
        }
        this.names = names.clone();
        this.bound = bounds.clone();
        this.outstanding = new long[bounds.length];
    }

    /**
     * Why a request bringing {@code counts[d]} invocations to deployment {@code d} must be rejected, or null
     * when it fits everywhere.
     */
    public String check(int[] counts) {
        for (int d = 0; d < counts.length; d++) {
            if (counts[d] > 0 && bound[d] > 0 && outstanding[d] + counts[d] > bound[d]) {
                return "deployment " + names[d] + " is full: " + outstanding[d] + " outstanding invocations + "
                        + counts[d] + " would pass its bound of " + bound[d];
            }
        }
        return null;
    }

    /** Records an admitted request's invocations. */
    public void admit(int[] counts) {
        for (int d = 0; d < counts.length; d++) {
            outstanding[d] += counts[d];
        }
    }

    /** One invocation at deployment {@code d} finished. */
    public void finished(int d) {
        if (--outstanding[d] < 0) {
            throw new IllegalStateException("deployment " + names[d] + " finished more invocations than it admitted");
        }
    }

    public long outstanding(int d) {
        return outstanding[d];
    }

    @Override
    public String toString() {
        return "AdmissionControl" + Arrays.toString(outstanding);
    }
}
