package org.cornserve.model.hardware;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Fractions of a device's published peaks that real kernels reach, and the inference engine's CPU time per
 * LLM iteration on that machine. The built-in catalog takes the fractions from published microbenchmarks
 * (its {@code sources} name them per field); a field a hardware file leaves out takes the documented default
 * of {@link #DEFAULT}, and a file without an {@code efficiency} block takes all of it.
 * {@code cornserve profile calibrate} fits compute, memory bandwidth and the overhead to a measured run.
 *
 * @param compute achievable fraction of peak dense FLOP/s in the matrix multiplies of inference (default 0.7)
 * @param memoryBandwidth achievable fraction of peak memory bandwidth in streaming reads (default 0.8)
 * @param interconnect achievable fraction of NVLink / PCIe bandwidth in collectives (default 0.8)
 * @param iterationOverheadMs engine CPU time per LLM iteration (scheduling, sampling, launches) in ms (default 0.5)
 * @param note why these values (shown to users next to the numbers)
 */
public record Efficiency(
        @JsonProperty("compute") double compute,
        @JsonProperty("memory_bandwidth") double memoryBandwidth,
        @JsonProperty("interconnect") double interconnect,
        @JsonProperty("iteration_overhead_ms") double iterationOverheadMs,
        @JsonProperty("note") String note) {

    /**
     * The documented defaults, ASSUMPTIONS rather than measurements: 0.7 of peak compute, 0.8 of memory and link
     * bandwidth (typical of tuned inference kernels), 0.5 ms of engine time per LLM iteration (in line with
     * vLLM's per-step overhead at small batch).
     */
    public static final Efficiency DEFAULT = new Efficiency(0.7, 0.8, 0.8, 0.5,
            "ASSUMPTION: the documented defaults (0.7 of peak compute, 0.8 of memory and link bandwidth, 0.5 ms per"
                    + " LLM iteration), not measured on this hardware");

    public Efficiency {
        fraction("compute", compute);
        fraction("memory_bandwidth", memoryBandwidth);
        fraction("interconnect", interconnect);
        if (!(iterationOverheadMs >= 0) || Double.isInfinite(iterationOverheadMs)) {
            throw new IllegalArgumentException("efficiency iteration_overhead_ms must be >= 0, got " + iterationOverheadMs);
        }
        note = note == null ? "" : note;
    }

    /** The defaults of {@link #DEFAULT} for every field the JSON leaves out. */
    @JsonCreator
    public static Efficiency fromJson(@JsonProperty("compute") Double compute,
            @JsonProperty("memory_bandwidth") Double memoryBandwidth,
            @JsonProperty("interconnect") Double interconnect,
            @JsonProperty("iteration_overhead_ms") Double iterationOverheadMs,
            @JsonProperty("note") String note) {
        boolean allGiven = compute != null && memoryBandwidth != null && interconnect != null && iterationOverheadMs != null;
        String defaulted = allGiven ? "" : (note == null || note.isBlank() ? "" : " ")
                + "(fields left out take the documented defaults)";
        return new Efficiency(compute != null ? compute : DEFAULT.compute,
                memoryBandwidth != null ? memoryBandwidth : DEFAULT.memoryBandwidth,
                interconnect != null ? interconnect : DEFAULT.interconnect,
                iterationOverheadMs != null ? iterationOverheadMs : DEFAULT.iterationOverheadMs,
                (note == null ? "" : note) + defaulted);
    }

    /** The same efficiencies with compute, memory bandwidth and overhead replaced (a calibration's result). */
    public Efficiency withFitted(double newCompute, double newMemoryBandwidth, double newIterationOverheadMs, String newNote) {
        return new Efficiency(newCompute, newMemoryBandwidth, interconnect, newIterationOverheadMs, newNote);
    }

    private static void fraction(String field, double v) {
        if (!(v > 0 && v <= 1)) {
            throw new IllegalArgumentException("efficiency " + field + " must be in (0, 1], got " + v);
        }
    }
}
