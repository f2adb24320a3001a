package org.cornserve.plots.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One metric of {@code validation.json}: the simulated and the measured value and the relative error
 * ({@code (simulated - measured) / measured}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ValidationRow(@JsonProperty(value = "metric", required = true) String metric,
        @JsonProperty(value = "simulated", required = true) double simulated,
        @JsonProperty(value = "measured", required = true) double measured,
        @JsonProperty("error") Double error) {

    /** The file's error, or the relative error computed from the two values. */
    public double relativeError() {
        return error != null ? error : measured == 0 ? 0 : (simulated - measured) / measured;
    }
}
