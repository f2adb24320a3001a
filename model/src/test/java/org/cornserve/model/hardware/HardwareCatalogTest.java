package org.cornserve.model.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.cornserve.model.json.Json;
import org.junit.jupiter.api.Test;

class HardwareCatalogTest {
    private final HardwareCatalog catalog = HardwareCatalog.builtIn();

    @Test
    void namesAndAliasesResolve() {
        for (String name : List.of("a100-80gb", "h100-sxm", "h200", "l40s", "rtx4090", "cpu")) {
            assertEquals(name, catalog.get(name).name());
        }
        assertSame(catalog.get("h100-sxm"), catalog.get("H100"));
        assertEquals(6, catalog.all().size());
    }

    @Test
    void unknownHardwareListsKnown() {
        var e = assertThrows(IllegalArgumentException.class, () -> catalog.get("tpu-v5"));
        assertTrue(e.getMessage().contains("unknown hardware 'tpu-v5'"), e.getMessage());
        assertTrue(e.getMessage().contains("h100-sxm (h100)"), e.getMessage());
    }

    @Test
    void publishedNumbersAsInCatalogFacts() {
        Hardware h100 = catalog.get("h100-sxm");
        assertEquals(989e12, h100.peakFlopsPerSecond());
        assertEquals(3.35e12, h100.memoryBytesPerSecond());
        assertEquals(80e9, h100.memoryBytes());
        assertEquals(450e9, h100.p2pBytesPerSecond());
        assertEquals(141e9, catalog.get("h200").memoryBytes());
        assertEquals(4.8e12, catalog.get("h200").memoryBytesPerSecond());
        assertEquals(312e12, catalog.get("a100-80gb").peakFlopsPerSecond());
        assertEquals(0, catalog.get("l40s").nvlinkBytesPerSecond());
        assertEquals(32e9, catalog.get("rtx4090").p2pBytesPerSecond());
        for (Hardware hw : catalog.all()) {
            assertTrue(hw.achievableFlopsPerSecond() < hw.peakFlopsPerSecond());
            for (String field : List.of("compute", "memory_bandwidth", "interconnect", "iteration_overhead_ms",
                    "gemm_roofline_exponent")) {
                String source = hw.sources().getOrDefault("efficiency." + field, hw.sources().get("efficiency"));
                assertTrue(source != null && (source.contains("MEASURED") || source.contains("ASSUMPTION")),
                        hw.name() + " efficiency." + field + ": every efficiency says measured (by whom) or ASSUMPTION");
            }
        }
    }

    @Test
    void cpuEntryFollowsTheFormulaFromItsRecordedInputs() {
        // 2 cores x 2 FMA units x 8 lanes x 2 flops x 2596.13 MHz, as recorded in the source string
        CpuInfo info = CpuInfo.parse("processor\t: 0\ncpu MHz\t\t: 2596.130\nmodel name\t: AMD EPYC\nflags\t\t: fma avx avx2\n"
                + "processor\t: 1\ncpu MHz\t\t: 2596.130\nflags\t\t: fma avx avx2\n");
        assertEquals(2, info.cores());
        assertEquals(2 * 2 * 8 * 2 * 2596.13e6, info.peakFlopsPerSecond(), 1);
        assertEquals(info.peakFlopsPerSecond(), catalog.get("cpu").peakFlopsPerSecond(), 0.01e9);
        CpuInfo old = CpuInfo.parse("processor: 0\ncpu MHz: 1000\nflags: sse sse2\n");
        assertEquals(1 * 4 * 2 * 1e9, old.peakFlopsPerSecond(), 1);
    }

    @Test
    void theMachineIsRecordedByGenerationAndVectorWidthNotByItsClock() {
        String milan = "processor\t: 0\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2445.404\n"
                + "flags\t\t: fma avx avx2\nprocessor\t: 1\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: AMD EPYC\n"
                + "cpu MHz\t\t: 2600.0\nflags\t\t: fma avx avx2\n";
        CpuInfo a = CpuInfo.parse(milan);
        assertEquals(25, a.family());
        assertEquals(1, a.model());
        assertEquals(256, a.vectorBits());
        assertEquals("AMD EPYC (family 25, model 1), 2 cores at 2445 MHz, 256-bit vectors", a.describe());
        // another reading of the clock is the same machine
        CpuInfo b = CpuInfo.parse(milan.replace("2445.404", "3100.1"));
        assertEquals(a.identity(), b.identity());
        // AVX-512 or another generation is not
        CpuInfo wide = CpuInfo.parse(milan.replace("avx2\n", "avx2 avx512f\n"));
        assertEquals(512, wide.vectorBits());
        assertNotEquals(a.identity(), wide.identity());
        assertNotEquals(a.identity(), CpuInfo.parse(milan.replace("model\t\t: 1", "model\t\t: 17")).identity());
        assertEquals(128, CpuInfo.parse("processor: 0\ncpu MHz: 1000\nflags: sse sse2\n").vectorBits());
        // a file without the lines (another architecture) parses, and says so
        CpuInfo bare = CpuInfo.parse("processor: 0\ncpu MHz: 1000\n");
        assertEquals(0, bare.family());
        assertEquals("unnamed CPU, 1 core at 1000 MHz, 128-bit vectors", bare.describe());
        java.util.Map<String, Object> r = a.record();
        assertEquals(java.util.List.of("cpu", "cpu_family", "cpu_model", "cores", "mhz", "vector_bits", "identity",
                "java"), java.util.List.copyOf(r.keySet()));
        assertEquals(a.identity(), r.get("identity"));
        assertEquals(256, r.get("vector_bits"));
    }

