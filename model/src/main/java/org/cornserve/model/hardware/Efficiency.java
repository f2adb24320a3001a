package org.cornserve.model.hardware;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Fractions of a device's published peaks that real kernels reach. These are modelling ASSUMPTIONS
 * (typical values for well-tuned inference kernels), not facts; a measured profile overrides them.
 *
 * @param compute achievable fraction of peak dense FLOP/s (typically 0.6-0.75)
 * @param memoryBandwidth achievable fraction of peak memory bandwidth (typically ~0.8)
 * @param interconnect achievable fraction of NVLink / PCIe bandwidth
 * @param note why these values (shown to users next to the numbers)
 */
public record Efficiency(
        @JsonProperty(value = "compute", required = true) double compute,
        @JsonProperty(value = "memory_bandwidth", required = true) double memoryBandwidth,
        @JsonProperty(value = "interconnect", required = true) double interconnect,
        @JsonProperty(value = "note", required = true) String note) {

    public Efficiency {
        fraction("compute", compute);
        fraction("memory_bandwidth", memoryBandwidth);
        fraction("interconnect", interconnect);
        note = note == null ? "" : note;
    }

    private static void fraction(String field, double v) {
        if (!(v > 0 && v <= 1)) {
            throw new IllegalArgumentException("efficiency " + field + " must be in (0, 1], got " + v);
        }
    }
}
