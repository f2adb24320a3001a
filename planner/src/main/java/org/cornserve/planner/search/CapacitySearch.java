package org.cornserve.planner.search;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * The highest request rate at which a plan still meets the SLO attainment target, by bracketing and
 * bisection on the rate: from a starting rate it doubles (or halves) until the target flips, then bisects
 * until the bracket is within a relative tolerance. Assumes attainment does not rise with the rate.
 *
 * <p>Cost: O(log(range) + log(1 / tolerance)) evaluations, at most {@code 2 x maxDoublings + maxBisections}.
 */
public final class CapacitySearch {

    /**
     * One evaluation the search made.
     *
     * @param rateRps offered rate
     * @param sloAttainment attainment measured there
     * @param steady whether the run was in steady state there (its backlog did not keep growing); a probe meets
     *     the target only when it is
     */
    public record Probe(double rateRps, double sloAttainment, boolean steady) {
        /** A probe judged on attainment alone. */
        public Probe(double rateRps, double sloAttainment) {
            this(rateRps, sloAttainment, true);
        }
    }

    /**
     * The outcome.
     *
     * @param capacityRps highest rate found that meets the target (0 when even the lowest probed rate fails)
     * @param upperRps lowest rate found that fails (infinite when none failed)
     * @param ceilingRps the highest rate the search may probe (infinite when unbounded)
     * @param probes every evaluation, in order
     */
    public record Result(double capacityRps, double upperRps, double ceilingRps, List<Probe> probes) {
        public Result {
            probes = List.copyOf(probes);
        }

        /** Whether the plan still met the target at the ceiling: its capacity is at least that, not measured. */
        public boolean capped() {
            return capacityRps > 0 && capacityRps >= ceilingRps;
        }
    }

    private final double attainmentTarget;
    private final double relativeTolerance;
    private final int maxDoublings;
    private final int maxBisections;

    public CapacitySearch(double attainmentTarget, double relativeTolerance, int maxDoublings, int maxBisections) {
        if (!(attainmentTarget > 0 && attainmentTarget <= 1) || !(relativeTolerance > 0) || maxDoublings < 1
                || maxBisections < 0) {
            throw new IllegalArgumentException("capacity search needs a target in (0, 1], a tolerance > 0 and step limits");
        }
        this.attainmentTarget = attainmentTarget;
        this.relativeTolerance = relativeTolerance;
        this.maxDoublings = maxDoublings;
        this.maxBisections = maxBisections;
    }

    /**
     * Bisection steps that narrow a bracket of factor two (what doubling or halving leaves) to a relative
     * width of {@code relativeTolerance}, plus one.
     */
    public static int bisectionsFor(double relativeTolerance) {
        if (!(relativeTolerance > 0)) {
            throw new IllegalArgumentException("tolerance must be > 0, got " + relativeTolerance);
        }
        return (int) Math.ceil(Math.log(0.5 / relativeTolerance) / Math.log(2)) + 1;
    }

    /**
     * @param startRps first rate to try (an estimate of the capacity)
     * @param attainmentAt measured SLO attainment at a rate
     */
    public Result search(double startRps, DoubleFunction<Double> attainmentAt) {
        return search(startRps, Double.POSITIVE_INFINITY, attainmentAt);
    }

    /**
     * As {@link #search(double, DoubleFunction)}, never probing above {@code ceilingRps}. A caller whose runs hold
     * a bounded number of requests sets the rate past which a run lasts less than it should: there a run is one
     * short burst, which can meet a loose SLO at any rate, and the search would double without end. A plan that
     * meets the target at the ceiling gets the ceiling as its capacity, marked {@link Result#capped()}.
     */
    public Result search(double startRps, double ceilingRps, DoubleFunction<Double> attainmentAt) {
        return searchProbes(startRps, ceilingRps, rate -> new Probe(rate, attainmentAt.apply(rate)));
    }

    /** As {@link #searchProbes}, unbounded, on an evaluator's runs (attainment and steady state). */
    public Result searchEvaluations(double startRps, DoubleFunction<PlanEvaluator.Evaluation> evaluationAt) {
        return searchProbes(startRps, Double.POSITIVE_INFINITY, rate -> {
            PlanEvaluator.Evaluation e = evaluationAt.apply(rate);
            return new Probe(rate, e.sloAttainment(), e.steady());
        });
    }

    /**
     * As {@link #search(double, double, DoubleFunction)}, judging each rate on its whole probe: the rate meets the
     * target when the probe's attainment does and the probe was {@link Probe#steady() steady}.
     */
    public Result searchProbes(double startRps, double ceilingRps, DoubleFunction<Probe> probeAt) {
        if (!(startRps > 0) || Double.isInfinite(startRps)) {
            throw new IllegalArgumentException("capacity search needs a positive starting rate, got " + startRps);
        }
        if (!(ceilingRps > 0)) {
            throw new IllegalArgumentException("capacity search needs a positive ceiling, got " + ceilingRps);
        }
        List<Probe> probes = new ArrayList<>();
        double lo = 0;
        double hi = Double.POSITIVE_INFINITY;
        double rate = Math.min(startRps, ceilingRps);
        if (meets(rate, probeAt, probes)) {
            lo = rate;
            for (int i = 0; i < maxDoublings && Double.isInfinite(hi) && rate < ceilingRps; i++) {
                rate = Math.min(rate * 2, ceilingRps);
                if (meets(rate, probeAt, probes)) {
                    lo = rate;
                } else {
                    hi = rate;
                }
            }
        } else {
            hi = rate;
            for (int i = 0; i < maxDoublings && lo == 0; i++) {
                rate /= 2;
                if (meets(rate, probeAt, probes)) {
                    lo = rate;
                } else {
                    hi = rate;
                }
            }
        }
        for (int i = 0; i < maxBisections && lo > 0 && !Double.isInfinite(hi) && hi - lo > relativeTolerance * hi; i++) {
            double mid = (lo + hi) / 2;
            if (meets(mid, probeAt, probes)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return new Result(lo, hi, ceilingRps, probes);
    }

    private boolean meets(double rate, DoubleFunction<Probe> probeAt, List<Probe> probes) {
        Probe p = probeAt.apply(rate);
        probes.add(p);
        return p.steady() && p.sloAttainment() >= attainmentTarget;
    }
}
