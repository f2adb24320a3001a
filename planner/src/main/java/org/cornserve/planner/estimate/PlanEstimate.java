package org.cornserve.planner.estimate;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What the analytic estimate says about a plan.
 *
 * @param capacityRps highest request rate at which the estimated SLO attainment reaches the target
 * @param stableRps highest rate every deployment sustains (ignoring latency targets); an upper bound of capacity
 * @param rateRps the workload's rate, at which the next fields are estimated
 * @param sloAttainment estimated fraction of requests meeting every target at that rate
 * @param goodputRps rate x attainment
 * @param meanTtftMs estimated mean time to first token at that rate
 * @param meanE2eMs estimated mean end-to-end latency at that rate
 * @param bottleneck the deployment with the lowest capacity bound (replicas x per-replica capacity): the one
 *     that limits the plan
 * @param deployments per-deployment figures
 */
public record PlanEstimate(
        @JsonProperty("capacity_rps") double capacityRps,
        @JsonProperty("stable_rps") double stableRps,
        @JsonProperty("rate_rps") double rateRps,
        @JsonProperty("slo_attainment") double sloAttainment,
        @JsonProperty("goodput_rps") double goodputRps,
        @JsonProperty("mean_ttft_ms") double meanTtftMs,
        @JsonProperty("mean_e2e_ms") double meanE2eMs,
        @JsonProperty("bottleneck") String bottleneck,
        @JsonProperty("deployments") List<DeploymentEstimate> deployments) {

    public PlanEstimate {
        deployments = List.copyOf(deployments);
    }

    /**
     * Per-deployment figures.
     *
     * @param name deployment name
     * @param replicaCapacityRps highest rate one replica sustains within its limits (and TPOT where it decodes)
     * @param capacityRps that times the replicas
     * @param stressAtRate fill of the tightest engine limit at the workload's rate (1 = unstable)
     * @param stressAtCapacity the same at the plan's capacity
     * @param cycleMsAtRate engine cycle (for decoders: time per output token) at the workload's rate
     */
    public record DeploymentEstimate(
            @JsonProperty("name") String name,
            @JsonProperty("replica_capacity_rps") double replicaCapacityRps,
            @JsonProperty("capacity_rps") double capacityRps,
            @JsonProperty("stress_at_rate") double stressAtRate,
            @JsonProperty("stress_at_capacity") double stressAtCapacity,
            @JsonProperty("cycle_ms_at_rate") double cycleMsAtRate) {}
}
