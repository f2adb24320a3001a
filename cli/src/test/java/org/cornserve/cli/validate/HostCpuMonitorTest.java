package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.cornserve.planner.schedule.batch.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The host-load monitor: /proc parsing, outside load over windows, and what a validation reports from it. */
class HostCpuMonitorTest {
    private static final long MS = 1_000_000L;

    @TempDir
    Path tmp;

    @Test
    void readsBusyAndStealTicksFromProcStat() {
        // cpu user nice system idle iowait irq softirq steal guest guest_nice
        long[] t = HostCpuMonitor.hostTicks("cpu  20714 14370 5233 98260 129 7 835 42 0 0");
        assertEquals(20714 + 14370 + 5233 + 7 + 835, t[0], "idle and iowait are not busy");
        assertEquals(42, t[1]);
        assertThrows(IllegalArgumentException.class, () -> HostCpuMonitor.hostTicks("cpu0 1 2 3 4 5 6 7 8"));
    }

    @Test
    void readsAProcessesTicksPastANameWithSpacesAndParentheses() {
        String line = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 1000 0 3 0 321 45 0 0 20 0 30 0 100 0 0";
        assertEquals(321 + 45, HostCpuMonitor.processTicks(line));
        assertEquals(0, HostCpuMonitor.reapedChildrenTicks(line));
        String parent = "4242 (java) S 1 4242 4242 0 -1 4194560 1000 0 3 0 321 45 700 80 20 0 30 0 100 0 0";
        assertEquals(780, HostCpuMonitor.reapedChildrenTicks(parent), "children that exited: cutime + cstime");
    }

