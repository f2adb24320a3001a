package org.cornserve.simulator.evaluate;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * When a capacity probe counts as sustained besides meeting the SLO attainment target: over the last
 * {@code tailFraction} of its arrivals, completions kept up with arrivals, i.e. the backlog grew by at most
 * {@code maxBacklogGrowth} of the requests that arrived there ({@link Backlog#growth}) beyond what a stable queue's
 * noise explains: {@code growth <= maxBacklogGrowth + noiseSigmas * noise}, with {@link Backlog#noise} the growth's
 * standard error estimated from the run.
 *
 * <p>Why: a rate a few percent past what a plan serves builds its queue too slowly to fail a tenth of a short
 * probe's requests, so attainment alone passes it; the backlog grows by {@code 1 - served / offered} of the tail's
 * arrivals from the first second of overload on, whatever the probe's length.
 *
 * <p>Why the noise term: a stable queue's growth over a window of a few thousand requests is not 0 but 0 plus or
 * minus a few percent (its queue length, the latencies' spread and the arrivals' bursts at the window's two ends), so
 * a fixed bound of 3% failed stable rates by chance and understated capacities by up to 22% on 3000-request probes.
 * The bound now widens by {@code noiseSigmas} standard errors of that noise and narrows back to
 * {@code maxBacklogGrowth} on long probes, whose noise is small. SteadyStateCapacityTest measures both errors
 * against the fixed bound on queues of known capacity.
 *
 * <p>A tail of few requests cannot resolve a few percent, so a probe whose tail offered fewer than
 * {@code minTailRequests} is judged on its attainment alone: a planner ranking on a trace of a few hundred requests is
 * not reordered by noise.
 *
 * @param tailFraction the probe's last part, a multiple of 1/{@value Backlog#POINTS} in (0, 1]
 * @param maxBacklogGrowth the growth tolerated beyond the noise, in [0, 1]; 1 switches the check off (attainment alone)
 * @param minTailRequests fewest requests the tail must offer for the check to apply (0 in a spec: the default, 500)
 * @param noiseSigmas standard errors of the run's noise added to the bound, in [0, 10]; 0: the fixed bound alone
 *     (absent in a spec: the default, {@value #DEFAULT_NOISE_SIGMAS})
 */
public record SteadyState(
        @JsonProperty("tail_fraction") double tailFraction,
        @JsonProperty("max_backlog_growth") double maxBacklogGrowth,
        @JsonProperty("min_tail_requests") int minTailRequests,
        @JsonProperty("noise_sigmas") Double noiseSigmas) {

    /** Fewest tail requests the check applies to by default. */
    public static final int DEFAULT_MIN_TAIL_REQUESTS = 500;
    /** Standard errors of noise the bound allows by default. */
    public static final double DEFAULT_NOISE_SIGMAS = 2;
    /** The default: the last half of a probe's arrivals, 3% growth beyond two standard errors of noise. */
    public static final SteadyState DEFAULT = new SteadyState(0.5, 0.03);
    /** Attainment alone (the criterion before the backlog check). */
    public static final SteadyState OFF = new SteadyState(0.5, 1);

    /** With the default {@link #DEFAULT_MIN_TAIL_REQUESTS} and {@link #DEFAULT_NOISE_SIGMAS}. */
    public SteadyState(double tailFraction, double maxBacklogGrowth) {
        this(tailFraction, maxBacklogGrowth, 0, null);
    }

    /** With the default {@link #DEFAULT_NOISE_SIGMAS}. */
    public SteadyState(double tailFraction, double maxBacklogGrowth, int minTailRequests) {
        this(tailFraction, maxBacklogGrowth, minTailRequests, null);
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
        noiseSigmas = noiseSigmas == null ? DEFAULT_NOISE_SIGMAS : noiseSigmas;
        if (!(noiseSigmas >= 0 && noiseSigmas <= 10)) {
            throw new IllegalArgumentException("steady_state.noise_sigmas must be in [0, 10], got " + noiseSigmas);
        }
    }

    /** The same check with {@code sigmas} standard errors of noise (0: the fixed bound alone). */
    public SteadyState withNoiseSigmas(double sigmas) {
        return new SteadyState(tailFraction, maxBacklogGrowth, minTailRequests, sigmas);
    }

    /** The growth a run may show and still count as steady: the fixed bound plus its noise allowance. */
    public double bound(Backlog backlog) {
        return maxBacklogGrowth + noiseSigmas * backlog.noise(tailFraction);
    }

    /** Whether a run was in steady state (a run without a backlog series, measured elsewhere, counts as one). */
    public boolean holds(RunMetrics m) {
        return maxBacklogGrowth >= 1 || m.backlog() == null || m.backlog().offered(tailFraction) < minTailRequests
                || m.backlog().growth(tailFraction) <= bound(m.backlog());
    }
}
