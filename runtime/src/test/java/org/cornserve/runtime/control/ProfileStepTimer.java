package org.cornserve.runtime.control;

import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.DiffusionCost;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.planner.schedule.batch.Step;

/**
 * Times steps with a deployment's cost models exactly as the simulator's (package-private) {@code StepTimer} does,
 * for the parity test's fake executors. Keep the two in step; making {@code StepTimer} public would remove this copy.
 */
final class ProfileStepTimer {
    private final Object[] costs;

    ProfileStepTimer(Object[] costs) {
        this.costs = costs;
    }

    long nanos(Step step, long iterations) {
        double seconds = switch (step) {
            case Step.BatchStep b -> ((BatchCost) costs[b.task()]).batchSeconds(b.items(), b.tokens());
            case Step.LlmStep l -> iterations == 1
                    ? ((LlmCost) costs[l.task()]).iterationSeconds(l.prefillTokens(), l.prefillContextTokens(),
                            l.decodeSequences(), l.decodeContextTokens())
                    : ((LlmCost) costs[l.task()]).decodeRunSeconds(l.decodeSequences(), l.decodeContextTokens(),
                            iterations);
            case Step.DiffusionStep g -> iterations
                    * ((DiffusionCost) costs[g.task()]).stepSeconds(g.jobs(), g.latentTokens());
        };
        return Math.round(seconds * 1e9);
    }

    long iterationsToReach(Step step, long planned, long startNanos, long atNanos) {
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
