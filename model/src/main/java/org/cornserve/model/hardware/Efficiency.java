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
 * @param gemmRooflineExponent how sharply an LLM's matrix multiplies pass from memory-bound to compute-bound: a GEMM
 *     whose weights take {@code m} seconds to stream and whose FLOPs take {@code c} seconds at the efficiencies above
 *     takes {@code (m^p + c^p)^(1/p)}; the hard roofline {@code max(m, c)} is {@code p = infinity}, which a file
 *     writes as a large number (100 is within 0.7% of it). Measured GEMMs near the ridge point (decode batches of 32
 *     to 256 tokens on an A100) take up to a third longer than the hard roofline (default 1.35, see
 *     {@link #DEFAULT_GEMM_ROOFLINE_EXPONENT})
 * @param note why these values (shown to users next to the numbers)
 */
public record Efficiency(
        @JsonProperty("compute") double compute,
        @JsonProperty("memory_bandwidth") double memoryBandwidth,
        @JsonProperty("interconnect") double interconnect,
        @JsonProperty("iteration_overhead_ms") double iterationOverheadMs,
        @JsonProperty("gemm_roofline_exponent") double gemmRooflineExponent,
        @JsonProperty("note") String note) {

    /**
     * The documented default of {@code gemm_roofline_exponent}: 1.35, MEASURED by others and fitted here (least
     * squares in log time over every token count of the profile, 1 to 16384): the per-layer GEMM kernel times (Q/K/V,
     * O, gate+up, down; median, tensor parallel 1) of Llama-3-8B on A100 80GB, microsoft/vidur :
     * data/profiling/compute/a100/meta-llama/Meta-Llama-3-8B/mlp.csv (repository head 7d47513), against the A100 entry's
     * compute 0.72 and memory bandwidth 0.77: root-mean-square error 4.4% where the hard roofline has 11.2% (it is
     * 23% to 26% fast at 96 to 192 tokens). Checked on profiles it was not fitted to: Llama-2-7B on A100 5.8% (hard
     * 13.6%), Llama-3-70B on A100 4.6% (hard 10.4%), Llama-2-7B on H100 7.1% (hard 23.7%; its own best is 1.2).
     */
    public static final double DEFAULT_GEMM_ROOFLINE_EXPONENT = 1.35;

    /**
     * The documented defaults, ASSUMPTIONS rather than measurements: 0.7 of peak compute, 0.8 of memory and link
     * bandwidth (typical of tuned inference kernels), 0.5 ms of engine time per LLM iteration (in line with
     * vLLM's per-step overhead at small batch).
     */
    public static final Efficiency DEFAULT = new Efficiency(0.7, 0.8, 0.8, 0.5, DEFAULT_GEMM_ROOFLINE_EXPONENT,
            "ASSUMPTION: the documented defaults (0.7 of peak compute, 0.8 of memory and link bandwidth, 0.5 ms per"
                    + " LLM iteration, GEMM roofline exponent 1.35), not measured on this hardware");

    public Efficiency {
        fraction("compute", compute);
        fraction("memory_bandwidth", memoryBandwidth);
        fraction("interconnect", interconnect);
        if (!(iterationOverheadMs >= 0) || Double.isInfinite(iterationOverheadMs)) {
            throw new IllegalArgumentException("efficiency iteration_overhead_ms must be >= 0, got " + iterationOverheadMs);
        }
        if (!(gemmRooflineExponent >= 1)) {
            throw new IllegalArgumentException("efficiency gemm_roofline_exponent must be >= 1 (a large number such as"
                    + " 100 for the hard roofline max(memory, compute)), got " + gemmRooflineExponent);
        }
        note = note == null ? "" : note;
    }

    /** Efficiencies with the default GEMM roofline exponent. */
    public Efficiency(double compute, double memoryBandwidth, double interconnect, double iterationOverheadMs,
            String note) {
        this(compute, memoryBandwidth, interconnect, iterationOverheadMs, DEFAULT_GEMM_ROOFLINE_EXPONENT, note);
    }

    /**
     * The seconds of a matrix multiply whose weight reads take {@code memorySeconds} and whose FLOPs take
     * {@code computeSeconds} at the sustained rates: {@code (m^p + c^p)^(1/p)} with {@code p} this efficiency's
     * {@link #gemmRooflineExponent()}, {@code max(m, c)} when it is infinite.
     */
    public static double gemmSeconds(double memorySeconds, double computeSeconds, double exponent) {
        double high = Math.max(memorySeconds, computeSeconds);
        if (Double.isInfinite(exponent) || high <= 0) {
            return high;
        }
        double low = Math.min(memorySeconds, computeSeconds) / high;  // in [0, 1]: no overflow
        return high * Math.pow(1 + Math.pow(low, exponent), 1 / exponent);
    }

    /** The defaults of {@link #DEFAULT} for every field the JSON leaves out. */
    @JsonCreator
    public static Efficiency fromJson(@JsonProperty("compute") Double compute,
            @JsonProperty("memory_bandwidth") Double memoryBandwidth,
            @JsonProperty("interconnect") Double interconnect,
            @JsonProperty("iteration_overhead_ms") Double iterationOverheadMs,
            @JsonProperty("gemm_roofline_exponent") Double gemmRooflineExponent,
            @JsonProperty("note") String note) {
        boolean allGiven = compute != null && memoryBandwidth != null && interconnect != null && iterationOverheadMs != null
                && gemmRooflineExponent != null;
        String defaulted = allGiven ? "" : (note == null || note.isBlank() ? "" : " ")
                + "(fields left out take the documented defaults)";
        return new Efficiency(compute != null ? compute : DEFAULT.compute,
                memoryBandwidth != null ? memoryBandwidth : DEFAULT.memoryBandwidth,
                interconnect != null ? interconnect : DEFAULT.interconnect,
                iterationOverheadMs != null ? iterationOverheadMs : DEFAULT.iterationOverheadMs,
                gemmRooflineExponent != null ? gemmRooflineExponent : DEFAULT.gemmRooflineExponent,
                (note == null ? "" : note) + defaulted);
    }

    /** The same efficiencies with compute, memory bandwidth and overhead replaced (a calibration's result). */
    public Efficiency withFitted(double newCompute, double newMemoryBandwidth, double newIterationOverheadMs, String newNote) {
        return new Efficiency(newCompute, newMemoryBandwidth, interconnect, newIterationOverheadMs, gemmRooflineExponent,
                newNote);
    }

    private static void fraction(String field, double v) {
        if (!(v > 0 && v <= 1)) {
            throw new IllegalArgumentException("efficiency " + field + " must be in (0, 1], got " + v);
        }
    }
}
