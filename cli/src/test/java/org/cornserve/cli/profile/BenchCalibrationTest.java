package org.cornserve.cli.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Calibration to summary statistics against synthetic runs: the replay on hardware with known efficiencies gives
 * the statistics a benchmark would publish; the fit, started from the catalog's values on one run, must reproduce
 * another run it never saw.
 */
class BenchCalibrationTest {
    @TempDir
    Path dir;

    static final List<String> KEYS = List.of("request_throughput", "mean_ttft_ms", "median_ttft_ms", "p99_ttft_ms",
            "mean_tpot_ms", "median_tpot_ms", "p99_tpot_ms", "mean_e2el_ms", "p99_e2el_ms");

    /** What {@code vllm bench serve} would report for {@code n} requests of these lengths at concurrency c on truth. */
    static BenchRun published(Hardware truth, String name, int n, int input, int output, int concurrency) {
        BenchRun shape = new BenchRun(name, BenchRun.fixed(n, input, output), concurrency, Double.POSITIVE_INFINITY, 1,
                Map.of("mean_e2el_ms", 1.0));
        HardwareCatalog catalog = HardwareCatalog.builtIn().overriddenBy(HardwareCatalog.of(List.of(truth)));
        Map<String, Double> stats = new BenchReplay(CalibrationTest.PLAN, 1).replay(shape, catalog).statistics(KEYS);
        return new BenchRun(name, shape.requests(), concurrency, Double.POSITIVE_INFINITY, 1, stats);
    }

    /** A result file in {@code dir} of {@code n} requests of these lengths at concurrency c on 0.6 / 0.75 / 1.5 ms. */
    private Path benchFile(String name, int n, int input, int output, int concurrency) throws Exception {
        Path file = dir.resolve(name);
        write(file, published(CalibrationTest.h100With(0.6, 0.75, 1.5), name, n, input, output, concurrency));
        return file;
    }

    static void write(Path file, BenchRun run) throws Exception {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("backend", "vllm");
        json.put("completed", run.requests().size());
        json.put("max_concurrency", run.maxConcurrency());
        json.put("request_rate", "inf");
        json.put("total_input_tokens", run.requests().stream().mapToLong(BenchRun.Shape::inputTokens).sum());
        json.put("total_output_tokens", run.requests().stream().mapToLong(BenchRun.Shape::outputTokens).sum());
        json.putAll(run.statistics());
        Files.writeString(file, org.cornserve.model.json.Json.mapper().writeValueAsString(json));
    }

    @Tag("slow")
    @Test
    void fitOnOneRunReproducesAnother() {
        Hardware truth = CalibrationTest.h100With(0.55, 0.7, 2.0);
        BenchRun a = published(truth, "A", 48, 1024, 128, 8);
        BenchRun b = published(truth, "B", 32, 3000, 64, 16);
        BenchCalibration c = new BenchCalibration(CalibrationTest.PLAN, HardwareCatalog.builtIn(), "h100", 1, 200);
        BenchCalibration.Fit fit = c.fit(List.of(a));
        List<BenchCalibration.Row> held = c.rows(b, fit.hardware());
        double before = held.stream().mapToDouble(r -> Math.abs(r.beforeErrorPct())).average().orElseThrow();
        double after = BenchCalibration.meanAbsErrorPct(held);
        assertTrue(after < 5, "held-back run B after the fit: " + held);
        assertTrue(before > 3 * after, "before " + before + "% vs after " + after + "%");
        assertEquals(0.55, fit.hardware().efficiency().compute(), 0.1 * 0.55, fit.hardware().efficiency().toString());
    }

    /** The largest relative error of the three fitted values against the truth. */
    static double worstParameterError(Hardware fitted, Hardware truth) {
        var f = fitted.efficiency();
        var t = truth.efficiency();
        return Math.max(Math.abs(f.compute() / t.compute() - 1), Math.max(
                Math.abs(f.memoryBandwidth() / t.memoryBandwidth() - 1),
                Math.abs(f.iterationOverheadMs() / t.iterationOverheadMs() - 1)));
    }

