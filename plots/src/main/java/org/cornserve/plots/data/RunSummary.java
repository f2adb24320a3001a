package org.cornserve.plots.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The figures of {@code summary.json} the plots use (a simulation's or a replay's). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunSummary(@JsonProperty(value = "requests", required = true) long requests,
        @JsonProperty(value = "completed", required = true) long completed,
        @JsonProperty("rejected") long rejected,
        @JsonProperty("simulated_seconds") double seconds,
        @JsonProperty("throughput_rps") double throughputRps,
        @JsonProperty("goodput_rps") double goodputRps,
        @JsonProperty("slo_attainment") double sloAttainment,
        @JsonProperty(value = "ttft_ms", required = true) Percentiles ttftMs,
        @JsonProperty("tpot_ms") Percentiles tpotMs,
        @JsonProperty(value = "e2e_ms", required = true) Percentiles e2eMs,
        @JsonProperty("stages") List<StageTiming> stages) {

    public RunSummary {
        stages = stages == null ? List.of() : List.copyOf(stages);
    }
}
