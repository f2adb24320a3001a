package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cornserve.model.json.Json;
import org.cornserve.simulator.config.SpeedTrace;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A replay whose decode level is made from its host readings: the steal it follows correlates fully, the GC it
 * ignores does not; the reference is Pearson's formula written out.
 */
class WindowHostReportTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void aLevelMadeFromTheStealFollowsIt(long seed) throws Exception {
        Random rnd = new Random(seed);
        int windows = 30;
        double[] steal = new double[windows];
        List<Double> level = new ArrayList<>();
        StringBuilder csv = new StringBuilder("t_ms,outside_cores,steal_cores,run_cores,jvm_cores,gc_ms,jit_ms\n");
        for (int w = 0; w < windows; w++) {
            steal[w] = rnd.nextDouble() * 0.05;
            level.add(1 + 4 * steal[w]);
            for (int i = 0; i < 200; i++) { // 50 ms readings: every reading of a window has its steal
                csv.append(String.format(java.util.Locale.ROOT, "%.1f,%.3f,%.6f,1.0,1.0,%d,0%n", w * 10_000 + i * 50 + 25.0,
                        rnd.nextDouble() * 0.1, steal[w], rnd.nextInt(3)));
            }
        }
        Path run = tmp.resolve("run-" + seed);
        Files.createDirectories(run.resolve("measured"));
        Files.writeString(run.resolve("measured/host.csv"), csv);
        Json.mapper().writeValue(run.resolve("served-speed.json").toFile(),
                new SpeedTrace(10, level.stream().map(x -> 1.0).toList(), level, "test"));
        List<WindowHostReport.Replay> replays = WindowHostReport.of(run);
        assertEquals(1, replays.size());
        WindowHostReport.Replay r = replays.get(0);
        assertEquals(windows, r.windows());
        assertEquals(1.0, r.correlation().get("steal_cores"), 1e-6);
        assertEquals(pearson(level.stream().mapToDouble(Double::doubleValue).toArray(), steal),
                r.correlation().get("steal_cores"), 1e-9);
        assertTrue(Math.abs(r.correlation().get("gc_ms")) < 0.6, "unrelated: " + r.correlation());
        assertTrue(Double.isNaN(r.correlation().get("jit_ms")), "a column that never moved has no correlation");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        WindowHostReport.print(List.of(run), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("30 windows, decode level SD"), bytes.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"t_ms,outside_cores\n1.0,0.1\n", "t_ms,outside_cores,steal_cores,run_cores,jvm_cores,gc_ms,jit_ms\n5.0,x,0,0,0,0,0\n"})
    void aBadHostFileIsNamed(String csv) throws Exception {
        Path run = tmp.resolve("bad");
        Files.createDirectories(run.resolve("measured"));
        Files.writeString(run.resolve("measured/host.csv"), csv);
        Json.mapper().writeValue(run.resolve("served-speed.json").toFile(),
                new SpeedTrace(10, List.of(1.0), List.of(1.0), "test"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WindowHostReport.of(run));
        assertTrue(e.getMessage().contains("host.csv"), e.getMessage());
    }

    private static double pearson(double[] a, double[] b) {
        double ma = java.util.Arrays.stream(a).average().orElseThrow();
        double mb = java.util.Arrays.stream(b).average().orElseThrow();
        double c = 0;
        double va = 0;
        double vb = 0;
        for (int i = 0; i < a.length; i++) {
            c += (a[i] - ma) * (b[i] - mb);
            va += (a[i] - ma) * (a[i] - ma);
            vb += (b[i] - mb) * (b[i] - mb);
        }
        return c / Math.sqrt(va * vb);
    }
}