    /**
     * Two runs that each leave a direction free, fitted to throughput, TPOT P99 and E2E P99 only (what cssnoeasy's
     * runs publish besides TTFT): A decodes at a batch of 4 (a step is about overhead + weights / bandwidth, so the two
     * trade off, and its short prompts say little of compute); B prefills 2,048-token prompts at concurrency 16 (a step
     * is mostly FLOPs / compute). The joint fit must land nearer the truth, in its worst value, than either run's own fit;
     * checked against the truth, not a snapshot.
     */
    @Tag("slow")
    @Test
    void jointFitOfTwoRunsRecoversTheTruthBetterThanEitherRun() {
        Hardware truth = CalibrationTest.h100With(0.55, 0.7, 2.0);
        java.util.function.UnaryOperator<BenchRun> published = run -> new BenchRun(run.source(), run.requests(),
                run.maxConcurrency(), run.requestRate(), run.burstiness(), Map.of("request_throughput",
                        run.statistics().get("request_throughput"), "p99_tpot_ms", run.statistics().get("p99_tpot_ms"),
                        "p99_e2el_ms", run.statistics().get("p99_e2el_ms")));
        BenchRun a = published.apply(published(truth, "A", 24, 256, 256, 4));
        BenchRun b = published.apply(published(truth, "B", 32, 2048, 32, 16));
        BenchCalibration c = new BenchCalibration(CalibrationTest.PLAN, HardwareCatalog.builtIn(), "h100", 1, 150);
        double onA = worstParameterError(c.fit(List.of(a)).hardware(), truth);
        double onB = worstParameterError(c.fit(List.of(b)).hardware(), truth);
        BenchCalibration.Fit joint = c.fit(List.of(a, b));
        double onBoth = worstParameterError(joint.hardware(), truth);
        System.out.printf(Locale.ROOT, "worst parameter error: A alone %.3f, B alone %.3f, joint %.3f (%s)%n", onA, onB,
                onBoth, joint.hardware().efficiency());
        assertTrue(onBoth < Math.min(onA, onB), "joint " + onBoth + " vs A " + onA + ", B " + onB);
        assertTrue(onBoth < 0.1, "joint fit within 10% of the truth in every value: " + joint.hardware().efficiency());
    }

