package org.cornserve.simulator.engine;

import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.DiffusionCost;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.planner.schedule.batch.Step;

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
    private final long iterationsPerReport;

    public StepTimer(Object[] costs, String deployment) {
        this(costs, deployment, 0, 1);
    }

    private StepTimer(Object[] costs, String deployment, long stepOverheadNanos, long iterationsPerReport) {
        if (stepOverheadNanos < 0 || iterationsPerReport < 1) {
            throw new IllegalArgumentException("deployment " + deployment + ": step overhead must be >= 0 ns and"
                    + " iterations per report >= 1, got " + stepOverheadNanos + " ns and " + iterationsPerReport);
        }
        this.costs = costs;
        this.deployment = deployment;
        this.stepOverheadNanos = stepOverheadNanos;
        this.iterationsPerReport = iterationsPerReport;
    }

    /**
     * This timer with LLM steps paying {@code nanosPerStep} per engine step as a runtime runs them: per prefill or
     * mixed iteration, and per started group of {@code iterationsPerReport} decode iterations.
     */
    public StepTimer withStepOverhead(long nanosPerStep, long iterationsPerReport) {
        return new StepTimer(costs, deployment, nanosPerStep, iterationsPerReport);
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
        return stepOverheadNanos > 0 && step instanceof Step.LlmStep l ? stepOverheadNanos * reports(l, iterations)
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
     * The fewest iterations {@code m} in {@code [1, planned]} whose end {@code start + nanos(m)} is at or after
     * {@code atNanos}; {@code planned} when none is. O(log planned) cost evaluations.
     */
    public long iterationsToReach(Step step, long planned, long startNanos, long atNanos) {
        long lo = 1;
        long hi = planned;
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            if (startNanos + nanos(step, mid) >= atNanos) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
