package org.cornserve.traces.stats;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * What {@link TraceStats} found in a trace. Percentiles come from HdrHistogram with three significant
 * digits (relative error at most 0.1%).
 *
 * @param requests number of records
 * @param durationS seconds from the first arrival to the last
 * @param rateRps requests per second, {@code requests / durationS} (0 when the duration is 0)
 * @param interarrivalCv coefficient of variation of the gaps between consecutive arrivals (NaN with
 *     fewer than two gaps or a zero mean gap)
 * @param firstArrivalS arrival of the first record, seconds since the trace start
 * @param modalities per input modality (text, image, audio, video) and output text: how many requests
 *     carry it and how many tokens (and items) they carry
 * @param outputModalityShares per modality (text, image, audio, video), the share of requests that ask for it back
 * @param apps requests per app (at most {@link TraceStats#MAX_APPS} names; the rest under {@code "(other)"})
 */
@JsonPropertyOrder({"requests", "duration_s", "rate_rps", "interarrival_cv", "first_arrival_s", "modalities",
        "output_modality_shares", "apps"})
public record TraceSummary(
        @JsonProperty("requests") long requests,
        @JsonProperty("duration_s") double durationS,
        @JsonProperty("rate_rps") double rateRps,
        @JsonProperty("interarrival_cv") double interarrivalCv,
        @JsonProperty("first_arrival_s") double firstArrivalS,
        @JsonProperty("modalities") List<ModalityStats> modalities,
        @JsonProperty("output_modality_shares") Map<String, Double> outputModalityShares,
        @JsonProperty("apps") Map<String, Long> apps) {

    public TraceSummary {
        modalities = List.copyOf(modalities);
        outputModalityShares = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(outputModalityShares));
        apps = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(apps));
    }

    /** The stats of one modality by name ({@code text}, {@code image}, {@code audio}, {@code video}, {@code output}). */
    public ModalityStats modality(String name) {
        for (ModalityStats m : modalities) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("no modality '" + name + "' in the summary");
    }

    /**
     * Tokens of one modality over the requests that carry it (for media: summed over the request's items).
     *
     * @param name text, image, audio, video (inputs) or output (output text tokens)
     * @param requests requests that carry it (text: text tokens > 0; media: at least one item; output: output tokens > 0)
     * @param share {@code requests} over all requests
     * @param meanTokens mean tokens per request that carries it
     * @param p50Tokens median tokens
     * @param p90Tokens 90th percentile
     * @param p99Tokens 99th percentile
     * @param meanItems media only: mean items per request that carries it (1 for text and output)
     * @param maxItems media only: most items in one request
     */
    @JsonPropertyOrder({"name", "requests", "share", "mean_tokens", "p50_tokens", "p90_tokens", "p99_tokens",
            "mean_items", "max_items"})
    public record ModalityStats(
            @JsonProperty("name") String name,
            @JsonProperty("requests") long requests,
            @JsonProperty("share") double share,
            @JsonProperty("mean_tokens") double meanTokens,
            @JsonProperty("p50_tokens") long p50Tokens,
            @JsonProperty("p90_tokens") long p90Tokens,
            @JsonProperty("p99_tokens") long p99Tokens,
            @JsonProperty("mean_items") double meanItems,
            @JsonProperty("max_items") long maxItems) {
    }
}
