package org.cornserve.plots.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One row of the headline's {@code results.json}: a strategy's plan on one case, workload and cluster. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HeadlineRow(@JsonProperty(value = "case", required = true) String caseName,
        @JsonProperty(value = "workload", required = true) String workload,
        @JsonProperty(value = "gpus", required = true) int gpus,
        @JsonProperty(value = "strategy", required = true) String strategy,
        @JsonProperty("status") String status, @JsonProperty("plan") String plan,
        @JsonProperty("devices") int devices,
        @JsonProperty("estimated_capacity_rps") double estimatedCapacityRps,
        @JsonProperty(value = "capacity_rps", required = true) double capacityRps,
        @JsonProperty("equal_load") SweepPoint equalLoad) {

    /** The case, workload and cluster it belongs to. */
    public String group() {
        return caseName + " / " + workload + " / " + gpus + " GPUs";
    }
}
