package org.cornserve.model.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A link between two devices: one-direction bandwidth and a fixed latency per transfer.
 *
 * @param bytesPerSecond achievable bandwidth of one transfer
 * @param latencyUs start-up latency of one transfer in microseconds
 */
public record LinkSpec(
        @JsonProperty(value = "bytes_per_second", required = true) double bytesPerSecond,
        @JsonProperty(value = "latency_us", required = true) double latencyUs) {

    public LinkSpec {
        if (!(bytesPerSecond > 0) || Double.isInfinite(bytesPerSecond)) {
            throw new IllegalArgumentException("link bytes_per_second must be > 0, got " + bytesPerSecond);
        }
        if (!(latencyUs >= 0) || Double.isInfinite(latencyUs)) {
            throw new IllegalArgumentException("link latency_us must be >= 0, got " + latencyUs);
        }
    }

    /** Seconds to move {@code bytes}: latency + bytes / bandwidth (0 for 0 bytes). */
    public double transferSeconds(long bytes) {
        return bytes <= 0 ? 0 : latencyUs * 1e-6 + bytes / bytesPerSecond;
    }
}
