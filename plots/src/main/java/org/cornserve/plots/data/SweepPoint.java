package org.cornserve.plots.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** What one run of a plan at one offered rate measured (a capacity probe, or the headline's equal-load run). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SweepPoint(@JsonProperty(value = "rate_rps", required = true) double rateRps,
        @JsonProperty("requests") long requests,
        @JsonProperty("throughput_rps") double throughputRps,
        @JsonProperty("goodput_rps") double goodputRps,
        @JsonProperty(value = "slo_attainment", required = true) double sloAttainment,
        @JsonProperty("ttft_ms") Percentiles ttftMs,
        @JsonProperty("tpot_ms") Percentiles tpotMs,
        @JsonProperty("e2e_ms") Percentiles e2eMs) {

    public SweepPoint {
        ttftMs = ttftMs == null ? Percentiles.NONE : ttftMs;
        tpotMs = tpotMs == null ? Percentiles.NONE : tpotMs;
        e2eMs = e2eMs == null ? Percentiles.NONE : e2eMs;
    }
}
