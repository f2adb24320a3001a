package org.cornserve.simulator.engine;

import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.DiffusionCost;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.simulator.config.ServedStepCosts;
import org.cornserve.simulator.config.SpeedTrace;
import org.cornserve.simulator.config.StepExcess;

/**
 * Times steps with a replica's cost models. A multi-iteration step's first {@code m} iterations take
 * {@link #nanos(Step, long)}; that is non-decreasing in {@code m}, which lets the engine find the iteration
 * boundary at which to cut a run short by binary search. The runtime's parity test times its fake executors with it.
 *
 * <p>An LLM step may also pay the serving system's round trip around each engine step ({@link #withStepOverhead}):
 * what a live control plane spends between deciding a step and acting on its report (the command, the report, the
 * event loop), beyond the engine's own per-iteration overhead that the profile holds. The runtime reports every
 * prefill or mixed iteration, and decode every {@code iterationsPerReport} iterations, so a step with a prefill pays
 * it once per iteration and a decode run once per started group of {@code iterationsPerReport} iterations.
 */
public final class StepTimer {
    private final Object[] costs;
    private final String deployment;
    private final long stepOverheadNanos;
    /** A report's round trip as charged: the step overhead plus the served costs' round-trip tail. */
    private final long reportOverheadNanos;
    private final long iterationsPerReport;
    /** Served-run cost terms beyond the profile ({@link #withServedCosts}), or null. */
    private final ServedStepCosts served;
    private final double[] computeRatio;
    private final double[] roundTripMs;
    /** The served costs' step excess ({@link ServedStepCosts#stepExcess}), or null. */
    private final StepExcess excess;
    /** Its quantile tables as arrays: [0] of steps with a prefill, [1] of decode-only reports, one per bin. */
    private final double[][][] excessMs;
    /** The machine's speed over time ({@link #withSpeedTrace}), or null: one speed throughout. */
    private final SpeedTrace speed;

    public StepTimer(Object[] costs, String deployment) {
        this(costs, deployment, 0, 1, null, null);
    }

    private StepTimer(Object[] costs, String deployment, long stepOverheadNanos, long iterationsPerReport,
            ServedStepCosts served, SpeedTrace speed) {
        if (stepOverheadNanos < 0 || iterationsPerReport < 1) {
            throw new IllegalArgumentException("deployment " + deployment + ": step overhead must be >= 0 ns and"
                    + " iterations per report >= 1, got " + stepOverheadNanos + " ns and " + iterationsPerReport);
        }
        this.costs = costs;
        this.deployment = deployment;
        this.stepOverheadNanos = stepOverheadNanos;
        this.iterationsPerReport = iterationsPerReport;
        this.served = served == null || served.isNone() ? null : served;
        this.computeRatio = served == null ? new double[0]
                : served.computeRatio().stream().mapToDouble(Double::doubleValue).toArray();
        this.roundTripMs = served == null ? new double[0]
                : served.roundTripMs().stream().mapToDouble(Double::doubleValue).toArray();
        this.excess = this.served == null ? null : this.served.stepExcess();
        this.excessMs = excess == null ? null : new double[][][] {arrays(excess.prefillMs()), arrays(excess.decodeMs())};
        this.speed = speed;
        this.reportOverheadNanos = stepOverheadNanos + (this.served == null || roundTripMs.length > 0 ? 0
                : Math.round(this.served.roundTripTailMs() * 1e6));
    }

    private static double[][] arrays(java.util.List<java.util.List<Double>> tables) {
        return tables.stream().map(t -> t.stream().mapToDouble(Double::doubleValue).toArray()).toArray(double[][]::new);
    }

    /**
     * This timer with LLM steps paying {@code nanosPerStep} per engine step as a runtime runs them: per prefill or
     * mixed iteration, and per started group of {@code iterationsPerReport} decode iterations.
     */
    public StepTimer withStepOverhead(long nanosPerStep, long iterationsPerReport) {
        return new StepTimer(costs, deployment, nanosPerStep, iterationsPerReport, served, speed);
    }

    /** The round trips a live runtime makes for the first {@code iterations} iterations of an LLM step. */
    long reports(Step.LlmStep step, long iterations) {
        return step.prefillTokens() > 0 ? iterations : (iterations + iterationsPerReport - 1) / iterationsPerReport;
    }

