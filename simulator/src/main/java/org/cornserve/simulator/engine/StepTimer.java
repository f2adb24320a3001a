package org.cornserve.simulator.engine;

import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.DiffusionCost;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.planner.schedule.batch.Step;

/**
 * Times steps with a replica's cost models. A multi-iteration step's first {@code m} iterations take
 * {@link #nanos(Step, long)}; that is non-decreasing in {@code m}, which lets the engine find the iteration
 * * boundary at which to cut a run short by binary search. The runtime's parity test times its fake executors with it.
 */
public final class StepTimer {
    private final Object[] costs;
    private final String deployment;

    public StepTimer(Object[] costs, String deployment) {
        this.costs = costs;
        this.deployment = deployment;
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
        return Math.round(seconds * 1e9);
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
