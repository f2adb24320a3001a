package org.cornserve.planner.search;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.cornserve.planner.CandidatePlan;
import org.cornserve.planner.estimate.PlanEstimate;

/**
 * The chosen plan and why: its estimate, how it ranked, and the runners-up.
 *
 * @param plan the chosen plan
 * @param explanation why it was chosen
 */
public record SearchResult(CandidatePlan plan, Explanation explanation) {

    /**
     * The chosen plan's explanation, written into the plan file.
     *
     * @param objective goodput or min-devices
     * @param targetRateRps the min-devices target rate, 0 for goodput
     * @param rankedBy {@code analytic} when only the estimate ranked the finalists, else the evaluator's name
     * @param rankRateRps rate at which the evaluator ran every finalist for comparison (the chosen plan's measured
     *     capacity for goodput, the target rate for min-devices; 0 when analytic)
     * @param estimate the chosen plan's analytic estimate
     * @param measuredCapacityRps the chosen plan's capacity at the SLO as the evaluator measured it, or null
     * @param evaluation the evaluator's figures for the chosen plan at the rank rate, or null
     * @param runnersUp the next best plans (best allocation of other groupings), best first
     * @param stats how much of the space the search covered
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Explanation(
            @JsonProperty("objective") String objective,
            @JsonProperty("target_rate_rps") double targetRateRps,
            @JsonProperty("ranked_by") String rankedBy,
            @JsonProperty("rank_rate_rps") double rankRateRps,
            @JsonProperty("estimate") PlanEstimate estimate,
            @JsonProperty("measured_capacity_rps") Double measuredCapacityRps,
            @JsonProperty("evaluation") PlanEvaluator.Evaluation evaluation,
            @JsonProperty("runners_up") List<RunnerUp> runnersUp,
            @JsonProperty("search") Stats stats) {
        public Explanation {
            runnersUp = List.copyOf(runnersUp);
        }
    }

    /**
     * A plan that lost, with the figures it lost on.
     *
     * @param plan compact description of its deployments
     * @param devices devices it uses
     * @param capacityRps estimated highest rate at the SLO
     * @param goodputRps estimated goodput at the workload's rate
     * @param bottleneck deployment that limits it
     * @param measuredCapacityRps its capacity at the SLO as the evaluator measured it, or null
     * @param evaluation the evaluator's figures at the rank rate, or null when it was not evaluated
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RunnerUp(
            @JsonProperty("plan") String plan,
            @JsonProperty("devices") int devices,
            @JsonProperty("capacity_rps") double capacityRps,
            @JsonProperty("goodput_rps") double goodputRps,
            @JsonProperty("bottleneck") String bottleneck,
            @JsonProperty("measured_capacity_rps") Double measuredCapacityRps,
            @JsonProperty("evaluation") PlanEvaluator.Evaluation evaluation) {}

    /**
     * Search coverage.
     *
     * @param groupings groupings in the space
     * @param groupingsPruned groupings cut by their bound without scoring an allocation
     * @param evaluations plans scored by the analytic estimate
     * @param exhaustive true when branch and bound finished within its budget (the result is the estimate's optimum)
     * @param elapsedMs wall time of the search
     */
    public record Stats(
            @JsonProperty("groupings") int groupings,
            @JsonProperty("groupings_pruned") int groupingsPruned,
            @JsonProperty("evaluations") long evaluations,
            @JsonProperty("exhaustive") boolean exhaustive,
            @JsonProperty("elapsed_ms") long elapsedMs) {}
}
