package org.cornserve.plots.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One plan's row of {@code compare.json} ({@code cornserve compare}). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CompareRow(@JsonProperty(value = "plan", required = true) String plan,
        @JsonProperty("strategy") String strategy, @JsonProperty("devices") int devices,
        @JsonProperty("rate_rps") double rateRps, @JsonProperty("throughput_rps") double throughputRps,
        @JsonProperty("goodput_rps") double goodputRps, @JsonProperty("slo_attainment") double sloAttainment,
        @JsonProperty(value = "ttft_ms", required = true) Percentiles ttftMs,
        @JsonProperty("tpot_ms") Percentiles tpotMs,
        @JsonProperty(value = "e2e_ms", required = true) Percentiles e2eMs) {
}
