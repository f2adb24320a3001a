package org.cornserve.model.profile;

/**
 * What the roofline estimator needs to know about one device: peak dense bf16 compute, memory size and
 * bandwidth, the link used for tensor-parallel collectives, and the achievable fractions of each (the
 * efficiency factors are hardware data, not code constants).
 *
 * @param name hardware name, for messages
 * @param peakFlopsPerSecond dense bf16 tensor throughput of one device
 * @param memoryBytes device memory
 * @param memoryBytesPerSecond device memory bandwidth
 * @param linkBytesPerSecond one-direction bandwidth of the device's link to its tensor-parallel peers
 * @param linkLatencySeconds latency of one collective step over that link
 * @param computeEfficiency achievable fraction of peak compute in large matrix multiplies, in (0, 1]
 * @param bandwidthEfficiency achievable fraction of memory bandwidth in streaming reads, in (0, 1]
 * @param linkEfficiency achievable fraction of link bandwidth in collectives, in (0, 1]
 * @param hostLinkBytesPerSecond one-direction bandwidth of the device's link to host memory (PCIe), used for
 *     swapping KV cache; its achievable fraction is {@code linkEfficiency}
 * @param gemmRooflineExponent how an LLM's matrix multiplies pass from memory- to compute-bound
 *     ({@link org.cornserve.model.hardware.Efficiency#gemmSeconds}); {@code infinity}, the hard roofline, for a device
 *     built without one
 */
public record RooflineDevice(
        String name,
        double peakFlopsPerSecond,
        double memoryBytes,
        double memoryBytesPerSecond,
        double linkBytesPerSecond,
        double linkLatencySeconds,
        double computeEfficiency,
        double bandwidthEfficiency,
        double linkEfficiency,
        double hostLinkBytesPerSecond,
        double gemmRooflineExponent) {

    public RooflineDevice {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("roofline device needs a name");
        }
        positive(name, "peak_flops_per_second", peakFlopsPerSecond);
        positive(name, "memory_bytes", memoryBytes);
        positive(name, "memory_bytes_per_second", memoryBytesPerSecond);
        positive(name, "link_bytes_per_second", linkBytesPerSecond);
        if (!(linkLatencySeconds >= 0)) {
            throw new IllegalArgumentException(name + ": link_latency_seconds must be >= 0");
        }
        fraction(name, "compute_efficiency", computeEfficiency);
        fraction(name, "bandwidth_efficiency", bandwidthEfficiency);
        fraction(name, "link_efficiency", linkEfficiency);
        positive(name, "host_link_bytes_per_second", hostLinkBytesPerSecond);
        if (!(gemmRooflineExponent >= 1)) {
            throw new IllegalArgumentException(name + ": gemm_roofline_exponent must be >= 1, got " + gemmRooflineExponent);
        }
    }

    /** A device on the hard roofline ({@code max(memory, compute)} for every matrix multiply). */
    public RooflineDevice(String name, double peakFlopsPerSecond, double memoryBytes, double memoryBytesPerSecond,
            double linkBytesPerSecond, double linkLatencySeconds, double computeEfficiency,
            double bandwidthEfficiency, double linkEfficiency, double hostLinkBytesPerSecond) {
        this(name, peakFlopsPerSecond, memoryBytes, memoryBytesPerSecond, linkBytesPerSecond, linkLatencySeconds,
                computeEfficiency, bandwidthEfficiency, linkEfficiency, hostLinkBytesPerSecond, Double.POSITIVE_INFINITY);
    }

    /** A device on the hard roofline whose host link is taken to be as fast as its peer link. */
    public RooflineDevice(String name, double peakFlopsPerSecond, double memoryBytes, double memoryBytesPerSecond,
            double linkBytesPerSecond, double linkLatencySeconds, double computeEfficiency,
            double bandwidthEfficiency, double linkEfficiency) {
        this(name, peakFlopsPerSecond, memoryBytes, memoryBytesPerSecond, linkBytesPerSecond, linkLatencySeconds,
                computeEfficiency, bandwidthEfficiency, linkEfficiency, linkBytesPerSecond, Double.POSITIVE_INFINITY);
    }

    private static void positive(String device, String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(device + ": " + field + " must be a positive finite number, got " + value);
        }
    }

    private static void fraction(String device, String field, double value) {
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException(device + ": " + field + " must be in (0, 1], got " + value);
        }
    }

    /** Sustained compute of {@code devices} devices together. */
    double flopsPerSecond(int devices) {
        return peakFlopsPerSecond * computeEfficiency * devices;
    }

    /** Sustained memory bandwidth of {@code devices} devices together. */
    double bytesPerSecond(int devices) {
        return memoryBytesPerSecond * bandwidthEfficiency * devices;
    }
}
