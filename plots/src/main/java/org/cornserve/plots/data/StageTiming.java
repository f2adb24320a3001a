package org.cornserve.plots.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One unit task's share of the latency, from {@code summary.json}'s {@code stages}: queueing and running, in ms. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StageTiming(@JsonProperty("task") String task, @JsonProperty("invocations") long invocations,
        @JsonProperty("queue_ms") Percentiles queueMs, @JsonProperty("run_ms") Percentiles runMs) {
}
