package org.cornserve.planner.search;

import java.util.HashMap;
import java.util.Map;
import org.cornserve.planner.CandidatePlan;

/**
 * Remembers an evaluator's answers by plan (its deployments, replicas and degrees) and rate, so that the
 * baselines' searches and Cornserve's, which rank some of the same plans on the same workload, run each
 * simulation once. The evaluator must be deterministic (the simulator is). Not thread-safe.
 */
public final class CachingEvaluator implements PlanEvaluator {
    private final PlanEvaluator inner;
    private final Map<String, Evaluation> answers = new HashMap<>();
    private long misses;

    private CachingEvaluator(PlanEvaluator inner) {
        this.inner = inner;
    }

    /** The evaluator with a cache, or itself when it already has one (null stays null). */
    public static PlanEvaluator of(PlanEvaluator evaluator) {
        return evaluator == null || evaluator instanceof CachingEvaluator ? evaluator : new CachingEvaluator(evaluator);
    }

    @Override
    public Evaluation evaluate(CandidatePlan plan, double rateRps) {
        String key = plan.describe() + "@" + Double.doubleToLongBits(rateRps);
        Evaluation e = answers.get(key);
        if (e == null) {
            e = inner.evaluate(plan, rateRps);
            answers.put(key, e);
            misses++;
        }
        return e;
    }

    /** Evaluations that ran the inner evaluator. */
    public long runs() {
        return misses;
    }
}