    /** A child that computes and exits stays counted as the run's, not the host's outside load. */
    @Test
    void aChildThatExitedStaysInTheRunsTicks() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/stat")), "no /proc: not Linux");
        HostCpuMonitor.Sample before = HostCpuMonitor.read(System.nanoTime());
        // busy for 1 to 2 s of wall time: at least 0.2 s of CPU even on a loaded machine
        Process p = new ProcessBuilder("bash", "-c", "while (( SECONDS < 2 )); do :; done")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        HostCpuMonitor.Sample after = HostCpuMonitor.read(System.nanoTime());
        assertTrue(after.runTicks() - before.runTicks() >= 20, "the child's CPU (at least 0.2 s of it) is the run's: "
                + before + " -> " + after);
    }

    @Test
    void thisMachinesProcIsReadWhereThereIsOne() {
        assumeTrue(Files.isReadable(Path.of("/proc/stat")), "no /proc/stat: not Linux");
        HostCpuMonitor.Sample s = HostCpuMonitor.read(System.nanoTime());
        assertTrue(s != null && s.busyTicks() > 0 && s.runTicks() > 0, String.valueOf(s));
        HostCpuMonitor m = HostCpuMonitor.start();
        HostCpuMonitor.Samples samples = m.stop();
        assertTrue(samples.available(), "a start and a stop reading at least");
    }

    /** Readings every 50 ms of a host whose outside load is known per interval, against the mean of those loads. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void outsideLoadOverAWindowIsTheMeanOfItsIntervals(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 200;
        double[] outside = new double[n]; // cores outside the run in interval i (from reading i to i + 1)
        List<HostCpuMonitor.Sample> samples = new ArrayList<>();
        long busy = 1000;
        long run = 500;
        long steal = 7;
        samples.add(new HostCpuMonitor.Sample(0, busy, steal, run));
        for (int i = 0; i < n; i++) {
            outside[i] = rnd.nextInt(5) * 0.2; // 0..0.8 cores: whole ticks over 50 ms (1 tick = 0.2 cores)
            long runTicks = rnd.nextInt(10);
            run += runTicks;
            busy += runTicks + Math.round(outside[i] * 5);
            steal += i % 2;
            samples.add(new HostCpuMonitor.Sample((i + 1) * 50 * MS, busy, steal, run));
        }
        HostCpuMonitor.Samples s = new HostCpuMonitor.Samples(samples);
        for (int k = 0; k < 30; k++) {
            int from = rnd.nextInt(n - 10);
            int to = from + 5 + rnd.nextInt(Math.min(40, n - from - 5) + 1);
            to = Math.min(to, n);
            double expected = 0;
            for (int i = from; i < to; i++) {
                expected += outside[i];
            }
            expected /= to - from;
            assertEquals(expected, s.outsideCores(from * 50 * MS, to * 50 * MS), 1e-9, from + ".." + to);
            assertEquals(0.1, s.stealCores(from * 50 * MS, (from + 10) * 50 * MS), 1e-9, "one tick every 100 ms");
        }
        // a window under 250 ms is widened about its middle: 10 ms at 500 ms counts 375..625 ms
        double widened = s.outsideCores(495 * MS, 505 * MS);
        double expected = (outside[7] * 25 + outside[8] * 50 + outside[9] * 50 + outside[10] * 50 + outside[11] * 50
                + outside[12] * 25) / 250;
        assertEquals(expected, widened, 1e-9);
        assertTrue(Double.isNaN(s.outsideCores(20_000 * MS, 21_000 * MS)), "after the last reading: unknown");
    }

    @Test
    void theSummaryCountsSecondsOfOutsideLoad() {
        // 10 s: 0.5 cores outside during seconds 3 and 4, none otherwise; the run itself busy all along
        List<HostCpuMonitor.Sample> samples = new ArrayList<>();
        long busy = 0;
        long run = 0;
        for (int i = 0; i <= 100; i++) {
            samples.add(new HostCpuMonitor.Sample(i * 100 * MS, busy, 0, run));
            run += 15;
            busy += 15 + (i >= 30 && i < 50 ? 5 : 0);
        }
        Map<String, Object> m = new HostCpuMonitor.Samples(samples).summary(0, 10_000 * MS);
        assertEquals(10, m.get("seconds"));
        assertEquals(0.1, (Double) m.get("outside_cores_mean"), 1e-9);
        assertEquals(0.5, (Double) m.get("outside_cores_max_second"), 1e-9);
        assertEquals(2L, m.get("seconds_outside_at_least_0.25_cores"));
    }

    @Test
    void theSummaryCountsTheServingJvmsCollectionsAndCompilationsInTheWindow() {
        List<HostCpuMonitor.Sample> samples = new ArrayList<>();
        long gc = 0;
        long jit = 0;
        for (int i = 0; i <= 40; i++) {
            samples.add(new HostCpuMonitor.Sample(i * 50 * MS, 0, 0, 0, 0, gc, jit));
            gc += i == 10 ? 30 : i == 25 ? 12 : 1; // a 30 ms collection between readings 10 and 11
            jit += 2;
        }
        Map<String, Object> m = new HostCpuMonitor.Samples(samples).summary(100 * MS, 1_100 * MS);
        // readings 2 (100 ms) to 22 (1,100 ms): 20 intervals, one of them the 30 ms collection
        assertEquals(19L + 30, m.get("serving_jvm_gc_ms"));
        assertEquals(30L, m.get("serving_jvm_gc_ms_max_interval"));
        assertEquals(40L, m.get("serving_jvm_jit_ms"));
    }

    @Test
    void requestsThatLivedThroughOutsideLoadAreLeftOutOfTheQuietComparisonOnBothSides() throws Exception {
        // outside load 1 core from 2 s to 2.9 s; requests every 0.5 s lasting 100 ms: ids 4 and 5 (2.0 and 2.5 s) saw it
        List<HostCpuMonitor.Sample> samples = new ArrayList<>();
        long busy = 0;
        for (int i = 0; i <= 60; i++) {
            samples.add(new HostCpuMonitor.Sample(i * 100 * MS, busy, 0, 0));
            busy += i >= 20 && i < 29 ? 10 : 0;
        }
        Path measured = tmp.resolve("measured.csv");
        Path simulated = tmp.resolve("simulated.csv");
        StringBuilder m = new StringBuilder("request_id,arrival_ns,ttft_ms,tpot_ms,e2e_ms,input_tokens,output_tokens\n");
        StringBuilder s = new StringBuilder(m);
        for (int id = 0; id < 10; id++) {
            long arrival = id * 500 * MS;
            double servedE2e = id == 4 || id == 5 ? 900 : 100 + id;
            m.append(id).append(',').append(arrival).append(",10,2,").append(servedE2e).append(",50,10\n");
            s.append(id).append(',').append(arrival).append(",11,2,").append(100 + id).append(",50,10\n");
        }
        Files.writeString(measured, m);
        Files.writeString(simulated, s);
        HostLoad load = HostLoad.of(new HostCpuMonitor.Samples(samples), 0, 6_000 * MS, measured);
        assertEquals(Set.of(4L, 5L), load.loadedRequests());
        assertTrue(load.line().contains("requests that lived through it: 2 of 10"), load.line());
        List<Comparison.Row> rows = load.quietRows(simulated, measured);
        Comparison.Row e2eP99 = rows.stream().filter(r -> r.metric().equals("e2e_ms.p99")).findFirst().orElseThrow();
        assertEquals(109, e2eP99.measured(), 0.1, "the 900 ms requests are out");
        assertEquals(109, e2eP99.simulated(), 0.1, "and their simulated twins too");
        Comparison.Row ttft = rows.get(0);
        assertEquals("ttft_ms.p50", ttft.metric());
        assertEquals(0.1, ttft.error(), 1e-3);
        String table = Comparison.hostTable(new Served(0, 0, Map.of(), null, null, 0, load), rows);
        assertTrue(table.contains("on the 8 requests that lived through none of it"), table);
        assertFalse(HostLoad.NONE.line().isBlank());
        // a prediction of two passes of the slice: ids 10 to 19 are the second pass's twins of 0 to 9
        Path twoPasses = tmp.resolve("simulated-2.csv");
        StringBuilder s2 = new StringBuilder(s);
        for (int id = 0; id < 10; id++) {
            s2.append(10 + id).append(',').append(5_000 * MS + id * 500 * MS).append(",11,2,").append(200 + id)
                    .append(",50,10\n");
        }
        Files.writeString(twoPasses, s2);
        Comparison.Row pooled = load.quietRows(twoPasses, measured, 2).stream()
                .filter(r -> r.metric().equals("e2e_ms.p99")).findFirst().orElseThrow();
        // each pass's P99 over the quiet requests' twins (109, and 209 of the second pass's, not 14 or 15's 214 or
        // 215), then their median
        assertEquals((109 + 209) / 2.0, pooled.simulated(), 0.3, pooled.toString());
        assertEquals(109, pooled.measured(), 0.1);
        assertThrows(IllegalArgumentException.class, () -> load.quietRows(twoPasses, measured, 3));
    }

    @Test
    void stepsCarryTheOutsideLoadOverTheirComputeAndTheSummarySplitsOnIt() throws Exception {
        org.cornserve.model.profile.LlmCost cost = ValidationTest.millisecondAnIteration();
        // one core of outside load from 1 s to 2 s
        List<HostCpuMonitor.Sample> samples = new ArrayList<>();
        long busy = 0;
        for (int i = 0; i <= 40; i++) {
            samples.add(new HostCpuMonitor.Sample(i * 100 * MS, busy, 0, 0));
            busy += i >= 10 && i < 20 ? 10 : 0;
        }
        StepRecorder rec = new StepRecorder();
        rec.start();
        var decode = new Step.LlmStep(0, 0, 0, 1, 10, 1);
        rec.stepStarted(0, 0, decode, 0);
        rec.stepEnded(0, 0, 2 * MS, 1 * MS, new long[0], 500 * MS); // computed at 0.5 s: quiet, as charged
        rec.stepStarted(0, 0, decode, 1500 * MS);
        rec.stepEnded(0, 0, 4 * MS, 3 * MS, new long[0], 1503 * MS); // at 1.5 s: under load, 3x
        Map<String, Object> summary = StepRecorder.write(rec.served(), (d, t) -> cost, List.of(),
                new HostCpuMonitor.Samples(samples), tmp.resolve("steps.csv"));
        List<String> lines = Files.readAllLines(tmp.resolve("steps.csv"));
        assertTrue(lines.get(1).endsWith(",0.000"), lines.get(1));
        assertTrue(lines.get(2).endsWith(",1.000"), lines.get(2));
        @SuppressWarnings("unchecked")
        var k = (Map<String, Object>) summary.get("decode_only");
        assertEquals(1, k.get("steps_without_outside_load"));
        assertEquals(1, k.get("steps_under_outside_load"));
        assertEquals(1.0, ((Map<?, ?>) k.get("without_outside_load_compute_over_simulated")).get("p50"));
        assertEquals(3.0, ((Map<?, ?>) k.get("under_outside_load_compute_over_simulated")).get("p50"));
        String table = Comparison.stepsTable(new Served(0, 0, summary, null));
        assertTrue(table.contains("without outside load (1): P50 1.00"), table);
    }

    /**
     * Waiting for a quiet host: a threshold no host can stay under waits the longest allowed and says how busy it
     * was; one every host is under returns after one window. Linux only (elsewhere it returns at once with NaN).
     */
    @Test
    void awaitQuietReturnsOnceQuietOrAfterTheLongestWait() throws Exception {
        double[] never = HostCpuMonitor.awaitQuiet(-1, 50, 300);
        if (Double.isNaN(never[1])) {
            assertEquals(0, never[0], "no /proc: nothing to wait for");
            return;
        }
        assertTrue(never[0] >= 300 && never[0] < 5_000, "waited " + never[0]);
        assertTrue(never[1] >= 0, "busy " + never[1]);
        double[] always = HostCpuMonitor.awaitQuiet(1e9, 50, 10_000);
        assertTrue(always[0] >= 50 && always[0] < 5_000, "waited " + always[0]);
    }
}
