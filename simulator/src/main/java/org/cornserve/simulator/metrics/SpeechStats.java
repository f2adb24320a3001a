package org.cornserve.simulator.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Figures of the requests whose response includes speech.
 *
 * @param count requests asking for speech (rejected ones included)
 * @param completed of those, the ones that completed
 * @param attainment share of {@code count} that met the app's whole SLO, the speech target included
 * @param ttfaMs time to first audio of the completed ones, in ms
 * @param rtf real-time factor after the first audio, (completion - first audio) / audio duration, a pure
 *     ratio (recorded at 0.001 resolution)
 */
@JsonPropertyOrder({"count", "completed", "attainment", "ttfa_ms", "rtf"})
public record SpeechStats(@JsonProperty("count") long count, @JsonProperty("completed") long completed,
        @JsonProperty("attainment") double attainment, @JsonProperty("ttfa_ms") LatencyStats ttfaMs,
        @JsonProperty("rtf") LatencyStats rtf) {
}