    @Test
    void detectCpuGivesAUsableRecord() {
        Hardware cpu = catalog.detectCpu();
        assertEquals("cpu", cpu.name());
        assertTrue(cpu.peakFlopsPerSecond() > 1e9 && cpu.memoryBytes() > 1e9, cpu.toString());
    }

    @Test
    void bandwidthProbeMeasuresSomethingPlausible() {
        double bps = CpuInfo.measureCopyBytesPerSecond(16, 3);
        // any machine that runs this test copies faster than 100 MB/s and slower than 10 TB/s
        assertTrue(bps > 1e8 && bps < 1e13, "" + bps);
        assertThrows(IllegalArgumentException.class, () -> CpuInfo.measureCopyBytesPerSecond(0, 1));
    }

    @Test
    void efficienciesComeFromMicrobenchmarksWhereFound() {
        assertEquals(0.76, catalog.get("h100").efficiency().compute());    // vidur GEMM profiles at 1024-4096 tokens
        assertEquals(0.72, catalog.get("a100").efficiency().compute());    // vidur GEMM profiles at 2048-8192 tokens
        assertEquals(0.77, catalog.get("a100").efficiency().memoryBandwidth()); // vidur GEMMs at 1-4 tokens
    }

    @Test
    void aHardwareFileMayLeaveEfficienciesOut() {
        String full = Json.write(catalog.get("l40s"));
        String none = full.replaceAll("(?s)\\s*\"efficiency\" : \\{[^}]*\\},", "");
        Hardware bare = Json.parse(none, "bare.json", Hardware.class);
        assertEquals(Efficiency.DEFAULT, bare.efficiency());
        String partial = full.replaceAll("\"compute\" : [0-9.]+,", "");
        Hardware some = Json.parse(partial, "some.json", Hardware.class);
        assertEquals(Efficiency.DEFAULT.compute(), some.efficiency().compute());
        assertEquals(catalog.get("l40s").efficiency().memoryBandwidth(), some.efficiency().memoryBandwidth());
        assertTrue(some.efficiency().note().contains("documented defaults"), some.efficiency().note());
        var bad = assertThrows(org.cornserve.model.json.JsonFileException.class,
                () -> Json.parse(full.replaceAll("\"compute\" : [0-9.]+", "\"compute\" : 1.5"), "bad.json", Hardware.class));
        assertTrue(bad.getMessage().startsWith("bad.json:") && bad.getMessage().contains("compute"), bad.getMessage());
        // the GEMM roofline exponent: left out takes the documented default; below 1 is refused naming the field
        String h100 = Json.write(catalog.get("h100"));   // 1.2, not the default
        assertTrue(h100.contains("\"gemm_roofline_exponent\" : 1.2,"), h100);
        Hardware noExponent = Json.parse(h100.replaceAll("\"gemm_roofline_exponent\" : [0-9.]+,", ""), "e.json", Hardware.class);
        assertEquals(Efficiency.DEFAULT_GEMM_ROOFLINE_EXPONENT, noExponent.efficiency().gemmRooflineExponent());
        var badExponent = assertThrows(org.cornserve.model.json.JsonFileException.class, () -> Json.parse(
                full.replaceAll("\"gemm_roofline_exponent\" : [0-9.]+", "\"gemm_roofline_exponent\" : 0.5"), "p.json",
                Hardware.class));
        assertTrue(badExponent.getMessage().startsWith("p.json:")
                && badExponent.getMessage().contains("gemm_roofline_exponent must be >= 1"), badExponent.getMessage());
    }

    @Test
    void gemmSecondsIsThePowerMeanAndTheHardRooflineAtInfinity() {
        assertEquals(Math.pow(Math.pow(3, 2) + Math.pow(4, 2), 0.5), Efficiency.gemmSeconds(3, 4, 2), 1e-12);
        assertEquals(4, Efficiency.gemmSeconds(3, 4, Double.POSITIVE_INFINITY));
        assertEquals(2 * Math.pow(2, 1 / 1.35), Efficiency.gemmSeconds(2, 2, 1.35), 1e-12);  // at the ridge: 2^(1/p) x
        assertEquals(0, Efficiency.gemmSeconds(0, 0, 1.35));
        assertEquals(7, Efficiency.gemmSeconds(7, 0, 1.35));
        assertEquals(1e300 * Math.pow(2, 1 / 1.35), Efficiency.gemmSeconds(1e300, 1e300, 1.35), 1e288);  // no overflow
    }

    @Test
    void jsonRoundTrip() {
        HardwareCatalog.File file = new HardwareCatalog.File(catalog.all());
        String json = Json.write(file);
        assertEquals(file, Json.parse(json, "hardware", HardwareCatalog.File.class));
    }

    @Test
    void badHardwareIsRejectedWithTheField() {
        String json = Json.write(catalog.get("l40s")).replace("\"memory_bytes\" : 48000000000", "\"memory_bytes\" : 0");
        var e = assertThrows(org.cornserve.model.json.JsonFileException.class, () -> Json.parse(json, "hw.json", Hardware.class));
        assertTrue(e.getMessage().contains("memory_bytes must be > 0"), e.getMessage());
        assertTrue(e.getMessage().startsWith("hw.json:"), e.getMessage());
        var dup = assertThrows(IllegalArgumentException.class,
                () -> HardwareCatalog.of(List.of(catalog.get("h100"), catalog.get("h100"))));
        assertTrue(dup.getMessage().contains("h100-sxm"), dup.getMessage());
        assertTrue(Set.copyOf(catalog.get("h100").aliases()).contains("h100"));
    }
}
