package org.cornserve.simulator.evaluate;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * When a capacity probe counts as sustained besides meeting the SLO attainment target: over the last
 * {@code tailFraction} of its arrivals, completions kept up with arrivals, i.e. the backlog grew by at most
 * {@code maxBacklogGrowth} of the requests that arrived there ({@link Backlog#growth}).
 *
 * <p>Why: a rate a few percent past what a plan serves builds its queue too slowly to fail a tenth of a short
 * probe's requests, so attainment alone passes it; the backlog grows by {@code 1 - served / offered} of the tail's
 * arrivals from the first second of overload on, whatever the probe's length.
 *
 * <p>A tail of few requests cannot resolve a few percent (the counts' own noise is about {@code sqrt(2 / n)} of n
 * Poisson arrivals: 14% at 100), so a probe whose tail offered fewer than {@code minTailRequests} is judged on its
 * attainment alone: a planner ranking on a trace of a few hundred requests is not reordered by noise.
 *
 * @param tailFraction the probe's last part, a multiple of 1/{@value Backlog#POINTS} in (0, 1]
 * @param maxBacklogGrowth the growth tolerated, in [0, 1]; 1 switches the check off (attainment alone)
 * @param minTailRequests fewest requests the tail must offer for the check to apply (0 in a spec: the default, 500)
 */
public record SteadyState(
        @JsonProperty("tail_fraction") double tailFraction,
        @JsonProperty("max_backlog_growth") double maxBacklogGrowth,
        @JsonProperty("min_tail_requests") int minTailRequests) {

    /** Fewest tail requests the check applies to by default. */
    public static final int DEFAULT_MIN_TAIL_REQUESTS = 500;
    /** The default: the last half of a probe's arrivals, 3% growth (experiments/headline.md has the evidence). */
    public static final SteadyState DEFAULT = new SteadyState(0.5, 0.03);
    /** Attainment alone (the criterion before the backlog check). */
    public static final SteadyState OFF = new SteadyState(0.5, 1);

    /** With the default {@link #DEFAULT_MIN_TAIL_REQUESTS}. */
    public SteadyState(double tailFraction, double maxBacklogGrowth) {
        this(tailFraction, maxBacklogGrowth, 0);
    }

    public SteadyState {
        if (minTailRequests < 0) {
            throw new IllegalArgumentException("steady_state.min_tail_requests must be >= 0, got " + minTailRequests);
        }
        minTailRequests = minTailRequests == 0 ? DEFAULT_MIN_TAIL_REQUESTS : minTailRequests;
        double steps = tailFraction * Backlog.POINTS;
        if (!(tailFraction > 0 && tailFraction <= 1) || Math.abs(steps - Math.rint(steps)) > 1e-9) {
            throw new IllegalArgumentException("steady_state.tail_fraction must be a multiple of 1/" + Backlog.POINTS
                    + " in (0, 1], got " + tailFraction);
        }
        if (!(maxBacklogGrowth >= 0 && maxBacklogGrowth <= 1)) {
            throw new IllegalArgumentException("steady_state.max_backlog_growth must be in [0, 1], got "
                    + maxBacklogGrowth);
        }
    }

    /** Whether a run was in steady state (a run without a backlog series, measured elsewhere, counts as one). */
    public boolean holds(RunMetrics m) {
        return maxBacklogGrowth >= 1 || m.backlog() == null || m.backlog().offered(tailFraction) < minTailRequests
                || m.backlog().growth(tailFraction) <= maxBacklogGrowth;
    }
}
