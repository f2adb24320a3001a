package org.cornserve.simulator.evaluate;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What one run of a plan at one rate measured.
 *
 * @param rateRps offered rate
 * @param requests requests offered
 * @param throughputRps completed requests per second
 * @param goodputRps requests that met the SLO per second
 * @param sloAttainment share of requests that met the SLO
 * @param ttftMs time to first token
 * @param tpotMs time per output token
 * @param e2eMs end-to-end latency
 * @param backlog how the backlog moved while requests arrived, or null where unknown (a fake or a live run)
 */
public record RunMetrics(
        @JsonProperty("rate_rps") double rateRps,
        @JsonProperty("requests") long requests,
        @JsonProperty("throughput_rps") double throughputRps,
        @JsonProperty("goodput_rps") double goodputRps,
        @JsonProperty("slo_attainment") double sloAttainment,
        @JsonProperty("ttft_ms") Latency ttftMs,
        @JsonProperty("tpot_ms") Latency tpotMs,
        @JsonProperty("e2e_ms") Latency e2eMs,
        @JsonProperty("backlog") Backlog backlog) {

    /** A run without a backlog series. */
    public RunMetrics(double rateRps, long requests, double throughputRps, double goodputRps, double sloAttainment,
            Latency ttftMs, Latency tpotMs, Latency e2eMs) {
        this(rateRps, requests, throughputRps, goodputRps, sloAttainment, ttftMs, tpotMs, e2eMs, null);
    }

    /** Mean and percentiles of one latency, in milliseconds. */
    public record Latency(
            @JsonProperty("mean") double mean,
            @JsonProperty("p50") double p50,
            @JsonProperty("p90") double p90,
            @JsonProperty("p95") double p95,
            @JsonProperty("p99") double p99) {
        public static final Latency NONE = new Latency(0, 0, 0, 0, 0);
    }
}
