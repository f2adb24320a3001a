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

    /**
     * Best first under the objective; goodput ties go to the higher stability bound, then fewer devices,
     * then the plan's description.
     */
    public static Comparator<ScoredPlan> bestFirst(Objective objective) {
        Comparator<ScoredPlan> byDescription = Comparator.comparing(s -> s.plan().describe());
        if (objective.kind() == Objective.Kind.GOODPUT) {
            // Among plans of equal capacity (all zero when nothing meets the SLO), the most stable first.
            return Comparator.comparingDouble(ScoredPlan::capacityRps).reversed()
                    .thenComparing(Comparator.comparingDouble(ScoredPlan::stableRps).reversed())
                    .thenComparingInt(ScoredPlan::devices).thenComparing(byDescription);
        }
        double rate = objective.rateRps();
        return Comparator.<ScoredPlan>comparingInt(s -> s.capacityRps() >= rate ? 0 : 1)
                .thenComparingInt(ScoredPlan::devices)
                .thenComparing(Comparator.comparingDouble(ScoredPlan::capacityRps).reversed())
                .thenComparing(byDescription);
    }
}