    /**
     * Runs on their own plans: a run replays on its plan (the other plan, with another seed for its router, gives the
     * same statistics here: one replica), a plan on another kind is refused by the run's name, and one server cannot
     * replay runs of two plans.
     */
    @Test
    void runsReplayOnTheirOwnPlans() {
        Hardware truth = CalibrationTest.h100With(0.6, 0.75, 1.5);
        BenchRun a = published(truth, "A", 8, 512, 16, 4);
        BenchRun b = published(truth, "B", 8, 1024, 16, 8);
        var models = org.cornserve.model.catalog.ModelCatalog.builtIn();
        var otherSeed = org.cornserve.simulator.plan.MonolithicPlans.build(models, HardwareCatalog.builtIn(),
                "llama-3.1-8b", "h100", 1, 2);
        BenchCalibration c = new BenchCalibration(CalibrationTest.PLAN, HardwareCatalog.builtIn(), "h100", 1, 1)
                .servedBy(b, otherSeed);
        Map<String, Double> onOwn = c.simulated(b, truth);
        b.statistics().forEach((k, v) -> assertEquals(v, onOwn.get(k), 1e-9 * v, k));
        var onA100 = org.cornserve.simulator.plan.MonolithicPlans.build(models, HardwareCatalog.builtIn(),
                "llama-3.1-8b", "a100-80gb", 1, 1);
        IllegalArgumentException kind = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> c.servedBy(a, onA100));
        assertEquals("A: its plan deploys no h100-sxm, the hardware kind being fitted", kind.getMessage());
        c.oneServer(true);
        IllegalArgumentException oneServer = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> c.simulated(List.of(a, b), truth));
        assertTrue(oneServer.getMessage().contains("so they need one plan; B has another plan than A"),
                oneServer.getMessage());
    }

    /**
     * Runs with their own plans: each {@code --plan} goes with the run file beside it, a run whose plan runs on another
     * kind is refused by name, and with several plans a run without its own is refused.
     */
    @Test
    void calibrateTakesAPlanPerRunAndRefusesAnotherKind() throws Exception {
        Path a = benchFile("a.json", 8, 512, 16, 4);
        Path b = benchFile("b.json", 8, 1024, 16, 8);
        Path planA = dir.resolve("plan-a.json");
        CalibrationTest.PLAN.write(planA);
        Path planB = dir.resolve("plan-b.json");
        CalibrationTest.PLAN.write(planB);
        Path other = dir.resolve("plan-a100.json");
        org.cornserve.simulator.plan.MonolithicPlans.build(org.cornserve.model.catalog.ModelCatalog.builtIn(),
                HardwareCatalog.builtIn(), "llama-3.1-8b", "a100-80gb", 1, 1).write(other);
        Path out = dir.resolve("hw.json");
        String text = run("profile", "calibrate", "--bench", a.toString(), "--plan", planA.toString(), "--bench",
                b.toString(), "--plan", planB.toString(), "--max-evaluations", "1", "--out", out.toString());
        assertTrue(text.contains("fitted to 2 run(s)"), text);
        assertTrue(HardwareCatalog.builtInWith(List.of(out)).get("h100").sources().get("efficiency.compute")
                .contains("on plan [" + planA + ", " + planB + "]"), text);
        Executed kind = execute("profile", "calibrate", "--bench", a.toString(), "--plan", planA.toString(), "--bench",
                b.toString(), "--plan", other.toString(), "--out", out.toString());
        assertEquals(2, kind.code());
        assertTrue(kind.err().contains("run " + b + ": its plan " + other + " runs on a100-80gb, but run " + a), kind.err());
        Executed noPlan = execute("profile", "calibrate", "--bench", a.toString(), "--plan", planA.toString(),
                "--validate", b.toString(), "--bench", dir.resolve("missing.json").toString(), "--plan",
                planB.toString(), "--out", out.toString());
        assertEquals(2, noPlan.code());
        assertTrue(noPlan.err().contains("run " + b + " has no --plan; with several plans"), noPlan.err());
        Executed missing = execute("profile", "calibrate", "--bench", a.toString(), "--bench",
                dir.resolve("missing.json").toString(), "--plan", planA.toString(), "--out", out.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("benchmark result " + dir.resolve("missing.json") + " does not exist"),
                missing.err());
    }

    @Test
    void calibrateAndReplayCommandsReadBenchFiles() throws Exception {
        Path a = benchFile("a.json", 24, 1024, 64, 4);
        Path b = benchFile("b.json", 16, 2048, 32, 8);
        Path plan = dir.resolve("plan.json");
        CalibrationTest.PLAN.write(plan);
        Path out = dir.resolve("hw.json");
        String text = run("profile", "calibrate", "--bench", a.toString(), "--validate", b.toString(), "--plan",
                plan.toString(), "--max-evaluations", "20", "--out", out.toString());
        assertTrue(text.contains("fitted runs:") && text.contains("held-back runs:") && text.contains("p99_tpot_ms"), text);
        String fronted = run("profile", "calibrate", "--bench", a.toString(), "--plan", plan.toString(),
                "--max-evaluations", "5", "--fit-front-end", "--out", dir.resolve("hw2.json").toString());
        assertTrue(fronted.contains("front end fitted to the TTFT statistics: ") && fronted.contains("fitted runs:"), fronted);
        Hardware fitted = HardwareCatalog.builtInWith(List.of(out)).get("h100");
        assertTrue(fitted.sources().get("efficiency.compute").contains("statistics of [" + a + "]"), fitted.sources().toString());
        String replay = run("profile", "replay", "--bench", b.toString(), "--plan", plan.toString(), "--hardware-file",
                out.toString());
        List<Double> errors = new ArrayList<>();
        for (String line : replay.lines().skip(1).toList()) {
            String[] cells = line.trim().split("\\s+");
            errors.add(Math.abs(Double.parseDouble(cells[3].replace("%", ""))));
        }
        assertEquals(KEYS.size(), errors.size(), replay);
        assertTrue(errors.stream().mapToDouble(Double::doubleValue).average().orElseThrow() < 10,
                "20 simulations after the grid get B within 10% on average: " + replay);
        var cl = org.cornserve.cli.CornserveMain.commandLine();
        cl.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        assertEquals(2, cl.execute("profile", "calibrate", "--plan", plan.toString(), "--out", out.toString()),
                "neither --requests nor --bench");
        var err = new java.io.StringWriter();
        cl.setErr(new java.io.PrintWriter(err));
        assertEquals(2, cl.execute("profile", "calibrate", "--bench", a.toString(), "--plan", plan.toString(),
                "--fit-statistics", "p42_.*", "--out", out.toString()));
        assertTrue(err.toString().contains("no statistic of the runs matches the statistics to fit"), err.toString());
    }

    /**
     * The front end's fit against a run made with a known one: on the true hardware it recovers the cost per prompt
     * token exactly (a grid point), and a run with no TTFT statistic is refused by name.
     */
    @ParameterizedTest(name = "{0} us per prompt token")
    @CsvSource({"0", "7", "20"})
    void fitFrontEndRecoversAKnownOne(int us) {
        Hardware truth = CalibrationTest.h100With(0.55, 0.7, 2.0);
        HardwareCatalog catalog = HardwareCatalog.builtIn().overriddenBy(HardwareCatalog.of(List.of(truth)));
        BenchRun shape = new BenchRun("F", BenchRun.fixed(24, 2048, 32), 8, Double.POSITIVE_INFINITY, 1,
                Map.of("mean_e2el_ms", 1.0));
        Map<String, Double> stats = new BenchReplay(CalibrationTest.PLAN, 1, new BenchReplay.FrontEnd(0, us))
                .replay(shape, catalog).statistics(KEYS);
        BenchRun run = new BenchRun("F", shape.requests(), 8, Double.POSITIVE_INFINITY, 1, stats);
        BenchCalibration c = new BenchCalibration(CalibrationTest.PLAN, catalog, "h100", 1, 1);
        assertEquals(us, c.fitFrontEnd(List.of(run), truth).usPerPromptToken());
        BenchRun noTtft = new BenchRun("G", shape.requests(), 8, Double.POSITIVE_INFINITY, 1,
                Map.of("p99_tpot_ms", stats.get("p99_tpot_ms")));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> c.fitFrontEnd(List.of(noTtft), truth));
        assertTrue(e.getMessage().contains("no TTFT statistic"), e.getMessage());
    }

    /** What a command printed and its exit code. */
    record Executed(int code, String out, String err) {}

    /** Runs a command line on a fresh {@code cornserve} command. */
    static Executed execute(String... args) {
        var cl = org.cornserve.cli.CornserveMain.commandLine();
        var text = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        cl.setOut(new java.io.PrintWriter(text));
        cl.setErr(new java.io.PrintWriter(err));
        int code = cl.execute(args);
        return new Executed(code, text.toString(), err.toString());
    }

    /** Runs a command line that must succeed; returns what it printed. */
    static String run(String... args) {
        Executed e = execute(args);
        assertEquals(0, e.code(), String.format(Locale.ROOT, "%s%n%s", e.err(), e.out()));
        return e.out();
    }

    /**
     * {@code --one-server --random-dataset-prompts}: the second of two identical runs on one server finds its prompts in
     * the prefix cache (the plan enables it, as vLLM v1 does), so its TTFT drops; on fresh servers, or with unknown
     * prompts, the two runs are the same.
     */
    @Test
    void oneServerCarriesThePrefixCacheBetweenRuns() throws Exception {
        Path run = summaryRun("run.json", 16, 4, 32768, 256);
        String plan = VALIDATION_PLAN;
        String hw = VALIDATION_HW;
        double[] cached = ttfts(run("profile", "replay", "--bench", run.toString(), "--bench", run.toString(),
                "--one-server", "--random-dataset-prompts", "--plan", plan, "--hardware-file", hw));
        assertTrue(cached[1] < 0.5 * cached[0], "second run from the cache: " + java.util.Arrays.toString(cached));
        for (String[] flags : List.of(new String[] {"--one-server"}, new String[] {"--random-dataset-prompts"})) {
            List<String> args = new ArrayList<>(List.of("profile", "replay", "--bench", run.toString(), "--bench",
                    run.toString(), "--plan", plan, "--hardware-file", hw));
            args.addAll(List.of(flags));
            double[] fresh = ttfts(run(args.toArray(String[]::new)));
            assertEquals(fresh[0], fresh[1], 1e-9, String.join(" ", flags));
            assertEquals(cached[0], fresh[0], 0.01 * cached[0], "the first run sees an empty cache either way");
        }
    }

    /** {@code --front-end-ms} on runs of one request at a time: every TTFT (and so their mean) grows by exactly that. */
    @Test
    void replayFrontEndAddsItsServiceToALoneRequestsTtft() throws Exception {
        Path run = summaryRun("lone.json", 6, 1, 6144, 192);
        String plan = VALIDATION_PLAN;
        String hw = VALIDATION_HW;
        double plain = ttfts(run("profile", "replay", "--bench", run.toString(), "--plan", plan, "--hardware-file", hw))[0];
        double fronted = ttfts(run("profile", "replay", "--bench", run.toString(), "--plan", plan, "--hardware-file", hw,
                "--front-end-ms", "7", "--front-end-us-per-token", "2"))[0];
        assertEquals(plain + 7 + 2 * 1024 / 1e3, fronted, 0.011, "7 ms + 2 us x 1024 prompt tokens");
        var cl = org.cornserve.cli.CornserveMain.commandLine();
        var err = new java.io.StringWriter();
        cl.setErr(new java.io.PrintWriter(err));
        cl.setOut(new java.io.PrintWriter(new java.io.StringWriter()));
        assertTrue(cl.execute("profile", "replay", "--bench", run.toString(), "--plan", plan, "--hardware-file", hw,
                "--front-end-ms", "-1") != 0);
        assertTrue(err.toString().contains("front-end costs must be finite and >= 0"), err.toString());
    }

    /** The validation plan and the A100 PCIe hardware file of experiments/vllm-validation, as arguments. */
    private static final String VALIDATION_PLAN = PublishedVllmRunsTest.DIR.resolve("qwen2.5-7b-1xa100-pcie.json").toString();
    private static final String VALIDATION_HW = PublishedVllmRunsTest.DIR.resolve("a100-80gb-pcie.json").toString();

    /** A result file with only a run's summary: requests, concurrency, total tokens (one statistic, unused). */
    private Path summaryRun(String name, int completed, int concurrency, int inputTokens, int outputTokens)
            throws java.io.IOException {
        Path run = dir.resolve(name);
        Files.writeString(run, String.format(Locale.ROOT, "{\"completed\": %d, \"max_concurrency\": %d, \"request_rate\":"
                + " \"inf\", \"total_input_tokens\": %d, \"total_output_tokens\": %d, \"mean_ttft_ms\": 100.0}%n",
                completed, concurrency, inputTokens, outputTokens));
        return run;
    }

    private static double[] ttfts(String replayOutput) {
        return replayOutput.lines().skip(1).mapToDouble(l -> Double.parseDouble(l.trim().split("\\s+")[2])).toArray();
    }
}
