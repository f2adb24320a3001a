package org.cornserve.simulator.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Mean and percentiles of a latency in milliseconds; all zero when nothing was measured. */
public record LatencyStats(@JsonProperty("mean") double mean, @JsonProperty("p50") double p50,
        @JsonProperty("p90") double p90, @JsonProperty("p95") double p95, @JsonProperty("p99") double p99,
        @JsonProperty("count") long count) {
}
