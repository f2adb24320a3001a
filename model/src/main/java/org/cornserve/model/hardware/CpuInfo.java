package org.cornserve.model.hardware;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code /proc/cpuinfo} says about this machine's CPU, and its peak fp32 FLOP/s: cores x FMA units x
 * SIMD lanes x 2 FLOPs per FMA x clock. Two 256-bit FMA units (8 fp32 lanes each) are assumed when the
 * CPU has AVX2 and FMA (true of Zen 2-4 and Haswell-and-later cores; Zen 4 runs AVX-512 as two 256-bit
 * halves), one 128-bit unit otherwise.
 *
 * @param cores logical processors listed
 * @param mhz clock of the first processor listed
 * @param modelName the model name line
 * @param family the {@code cpu family} line (0 where there is none): with {@code model}, which generation the model
 *     name stands for on a virtual machine that names only the brand ("AMD EPYC")
 * @param model the {@code model} line (0 where there is none)
 * @param flags the CPU flags
 */
public record CpuInfo(int cores, double mhz, String modelName, int family, int model, Set<String> flags) {

    public CpuInfo {
        if (cores <= 0 || !(mhz > 0)) {
            throw new IllegalArgumentException("cpuinfo needs cores > 0 and mhz > 0, got " + cores + ", " + mhz);
        }
        flags = Set.copyOf(flags);
    }

    /** Parses the text of {@code /proc/cpuinfo}. */
    public static CpuInfo parse(String cpuinfo) {
        int cores = 0;
        double mhz = 0;
        String name = "";
        int family = 0;
        int model = 0;
        Set<String> flags = new HashSet<>();
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "processor" -> cores++;
                case "cpu MHz" -> mhz = mhz == 0 ? Double.parseDouble(value) : mhz;
                case "model name" -> name = name.isEmpty() ? value : name;
                case "cpu family" -> family = family == 0 ? parseInt(value) : family;
                case "model" -> model = model == 0 ? parseInt(value) : model;
                case "flags" -> {
                    if (flags.isEmpty()) {
                        flags.addAll(Arrays.asList(value.split("\\s+")));
                    }
                }
                default -> { }
            }
        }
        return new CpuInfo(cores, mhz, name, family, model, flags);
    }

    private static int parseInt(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Reads {@code /proc/cpuinfo}; empty where there is none (not Linux) or it cannot be parsed. */
    public static Optional<CpuInfo> detect() {
        try {
            return Optional.of(parse(Files.readString(Path.of("/proc/cpuinfo"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** FMA units per core assumed from the flags. */
    public int fmaUnits() {
        return flags.contains("fma") && flags.contains("avx2") ? 2 : 1;
    }

    /** fp32 lanes per FMA unit assumed from the flags. */
    public int fp32Lanes() {
        return flags.contains("avx2") ? 8 : 4;
    }

    /**
     * The widest SIMD registers the flags name: 512 with AVX-512 ({@code avx512f}), 256 with AVX2, else 128. What the
     * CPU executors' vector kernels run on (the JDK's preferred vector species follows it): a 256-bit machine computes
     * the same model in about twice the time of a 512-bit one at the same clock.
     */
    public int vectorBits() {
        return flags.contains("avx512f") ? 512 : flags.contains("avx2") ? 256 : 128;
    }

    /** For a person: "AMD EPYC (family 25, model 1), 2 cores at 2445 MHz, 256-bit vectors". */
    public String describe() {
        return named() + ", " + count() + " at " + Math.round(mhz) + " MHz, " + vectorBits() + "-bit vectors";
    }

    /** The model name and, where the file gives them, family and model: "AMD EPYC (family 25, model 1)". */
    private String named() {
        return (modelName.isEmpty() ? "unnamed CPU" : modelName)
                + (family > 0 ? " (family " + family + ", model " + model + ")" : "");
    }

    private String count() {
        return cores + (cores == 1 ? " core" : " cores");
    }

    /**
     * What a measured profile depends on, the clock left out (it reads differently from one moment to the next on
     * most machines): two machines with the same identity run the same kernels at about the same speed.
     */
    public String identity() {
        return named() + ", " + count() + ", " + vectorBits() + "-bit vectors";
    }

    /**
     * This CPU as a JSON object's fields ({@code cpu}, {@code cpu_family}, {@code cpu_model}, {@code cores}, {@code
     * mhz}, {@code vector_bits}, {@code identity}) and the JVM's {@code java} version: what a measured profile and a
     * validation record of the machine they were measured on.
     */
    public Map<String, Object> record() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("cpu", modelName);
        m.put("cpu_family", family);
        m.put("cpu_model", model);
        m.put("cores", cores);
        m.put("mhz", mhz);
        m.put("vector_bits", vectorBits());
        m.put("identity", identity());
        m.put("java", Runtime.version().toString());
        return m;
    }

    /** cores x FMA units x lanes x 2 x clock. */
    public double peakFlopsPerSecond() {
        return cores * (double) fmaUnits() * fp32Lanes() * 2 * mhz * 1e6;
    }

    /**
     * Measures memory copy bandwidth: the best of {@code repeats} {@code System.arraycopy} passes over two
     * arrays of {@code megabytes} MB each, counting bytes read plus bytes written. Noisy on a shared
     * machine (it reports the best pass, a lower bound of what the memory can do); takes about
     * repeats x megabytes / 5000 seconds.
     */
    public static double measureCopyBytesPerSecond(int megabytes, int repeats) {
        if (megabytes < 1 || repeats < 1) {
            throw new IllegalArgumentException("megabytes and repeats must be >= 1");
        }
        int n = (int) Math.min(Integer.MAX_VALUE - 8, megabytes * (1L << 20) / 4);
        float[] src = new float[n];
        float[] dst = new float[n];
        java.util.Arrays.fill(src, 1f);
        double best = 0;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            System.arraycopy(src, 0, dst, 0, n);
            long elapsed = Math.max(1, System.nanoTime() - t0);
            best = Math.max(best, 2.0 * n * 4 / (elapsed / 1e9));
        }
        if (dst[n - 1] != 1f) {
            throw new IllegalStateException("copy check failed");
        }
        return best;
    }

    /**
     * This CPU as a hardware record: peaks from cpuinfo, memory from {@code memoryBytes}, and the catalog
     * entry {@code template}'s bandwidth, efficiency factors and sources for the rest.
     */
    public Hardware toHardware(Hardware template, long memoryBytes) {
        Map<String, String> sources = new java.util.TreeMap<>(template.sources());
        sources.put("peak_flops_per_second", "/proc/cpuinfo at run time: " + cores + " cores x " + fmaUnits()
                + " FMA units x " + fp32Lanes() + " fp32 lanes x 2 x " + mhz + " MHz");
        return new Hardware(template.name(), template.aliases(), "this machine: " + modelName + ", " + cores + " cores",
                "fp32", peakFlopsPerSecond(), memoryBytes > 0 ? memoryBytes : template.memoryBytes(),
                template.memoryBytesPerSecond(), 0, 0, template.efficiency(), sources);
    }
}