    /** Nanoseconds of the first {@code iterations} iterations of {@code step}. */
    public long nanos(Step step, long iterations) {
        double seconds = switch (step) {
            case Step.BatchStep b -> ((BatchCost) costs[b.task()]).batchSeconds(b.items(), b.tokens());
            case Step.LlmStep l -> llmSeconds((LlmCost) costs[l.task()], l, iterations);
            case Step.DiffusionStep g -> iterations
                    * ((DiffusionCost) costs[g.task()]).stepSeconds(g.jobs(), g.latentTokens());
        };
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalStateException("deployment " + deployment + ": cost model returned " + seconds
                    + " s for " + step + " x" + iterations);
        }
        return Math.round(seconds * 1e9) + overheadNanos(step, iterations);
    }

    /**
     * Of {@link #nanos(Step, long)}, the serving system's round trips ({@link #withStepOverhead}); 0 without. Under
     * async scheduling the round trip of a step decided while the previous one computed overlaps that compute, and
     * the engine charges only what is left of it.
     */
    public long overheadNanos(Step step, long iterations) {
        return reportOverheadNanos > 0 && step instanceof Step.LlmStep l ? reportOverheadNanos * reports(l, iterations)
                : 0;
    }

    private static double llmSeconds(LlmCost cost, Step.LlmStep l, long iterations) {
        double seconds = iterations == 1
                ? cost.iterationSeconds(l.prefillTokens(), l.prefillContextTokens(), l.decodeSequences(),
                        l.decodeContextTokens())
                : cost.decodeRunSeconds(l.decodeSequences(), l.decodeContextTokens(), iterations);
        // swapped KV is copied over the host link before the step's first iteration
        return l.swapTokens() > 0 ? seconds + cost.hostCopySeconds(l.swapTokens()) : seconds;
    }

    /**
     * This timer with LLM steps paying what serving them cost beyond the profile ({@link ServedStepCosts}): the extra
     * per delivered sequence, a drawn compute ratio and a drawn round trip per report (the round trip replaces the
     * fixed {@link #withStepOverhead} one when the costs hold a round-trip table). Use {@link #nanos(Step, long, long)}
     * with a key per step so that the draws are the step's own.
     */
    public StepTimer withServedCosts(ServedStepCosts costs) {
        return new StepTimer(this.costs, deployment, stepOverheadNanos, iterationsPerReport, costs, speed);
    }

    /**
     * This timer with an LLM step's compute (not its round trips) scaled by the machine's speed when it starts
     * ({@link SpeedTrace}); use {@link #nanosAt} and the {@code iterationsToReach} that takes the step's start.
     */
    public StepTimer withSpeedTrace(SpeedTrace trace) {
        return new StepTimer(costs, deployment, stepOverheadNanos, iterationsPerReport, served, trace);
    }

    /**
     * As {@link #nanos(Step, long, long)}, for a step that started at {@code startNanos} of simulated time: an LLM
     * step's compute runs at the speed trace's speed then (its round trips as they are); without a trace the same.
     */
    public long nanosAt(Step step, long iterations, long drawKey, long startNanos) {
        return nanosAt(step, iterations, drawKey, startNanos, NO_PREFILL);
    }

    /** {@code reportsSincePrefill} of a replica that has run no prefill (or none the ratio still covers). */
    public static final long NO_PREFILL = Long.MAX_VALUE / 2;

    /**
     * As {@link #nanosAt(Step, long, long, long)}, a decode-only LLM step whose replica has reported {@code
     * reportsSincePrefill} decode reports since its last step with a prefill: its reports that are the first after
     * that prefill cost their compute times the served costs' after-prefill ratio ({@link #afterPrefillFactor});
     * {@link #NO_PREFILL}: none are.
     */
    public long nanosAt(Step step, long iterations, long drawKey, long startNanos, long reportsSincePrefill) {
        return nanosAt(step, iterations, drawKey, startNanos, reportsSincePrefill, false);
    }

    /**
     * As {@link #nanosAt(Step, long, long, long, long)}, for a step that starts right after a step with a prefill on
     * its replica where {@code prefillBefore}: a step with a prefill then computes at the served costs'
     * {@link ServedStepCosts#prefillFactor} of its charge (1 without served costs or their ratio). With the served
     * costs' window drift ({@link ServedStepCosts#windowDrift}) an LLM step's compute is times its start's window's
     * factor too.
     */
    public long nanosAt(Step step, long iterations, long drawKey, long startNanos, long reportsSincePrefill,
            boolean prefillBefore) {
        if (!(step instanceof Step.LlmStep l)) {
            return nanos(step, iterations, drawKey);
        }
        double at = speed == null ? 1 : speed.at(startNanos, l.prefillTokens() > 0);
        if (served != null && l.prefillTokens() > 0) {
            at *= served.prefillFactor(prefillBefore);
        }
        if (served != null && served.windowDrift() != null) {
            at *= served.windowDrift().factor(served.seed(), startNanos, l.prefillTokens() > 0);
        }
        return charge(step, iterations, drawKey, at) + afterPrefillNanos(l, iterations, reportsSincePrefill, at);
    }

    /** True when a prefill's charge depends on whether a prefill came right before it on its replica. */
    public boolean chargesPrefillBefore() {
        return served != null && served.prefillAfterPrefillRatio() > 0;
    }

    /** Decode reports a decode-only LLM step makes in {@code iterations} iterations (one per started group); 0 else. */
    public long decodeReports(Step step, long iterations) {
        return step instanceof Step.LlmStep l && l.prefillTokens() == 0 ? reports(l, iterations) : 0;
    }

    /**
     * The extra compute of a decode run's reports that come first after a prefill, in nanoseconds at speed {@code
     * at}: for its j-th report (from 0) the profile's compute for it times (the after-prefill ratio of report {@code
     * reportsSincePrefill + j + 1}, less 1). O(ratios) cost evaluations, nothing allocated.
     */
    private long afterPrefillNanos(Step.LlmStep l, long iterations, long reportsSincePrefill, double at) {
        if (served == null || l.prefillTokens() > 0
                || reportsSincePrefill >= served.afterPrefillComputeRatio().size()) {
            return 0;
        }
        LlmCost cost = (LlmCost) costs[l.task()];
        double seconds = 0;
        long report = reportsSincePrefill + 1;
        for (long lo = 0; lo < iterations && report <= served.afterPrefillComputeRatio().size();
                lo += iterationsPerReport, report++) {
            long n = Math.min(iterationsPerReport, iterations - lo);
            seconds += (afterPrefillFactor(report) - 1)
                    * cost.decodeRunSeconds(l.decodeSequences(), l.decodeContextTokens() + lo * l.decodeSequences(), n);
        }
        return Math.round(seconds * 1e9 * at);
    }

    /**
     * The compute factor of the {@code k}-th decode report (1 for the first) since the last step with a prefill on
     * its replica: the served costs' after-prefill ratio ({@link ServedStepCosts#afterPrefillComputeRatio}), 1 past
     * its end, for {@code k < 1} or without served costs.
     */
    public double afterPrefillFactor(long k) {
        if (served == null || k < 1 || k > served.afterPrefillComputeRatio().size()) {
            return 1;
        }
        return served.afterPrefillComputeRatio().get((int) k - 1);
    }

    /**
     * Nanoseconds of the first {@code iterations} iterations of {@code step}, whose served-cost draws are keyed by
     * {@code drawKey} (the same key gives the same draws, and the result is non-decreasing in {@code iterations}).
     * Without served costs, or for a step that is not an LLM step, as {@link #nanos(Step, long)}. With them, an LLM
     * step is charged report by report (a prefill or mixed iteration is one report; a decode run one per started
     * group of {@code iterationsPerReport} iterations): each report's profile seconds times its drawn compute ratio,
     * plus the extra per delivered sequence beyond the first for each of its iterations (with a step excess, that
     * compute at the kind's median speed plus a drawn excess, {@link StepExcess}), plus its drawn (or the fixed) round
     * trip. O(reports) cost evaluations where something is drawn, else O(1) beyond {@link #nanos(Step, long)}.
     */
    public long nanos(Step step, long iterations, long drawKey) {
        return charge(step, iterations, drawKey, 1);
    }

    /**
     * {@link #nanos(Step, long, long)} with the compute (not the round trips) times {@code speedFactor}; at 1 exactly
     * the same, without allocating (the simulator's hot path).
     */
    private long charge(Step step, long iterations, long drawKey, double speedFactor) {
        if (served == null || !(step instanceof Step.LlmStep l)) {
            if (speedFactor == 1) {
                return nanos(step, iterations);
            }
            long overhead = overheadNanos(step, iterations);
            return Math.round((nanos(step, iterations) - overhead) * speedFactor) + overhead;
        }
        LlmCost cost = (LlmCost) costs[l.task()];
        double extraPerIteration = served.extraMsPerSequence() * 1e-3
                * Math.max(0, l.decodeSequences() + (l.prefillTokens() > 0 ? 1 : 0) - 1);
        if (computeRatio.length == 0 && roundTripMs.length == 0 && excess == null) {
            // nothing drawn: the profile's charge plus the extra, in closed form (the decode fast path stays O(1))
            long extra = Math.round(extraPerIteration * iterations * 1e9);
            if (speedFactor == 1) {
                return nanos(step, iterations) + extra;
            }
            long overhead = overheadNanos(step, iterations);
            return Math.round((nanos(step, iterations) - overhead + extra) * speedFactor) + overhead;
        }
        double seconds = l.swapTokens() > 0 ? cost.hostCopySeconds(l.swapTokens()) : 0;
        long overhead = 0;
        long perReport = l.prefillTokens() > 0 ? 1 : iterationsPerReport;
        long report = 0;
        for (long lo = 0; lo < iterations; lo += perReport, report++) {
            long n = Math.min(perReport, iterations - lo);
            double profile = l.prefillTokens() > 0
                    ? cost.iterationSeconds(l.prefillTokens(), l.prefillContextTokens(), l.decodeSequences(),
                            l.decodeContextTokens())
                    : cost.decodeRunSeconds(l.decodeSequences(), l.decodeContextTokens() + lo * l.decodeSequences(), n);
            double ratio = computeRatio.length == 0 ? 1
                    : ServedStepCosts.quantileAt(computeRatio, ServedStepCosts.uniform(served.seed(), drawKey, report, 0));
            double compute = profile * ratio + extraPerIteration * n;
            if (excess != null) {
                // the bin by the whole report's size, its first iteration times the report's iterations, and a
                // report cut short paying its share of the excess: the charge then rises with the iterations
                double whole = l.prefillTokens() > 0 ? compute
                        : (cost.decodeRunSeconds(l.decodeSequences(), l.decodeContextTokens() + lo
                                * l.decodeSequences(), 1) * ratio + extraPerIteration) * perReport;
                compute = withExcess(compute, whole, (double) n / perReport, l.prefillTokens() > 0,
                        ServedStepCosts.uniform(served.seed(), drawKey, report, 3));
            }
            seconds += compute;
            overhead += roundTripMs.length == 0 ? reportOverheadNanos
                    : Math.round(1e6 * ServedStepCosts.quantileAt(roundTripMs,
                            ServedStepCosts.uniform(served.seed(), drawKey, report, 1)));
        }
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalStateException("deployment " + deployment + ": served cost model returned " + seconds
                    + " s for " + step + " x" + iterations);
        }
        return Math.round(seconds * 1e9 * speedFactor) + overhead;
    }

    /**
     * A report's compute of {@code seconds} at the level, charged at its kind's median speed plus {@code share} of the
     * excess at probability {@code u} of the table of its whole size ({@code whole} seconds at the level; {@link
     * StepExcess}), at least {@link StepExcess#FLOOR} of the former.
     */
    private double withExcess(double seconds, double whole, double share, boolean prefill, double u) {
        double scale = prefill ? excess.prefillScale() : excess.decodeScale();
        double atMedian = seconds * scale;
        double[] table = excessMs[prefill ? 0 : 1][excess.bin(whole * scale * 1e3)];
        return Math.max(StepExcess.FLOOR * atMedian, atMedian + share * ServedStepCosts.quantileAt(table, u) * 1e-3);
    }

    /** As {@link #iterationsToReach(Step, long, long, long)}, with the step's served-cost draws keyed by {@code drawKey}. */
    public long iterationsToReach(Step step, long planned, long startNanos, long atNanos, long drawKey) {
        return reach(m -> nanos(step, m, drawKey), planned, startNanos, atNanos);
    }

    /**
     * As {@link #iterationsToReach(Step, long, long, long, long)}, the step timed by {@link #nanosAt} from {@code
     * stepStartNanos} (its start in simulated time, for the speed trace), its end counted from {@code fromNanos}.
     */
    public long iterationsToReachAt(Step step, long planned, long fromNanos, long atNanos, long drawKey,
            long stepStartNanos) {
        return iterationsToReachAt(step, planned, fromNanos, atNanos, drawKey, stepStartNanos, NO_PREFILL);
    }

    /**
     * As {@link #iterationsToReachAt(Step, long, long, long, long, long)}, with the after-prefill ratio charged as
     * {@link #nanosAt(Step, long, long, long, long)} charges it.
     */
    public long iterationsToReachAt(Step step, long planned, long fromNanos, long atNanos, long drawKey,
            long stepStartNanos, long reportsSincePrefill) {
        return reach(m -> nanosAt(step, m, drawKey, stepStartNanos, reportsSincePrefill), planned, fromNanos, atNanos);
    }

    /**
     * The fewest iterations {@code m} in {@code [1, planned]} whose end {@code start + nanos(m)} is at or after
     * {@code atNanos}; {@code planned} when none is. O(log planned) cost evaluations.
     */
    public long iterationsToReach(Step step, long planned, long startNanos, long atNanos) {
        return reach(m -> nanos(step, m), planned, startNanos, atNanos);
    }

    private static long reach(java.util.function.LongUnaryOperator nanosOf, long planned, long startNanos,
            long atNanos) {
        long lo = 1;
        long hi = planned;
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            if (startNanos + nanosOf.applyAsLong(mid) >= atNanos) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
