package org.cornserve.plots.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Mean and percentiles of a latency in ms, as {@code summary.json}, {@code compare.json} and headline results write them. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Percentiles(@JsonProperty("mean") double mean, @JsonProperty("p50") double p50,
        @JsonProperty("p90") double p90, @JsonProperty("p95") double p95, @JsonProperty("p99") double p99) {

    public static final Percentiles NONE = new Percentiles(0, 0, 0, 0, 0);
}
