package org.cornserve.planner.search;

import java.util.Comparator;
import org.cornserve.planner.CandidatePlan;

/**
 * A plan with the figures the search compares it by.
 *
 * @param plan the plan
 * @param capacityRps estimated highest rate served at the SLO
 * @param stableRps estimated highest rate every deployment sustains (an upper bound of capacity)
 */
public record ScoredPlan(CandidatePlan plan, double capacityRps, double stableRps) {

    public int devices() {
        return plan.devices();
    }

    /** Best first under the objective: ties broken by fewer devices, then by the plan's description. */
    public static Comparator<ScoredPlan> bestFirst(Objective objective) {
        Comparator<ScoredPlan> byDescription = Comparator.comparing(s -> s.plan().describe());
        if (objective.kind() == Objective.Kind.GOODPUT) {
            return Comparator.comparingDouble(ScoredPlan::capacityRps).reversed()
                    .thenComparingInt(ScoredPlan::devices).thenComparing(byDescription);
        }
        double rate = objective.rateRps();
        return Comparator.<ScoredPlan>comparingInt(s -> s.capacityRps() >= rate ? 0 : 1)
                .thenComparingInt(ScoredPlan::devices)
                .thenComparing(Comparator.comparingDouble(ScoredPlan::capacityRps).reversed())
                .thenComparing(byDescription);
    }
}
