package org.cornserve.model.hardware;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One kind of accelerator (or the CPU of this machine): the published peaks a roofline estimate needs,
 * the efficiency factors that turn peaks into achievable rates, and where each number came from.
 *
 * <p>Interconnect figures are as published: NVLink as the aggregate bidirectional bandwidth of one device
 * (A100 600 GB/s, H100 900 GB/s), PCIe likewise; {@link #p2pBytesPerSecond()} gives one direction.
 *
 * @param name lowercase id users type ({@code h100-sxm})
 * @param aliases other accepted names ({@code h100})
 * @param description human-readable name
 * @param computeDtype data type the peak refers to ({@code bf16} on GPUs, {@code fp32} on the CPU)
 * @param peakFlopsPerSecond published dense peak for computeDtype
 * @param memoryBytes device memory
 * @param memoryBytesPerSecond published peak memory bandwidth
 * @param nvlinkBytesPerSecond aggregate NVLink bandwidth, 0 when the device has none
 * @param pcieBytesPerSecond aggregate (bidirectional) PCIe bandwidth, 0 when not applicable
 * @param efficiency achievable fractions of the peaks and the engine's per-iteration overhead; optional in a
 *     file ({@link Efficiency#DEFAULT} when left out)
 * @param sources JSON field name to the source of its value
 * @param usdPerHour rental price of one device per hour in US dollars, or null when the catalog has none (its
 *     source, or the word ASSUMPTION, under {@code sources.usd_per_hour})
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Hardware(
        @JsonProperty(value = "name", required = true) String name,
        @JsonProperty("aliases") List<String> aliases,
        @JsonProperty(value = "description", required = true) String description,
        @JsonProperty(value = "compute_dtype", required = true) String computeDtype,
        @JsonProperty(value = "peak_flops_per_second", required = true) double peakFlopsPerSecond,
        @JsonProperty(value = "memory_bytes", required = true) long memoryBytes,
        @JsonProperty(value = "memory_bytes_per_second", required = true) double memoryBytesPerSecond,
        @JsonProperty(value = "nvlink_bytes_per_second", required = true) double nvlinkBytesPerSecond,
        @JsonProperty(value = "pcie_bytes_per_second", required = true) double pcieBytesPerSecond,
        @JsonProperty("efficiency") Efficiency efficiency,
        @JsonProperty(value = "sources", required = true) Map<String, String> sources,
        @JsonProperty("usd_per_hour") Double usdPerHour) {

    public Hardware {
        if (name == null || name.isBlank() || !name.equals(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("hardware name must be a non-empty lowercase id, got '" + name + "'");
        }
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException("hardware " + name + ": description is empty");
        }
        if (computeDtype == null || computeDtype.isBlank()) {
            throw new IllegalArgumentException("hardware " + name + ": compute_dtype is empty");
        }
        positive(name, "peak_flops_per_second", peakFlopsPerSecond);
        positive(name, "memory_bytes", memoryBytes);
        positive(name, "memory_bytes_per_second", memoryBytesPerSecond);
        nonNegative(name, "nvlink_bytes_per_second", nvlinkBytesPerSecond);
        nonNegative(name, "pcie_bytes_per_second", pcieBytesPerSecond);
        if (efficiency == null) {
            efficiency = Efficiency.DEFAULT;
        }
        sources = sources == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(sources));
        if (usdPerHour != null) {
            positive(name, "usd_per_hour", usdPerHour);
        }
    }

    /** A hardware kind without a price. */
    public Hardware(String name, List<String> aliases, String description, String computeDtype, double peakFlopsPerSecond,
            long memoryBytes, double memoryBytesPerSecond, double nvlinkBytesPerSecond, double pcieBytesPerSecond,
            Efficiency efficiency, Map<String, String> sources) {
        this(name, aliases, description, computeDtype, peakFlopsPerSecond, memoryBytes, memoryBytesPerSecond,
                nvlinkBytesPerSecond, pcieBytesPerSecond, efficiency, sources, null);
    }

    private static void positive(String hw, String field, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("hardware " + hw + ": " + field + " must be > 0, got " + v);
        }
    }

    private static void nonNegative(String hw, String field, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("hardware " + hw + ": " + field + " must be >= 0, got " + v);
        }
    }

    /** The same hardware with other efficiencies and sources (a calibration's result). */
    public Hardware withEfficiency(Efficiency newEfficiency, Map<String, String> newSources) {
        return new Hardware(name, aliases, description, computeDtype, peakFlopsPerSecond, memoryBytes,
                memoryBytesPerSecond, nvlinkBytesPerSecond, pcieBytesPerSecond, newEfficiency, newSources);
    }

    /** True when {@code id} is this hardware's name or one of its aliases (case-insensitive). */
    public boolean answersTo(String id) {
        String key = id.trim().toLowerCase(Locale.ROOT);
        return name.equals(key) || aliases.stream().anyMatch(a -> a.equalsIgnoreCase(key));
    }

    /** Peak FLOP/s times the compute efficiency. */
    public double achievableFlopsPerSecond() {
        return peakFlopsPerSecond * efficiency.compute();
    }

    /** Peak memory bandwidth times the bandwidth efficiency. */
    public double achievableMemoryBytesPerSecond() {
        return memoryBytesPerSecond * efficiency.memoryBandwidth();
    }

    /**
     * One-direction device-to-device bandwidth inside a node as published (half of the aggregate NVLink
     * figure, or of PCIe when there is no NVLink), before the interconnect efficiency.
     */
    public double p2pBytesPerSecond() {
        return (nvlinkBytesPerSecond > 0 ? nvlinkBytesPerSecond : pcieBytesPerSecond) / 2;
    }

    /** {@link #p2pBytesPerSecond()} times the interconnect efficiency. */
    public double achievableP2pBytesPerSecond() {
        return p2pBytesPerSecond() * efficiency.interconnect();
    }
}
