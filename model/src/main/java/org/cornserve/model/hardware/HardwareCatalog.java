package org.cornserve.model.hardware;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.cornserve.model.json.Json;

/**
 * Named hardware kinds. {@link #builtIn()} loads {@code /org/cornserve/model/catalog/hardware.json}
 * (every number with its source); {@link #of(List)} builds one from records, e.g. for tests.
 */
public final class HardwareCatalog {
    /** Class-path resource holding the built-in hardware. */
    public static final String RESOURCE = "/org/cornserve/model/catalog/hardware.json";

    private static volatile HardwareCatalog builtIn;

    private final Map<String, Hardware> byName;

    private HardwareCatalog(List<Hardware> hardware) {
        Map<String, Hardware> map = new LinkedHashMap<>();
        for (Hardware hw : hardware) {
            put(map, hw.name(), hw);
            for (String alias : hw.aliases()) {
                put(map, alias.toLowerCase(java.util.Locale.ROOT), hw);
            }
        }
        this.byName = map;
    }

    private static void put(Map<String, Hardware> map, String key, Hardware hw) {
        Hardware old = map.putIfAbsent(key, hw);
        if (old != null) {
            throw new IllegalArgumentException("hardware name '" + key + "' is used by both "
                    + old.name() + " and " + hw.name());
        }
    }

    /** A catalog of the given hardware; names and aliases must be unique. */
    public static HardwareCatalog of(List<Hardware> hardware) {
        return new HardwareCatalog(hardware);
    }

    /** A catalog read from a file in the layout of the built-in one ({@code {"hardware": [...]}}). */
    public static HardwareCatalog read(java.nio.file.Path file) {
        return new HardwareCatalog(Json.read(file, File.class).hardware());
    }

    /** This catalog followed by another's hardware (a name or alias in both is an error). */
    public HardwareCatalog plus(HardwareCatalog other) {
        List<Hardware> all = new ArrayList<>(all());
        all.addAll(other.all());
        return new HardwareCatalog(all);
    }

    /**
     * This catalog with {@code other}'s hardware laid over it: an entry of {@code other} replaces every entry
     * here that answers to its name or one of its aliases (a calibrated {@code h100-sxm} replaces the built-in
     * one), and new kinds are added. Names and aliases must stay unique across the result.
     */
    public HardwareCatalog overriddenBy(HardwareCatalog other) {
        List<Hardware> all = new ArrayList<>();
        for (Hardware mine : all()) {
            boolean replaced = other.all().stream().anyMatch(o -> mine.answersTo(o.name())
                    || o.aliases().stream().anyMatch(mine::answersTo));
            if (!replaced) {
                all.add(mine);
            }
        }
        all.addAll(other.all());
        return new HardwareCatalog(all);
    }

    /**
     * The built-in catalog overridden by each file in turn ({@link #overriddenBy}); errors name the file, line,
     * column and field ({@link org.cornserve.model.json.JsonFileException}).
     */
    public static HardwareCatalog builtInWith(List<java.nio.file.Path> files) {
        HardwareCatalog catalog = builtIn();
        for (java.nio.file.Path f : files) {
            if (!java.nio.file.Files.isRegularFile(f)) {
                throw new IllegalArgumentException("hardware file " + f + " does not exist");
            }
            catalog = catalog.overriddenBy(read(f));
        }
        return catalog;
    }

    /** The built-in hardware catalog (loaded once). */
    public static HardwareCatalog builtIn() {
        HardwareCatalog c = builtIn;
        if (c == null) {
            synchronized (HardwareCatalog.class) {
                c = builtIn;
                if (c == null) {
                    c = new HardwareCatalog(Json.readResource(RESOURCE, File.class).hardware());
                    builtIn = c;
                }
            }
        }
        return c;
    }

    /**
     * The {@code cpu} entry re-derived from this machine's {@code /proc/cpuinfo} and {@code /proc/meminfo}
     * (for the runtime and profiler); the catalog entry when those cannot be read.
     */
    public Hardware detectCpu() {
        return detectCpu(false);
    }

    /**
     * As {@link #detectCpu()}; with {@code measureBandwidth} the memory bandwidth is measured too
     * ({@link CpuInfo#measureCopyBytesPerSecond}, about a second) instead of taken from the catalog.
     */
    public Hardware detectCpu(boolean measureBandwidth) {
        Hardware template = get("cpu");
        long memory = 0;
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memory = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            memory = 0;
        }
        long memoryBytes = memory;
        Hardware cpu = CpuInfo.detect().map(info -> info.toHardware(template, memoryBytes)).orElse(template);
        if (!measureBandwidth) {
            return cpu;
        }
        double bandwidth = CpuInfo.measureCopyBytesPerSecond(256, 5);
        java.util.Map<String, String> sources = new java.util.TreeMap<>(cpu.sources());
        sources.put("memory_bytes_per_second", String.format(java.util.Locale.ROOT,
                "MEASURED at run time: best of 5 System.arraycopy passes over 256 MB, read+write: %.3g B/s", bandwidth));
        return new Hardware(cpu.name(), cpu.aliases(), cpu.description(), cpu.computeDtype(), cpu.peakFlopsPerSecond(),
                cpu.memoryBytes(), bandwidth, cpu.nvlinkBytesPerSecond(), cpu.pcieBytesPerSecond(), cpu.efficiency(), sources);
    }

    /** The hardware with this name or alias (case-insensitive); an unknown name lists the known ones. */
    public Hardware get(String nameOrAlias) {
        Hardware hw = byName.get(nameOrAlias.trim().toLowerCase(java.util.Locale.ROOT));
        if (hw == null) {
            throw new IllegalArgumentException("unknown hardware '" + nameOrAlias + "'; known: " + knownNames());
        }
        return hw;
    }

    public boolean contains(String nameOrAlias) {
        return byName.containsKey(nameOrAlias.trim().toLowerCase(java.util.Locale.ROOT));
    }

    /** Every hardware kind once, in catalog order. */
    public List<Hardware> all() {
        return List.copyOf(new ArrayList<>(byName.values().stream().distinct().toList()));
    }

    /** Names and aliases, e.g. "a100-80gb, h100-sxm (h100), ...". */
    public String knownNames() {
        return all().stream()
                .map(h -> h.aliases().isEmpty() ? h.name() : h.name() + " (" + String.join(", ", h.aliases()) + ")")
                .collect(Collectors.joining(", "));
    }

    /** The JSON layout of the hardware catalog file. */
    public record File(@JsonProperty(value = "hardware", required = true) List<Hardware> hardware) {
        public File {
            hardware = List.copyOf(hardware);
        }
    }
}
