package org.cornserve.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cornserve.experiments.headline.Interval;
import org.cornserve.model.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentRunnerTest {
    static final String PLAN = "../runtime/src/main/resources/org/cornserve/runtime/control/tiny-omni-cpu.json";

    @TempDir
    Path tmp;

    private Path trace() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            sb.append(String.format(java.util.Locale.ROOT,
                    "{\"arrival_s\":%.3f,\"app\":\"default\",\"text_tokens\":%d,\"output_tokens\":%d}%n", i * 0.5,
                    20 + (i * 37) % 200, 5 + (i * 13) % 40));
        }
        Path f = tmp.resolve("t.jsonl");
        Files.writeString(f, sb);
        return f;
    }

    private Path spec(String plans) throws Exception {
        Path f = tmp.resolve("spec.json");
        Files.writeString(f, """
                {"name": "t", "plans": [%s],
                 "trace": {"path": "%s", "window": "0:10", "plan_window": "40:60"},
                 "rates": [0, 4], "seeds": [1, 2]}
                """.formatted(plans, trace().toString().replace("\\", "/")));
        return f;
    }

    /**
     * {@code spec.json}: the plan file {@code one.json} (copied here) on two generated variants, "short" (4 output
     * tokens) and "long" ({@code longOutput}), of {@code duration} s at 4 req/s; {@code head} the other fields.
     */
    private Path variantsSpec(String head, int duration, int longOutput) throws Exception {
        Files.copy(Path.of(PLAN), tmp.resolve("one.json"));
        Path f = tmp.resolve("spec.json");
        Files.writeString(f, """
                {%1$s, "plans": ["one.json"],
                 "trace": {"generate": ["poisson", "--rate", "4", "--duration", "%2$d", "--text-tokens", "64"],
                           "plan_window": "0:10", "window": "10:25"},
                 "variants": [
                   {"name": "short", "trace": {"generate": ["poisson", "--rate", "4", "--duration", "%2$d",
                                                            "--text-tokens", "64", "--output-tokens", "4"]}},
                   {"name": "long", "trace": {"generate": ["poisson", "--rate", "4", "--duration", "%2$d",
                                                           "--text-tokens", "64", "--output-tokens", "%3$d"]}}]}
                """.formatted(head, duration, longOutput));
        return f;
    }

    /** {@link #spec} of two plan files: {@code one.json} (the tiny CPU plan) and {@code two.json}, broken. */
    private Path goodThenBrokenPlan() throws Exception {
        Files.copy(Path.of(PLAN), tmp.resolve("one.json"));
        Files.writeString(tmp.resolve("two.json"), "{ not a plan");
        return spec("\"one.json\", \"two.json\"");
    }

    private static List<String> lines(Path f) throws Exception {
        return Files.readAllLines(f).stream().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void defaultsFillEveryFieldAndUnknownFieldsAreNamed() throws Exception {
        ExperimentSpec s = ExperimentRunner.read(spec("\"" + Path.of(PLAN).toAbsolutePath() + "\"").toString()).resolved();
        assertEquals("simulator", s.engine());
        assertEquals(List.of(1L, 2L), s.seeds());
        assertEquals("ttft=500,tpot=50", s.slo());
        assertEquals(0.95, s.confidence());
        assertEquals("jsonl", s.trace().format());
        assertEquals(1.0, s.trace().scaleTokens());
        Files.writeString(tmp.resolve("bad.json"), "{\"name\": \"x\", \"plans\": [\"p\"], \"trace\": {\"path\": \"t\","
                + " \"windw\": \"0:1\"}}");
        RuntimeException e = assertThrows(org.cornserve.model.json.JsonFileException.class,
                () -> ExperimentRunner.read(tmp.resolve("bad.json").toString()));
        assertTrue(e.getMessage().contains("windw") && e.getMessage().contains("bad.json"), e.getMessage());
        Files.writeString(tmp.resolve("bad2.json"), "{\"name\": \"x\", \"plans\": [\"p\"], \"trace\": {\"path\": \"t\"},"
                + " \"engine\": \"gpu\"}");
        e = assertThrows(org.cornserve.model.json.JsonFileException.class,
                () -> ExperimentRunner.read(tmp.resolve("bad2.json").toString()));
        assertTrue(e.getMessage().contains("engine"), e.getMessage());
        assertTrue(ExperimentRunner.read("sensitivity").name().startsWith("sensitivity"));
    }

    @Test
    void aSpecsKindPicksItsRunnerAndEveryBuiltInSpecReadsAsItsKind() throws Exception {
        assertEquals("headline", ExperimentRunner.kind("headline"));
        assertEquals("scaling", ExperimentRunner.kind("scaling"));
        assertEquals("sweep", ExperimentRunner.kind("sensitivity"));
        assertEquals("sweep", ExperimentRunner.kind("validation"));
        assertTrue(ExperimentRunner.read("headline", org.cornserve.experiments.headline.HeadlineSpec.class).cases().size() > 1);
        assertTrue(ExperimentRunner.read("scaling", org.cornserve.experiments.scaling.ScalingSpec.class).name()
                .startsWith("Scaling"));
        Files.writeString(tmp.resolve("odd.json"), "{\"kind\": \"race\", \"name\": \"x\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExperimentRunner.kind(tmp.resolve("odd.json").toString()));
        assertTrue(e.getMessage().contains("odd.json") && e.getMessage().contains("race"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ExperimentRunner.kind("no-such-spec"));
        assertTrue(e.getMessage().contains("built-in: headline, scaling, sensitivity, validation"), e.getMessage());
    }

    @Test
    void aRuntimeCasesQuietWaitAndProbeScaleAreSpecFieldsWithTheValidationsDefaults() throws Exception {
        String spec = "{\"name\": \"q\", \"plans\": [\"p.json\"], \"trace\": {\"path\": \"t.jsonl\"}%s}";
        assertEquals(20.0, Json.mapper().readValue(String.format(spec, ""), ExperimentSpec.class)
                .resolved().quietWaitS());
        assertEquals(1.5, Json.mapper().readValue(String.format(spec, ", \"quiet_wait_s\": 1.5"),
                ExperimentSpec.class).resolved().quietWaitS());
        Exception e = assertThrows(Exception.class, () -> Json.mapper().readValue(
                String.format(spec, ", \"quiet_wait_s\": -2"), ExperimentSpec.class));
        assertTrue(e.getMessage().contains("'quiet_wait_s' must be in [0, 3600], got -2.0"), e.getMessage());
        assertEquals(1.0, Json.mapper().readValue(String.format(spec, ""), ExperimentSpec.class).resolved()
                .probeScale());
        e = assertThrows(Exception.class, () -> Json.mapper().readValue(String.format(spec, ", \"probe_scale\": 0"),
                ExperimentSpec.class));
        assertTrue(e.getMessage().contains("'probe_scale' must be in (0, 1], got 0.0"), e.getMessage());
    }

    @Test
    @org.junit.jupiter.api.Tag("slow")
    void experimentRunRunsAHeadlineSpecInTheSimulator() throws Exception {
        Path trace = tmp.resolve("vl.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            sb.append(String.format(java.util.Locale.ROOT, "{\"arrival_s\":%.3f,\"app\":\"default\",\"text_tokens\":%d,"
                    + "\"output_tokens\":%d%s}%n", i * 0.1, 20 + (i * 37) % 200, 5 + (i * 13) % 40,
                    i % 2 == 0 ? ",\"media\":[{\"modality\":\"image\",\"tokens\":256}]" : ""));
        }
        Files.writeString(trace, sb);
        Path spec = tmp.resolve("headline-small.json");
        Files.writeString(spec, """
                {"kind": "headline", "name": "small", "seed": 1, "seeds": [1], "hardware": "h100-sxm", "gpus": [2],
                 "attainment": 0.9, "strategies": ["monolithic-fixed", "cornserve"], "requests_per_run": 200,
                 "run_seconds": 5, "max_requests_per_run": 200, "planning_samples": 100, "capacity_tolerance": 0.05,
                 "finalists": 1,
                 "workloads": {"w": {"format": "jsonl", "path": "%s", "planning_window_s": [0, 20],
                                     "measurement_windows_s": [[20, 40]]}},
                 "cases": [{"name": "vl", "models": ["qwen2.5-vl-7b"], "slo": "ttft=2000,tpot=100",
                            "workloads": [{"workload": "w"}]}]}
                """.formatted(trace.toString().replace("\\", "/")));
        StringWriter outText = new StringWriter();
        picocli.CommandLine cmd = new picocli.CommandLine(new ExperimentCommand());
        cmd.setOut(new PrintWriter(outText));
        int rc = cmd.execute("run", spec.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(0, rc, outText.toString());
        assertTrue(outText.toString().contains("headline experiment done"), outText.toString());
        List<String> rows = lines(tmp.resolve("out/results.csv"));
        assertEquals(3, rows.size(), String.join("\n", rows)); // header + one row per strategy
        List<String> header = List.of(rows.get(0).split(","));
        for (String row : rows.subList(1, rows.size())) {
            List<String> cells = List.of(row.split(","));
            assertEquals("\"ok\"", cells.get(header.indexOf("status")), row);
            // 200 requests a run over 5 s: no run is probed above 40 rps (a shorter run is one burst)
            double capacity = Double.parseDouble(cells.get(header.indexOf("capacity_rps")));
            assertTrue(capacity > 0 && capacity <= 40.0, row);
        }
    }

    @Test
    void writesEachCaseAsItEndsAndAResumedRunSkipsFinishedCases() throws Exception {
        Path specFile = goodThenBrokenPlan();
        Path broken = tmp.resolve("two.json");
        Path out = tmp.resolve("out");
        StringWriter err = new StringWriter();
        ExperimentRunner first = new ExperimentRunner(ExperimentRunner.read(specFile.toString()), tmp, out,
                new PrintWriter(err));
        assertEquals(8, first.cases().size());
        assertThrows(RuntimeException.class, first::run); // the second plan file is broken: the run stops there
        List<String> kept = lines(out.resolve("results.jsonl"));
        assertEquals(4, kept.size(), "the first plan's four cases were kept");
        assertTrue(Files.exists(out.resolve("spec.resolved.json")));

        Files.copy(Path.of(PLAN), broken, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        new ExperimentRunner(ExperimentRunner.read(specFile.toString()), tmp, out, new PrintWriter(err)).run();
        List<String> all = lines(out.resolve("results.jsonl"));
        assertEquals(8, all.size());
        assertEquals(kept, all.subList(0, 4), "finished cases were not run again");
        assertTrue(err.toString().contains("resuming: 4 of 8"), err.toString());
        // the same plan on the same windows gives the same rows (the simulator is deterministic)
        JsonNode a = Json.mapper().readTree(all.get(0));
        JsonNode b = Json.mapper().readTree(all.get(4));
        assertEquals(a.path("e2e_ms.p99").asDouble(), b.path("e2e_ms.p99").asDouble());
        // seeds measure disjoint windows: the two seeds' requests differ
        assertTrue(Files.readString(out.resolve("traces/r0-w0.jsonl")).length() > 0);
        assertTrue(!Files.readString(out.resolve("traces/r0-w0.jsonl"))
                .equals(Files.readString(out.resolve("traces/r0-w1.jsonl"))));

        JsonNode summary = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(4, summary.size(), "two plans x two rates");
        JsonNode g = summary.get(0);
        assertEquals(2, g.path("seeds").asInt());
        List<Double> values = all.stream().limit(4).map(l -> {
            try {
                return Json.mapper().readTree(l);
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }).filter(r -> r.path("rate").asDouble() == 0).map(r -> r.path("e2e_ms.p50").asDouble()).toList();
        Interval expected = Interval.of(values, 0.95);
        assertEquals(expected.mean(), g.path("e2e_ms.p50").path("mean").asDouble(), 1e-9);
        assertEquals(expected.low(), g.path("e2e_ms.p50").path("low").asDouble(), 1e-9);
        assertTrue(Files.readString(out.resolve("summary.csv")).startsWith("variant,plan,rate,engine,seeds,throughput_rps"));
    }

    /**
     * Side by side against one at a time, the reference: a plan file and a planned strategy on two generated
     * variants, two seeds (8 cases sharing generated traces, slices and plans, each made once): the same rows in
     * the same order, the same summary, the same plans.
     */
    @Test
    void casesSideBySideGiveWhatTheyGiveOneAtATime() throws Exception {
        Path specFile = variantsSpec("\"name\": \"p\", \"models\": [\"tiny-omni\"], \"strategies\": [\"cornserve\"],"
                + " \"seeds\": [1, 2]", 60, 32);
        ExperimentSpec spec = ExperimentRunner.read(specFile.toString());
        // without figures: they are drawn after the cases, whatever the threads, and would take most of the test
        ExperimentRunner one = new ExperimentRunner(spec, tmp, tmp.resolve("one"), new PrintWriter(new StringWriter()))
                .figures(false);
        ExperimentRunner three = new ExperimentRunner(spec, tmp, tmp.resolve("three"),
                new PrintWriter(new StringWriter()), 3).figures(false);
        assertTrue(!one.sideBySide() && three.sideBySide());
        assertEquals(8, three.cases().size());
        one.run();
        three.run();
        assertEquals(lines(tmp.resolve("one/results.jsonl")), lines(tmp.resolve("three/results.jsonl")));
        assertEquals(8, lines(tmp.resolve("three/results.jsonl")).size());
        assertEquals(Files.readString(tmp.resolve("one/summary.json")), Files.readString(tmp.resolve("three/summary.json")));
        assertTrue(!Files.exists(tmp.resolve("three/plots")), "no figures asked for");
        for (String plan : List.of("short-cornserve-r0.json", "long-cornserve-r0.json")) {
            JsonNode a = Json.mapper().readTree(tmp.resolve("one/plans").resolve(plan).toFile());
            JsonNode b = Json.mapper().readTree(tmp.resolve("three/plans").resolve(plan).toFile());
            assertEquals(a.path("deployments"), b.path("deployments"), plan);
        }
    }

    /** The command: {@code --threads} and {@code --no-figures} reach the runner; a bad thread count is named. */
    @Test
    void theCommandTakesThreadsAndNoFigures() throws Exception {
        Path specFile = variantsSpec("\"name\": \"c\", \"seeds\": [1, 2]", 60, 16);
        Path out = tmp.resolve("c");
        org.cornserve.cli.CliRun run = org.cornserve.cli.CliRun.run("experiment", "run", specFile.toString(), "--out",
                out.toString(), "--threads", "2", "--no-figures");
        assertEquals(0, run.code(), run.err());
        assertEquals(4, lines(out.resolve("results.jsonl")).size());
        assertTrue(!Files.exists(out.resolve("plots")) && !run.out().contains("plots/"), run.out());
        org.cornserve.cli.CliRun bad = org.cornserve.cli.CliRun.run("experiment", "run", specFile.toString(), "--out",
                tmp.resolve("d").toString(), "--threads", "0");
        assertTrue(bad.code() != 0 && bad.err().contains("--threads must be >= 1, got 0"), bad.err());
    }

    /**
     * Side by side, a failing case stops the run: no case starts after it, those running keep their rows, the failure
     * is thrown; the rerun resumes and leaves the rows in the cases' order.
     */
    @Test
    void aFailingCaseSideBySideKeepsWhatFinished() throws Exception {
        Path specFile = goodThenBrokenPlan();
        Path broken = tmp.resolve("two.json");
        Path out = tmp.resolve("out");
        StringWriter err = new StringWriter();
        ExperimentRunner first = new ExperimentRunner(ExperimentRunner.read(specFile.toString()), tmp, out,
                new PrintWriter(err), 2);
        assertThrows(RuntimeException.class, first::run);
        List<String> kept = lines(out.resolve("results.jsonl"));
        // the two threads start the first two cases (both of the good plan) before any other
        assertTrue(kept.size() >= 2 && kept.size() <= 4, kept.toString());
        for (String line : kept) {
            assertEquals("one", Json.mapper().readTree(line).path("plan").asText(), line);
        }
        Files.copy(Path.of(PLAN), broken, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        new ExperimentRunner(ExperimentRunner.read(specFile.toString()), tmp, out, new PrintWriter(err), 2).run();
        List<String> all = lines(out.resolve("results.jsonl"));
        assertTrue(err.toString().contains("resuming: " + kept.size() + " of 8"), err.toString());
        assertEquals(first.cases().stream().map(ExperimentRunner.Case::id).toList(), all.stream().map(l -> {
            try {
                return Json.mapper().readTree(l).path("case").asText();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList(), "every case once, in the cases' order");
        for (String line : kept) {
            assertTrue(all.contains(line), "a kept row is not run again: " + line);
        }
    }

    @Test
    void theRuntimeServesOnlyCpuPlans() throws Exception {
        Path gpuPlan = tmp.resolve("gpu.json");
        Files.copy(Path.of("../model/src/test/resources/plans/encoder-split.json"), gpuPlan);
        Files.writeString(tmp.resolve("spec.json"), """
                {"name": "g", "plans": ["gpu.json"], "engine": "runtime",
                 "trace": {"path": "%s", "window": "0:5"}, "seeds": [1]}
                """.formatted(trace().toString().replace("\\", "/")));
        ExperimentRunner r = new ExperimentRunner(ExperimentRunner.read(tmp.resolve("spec.json").toString()), tmp,
                tmp.resolve("o"), new PrintWriter(new StringWriter()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains("CPU plans") && e.getMessage().contains("vision"), e.getMessage());
    }

    @Test
    void variantsGenerateTheirOwnTracesAndEveryCaseRunsOnEach() throws Exception {
        variantsSpec("\"name\": \"v\", \"seeds\": [1, 2]", 60, 64);
        ExperimentRunner r = new ExperimentRunner(ExperimentRunner.read(tmp.resolve("spec.json").toString()), tmp,
                tmp.resolve("o"), new PrintWriter(new StringWriter()));
        assertEquals(4, r.cases().size());
        assertEquals("10:25", r.cases().isEmpty() ? "" : ExperimentRunner.read(tmp.resolve("spec.json").toString())
                .resolved().variants().get(0).trace().window(), "a variant inherits the experiment's windows");
        r.run();
        JsonNode summary = Json.mapper().readTree(tmp.resolve("o/summary.json").toFile());
        assertEquals(List.of("short", "long"), List.of(summary.get(0).path("variant").asText(),
                summary.get(1).path("variant").asText()));
        assertTrue(summary.get(1).path("e2e_ms.p50").path("mean").asDouble()
                > 2 * summary.get(0).path("e2e_ms.p50").path("mean").asDouble(), summary.toString());
        assertTrue(Files.isRegularFile(tmp.resolve("o/plots/experiment-e2e-p99.png")), "figures drawn at the end");
    }

    private Path bothSpec(String extra) throws Exception {
        Files.copy(Path.of(PLAN), tmp.resolve("one.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path f = tmp.resolve("both.json");
        Files.writeString(f, """
                {"name": "b", "plans": ["one.json"], "engine": "both", %s
                 "trace": {"path": "%s", "window": "0:10"}, "rates": [0], "seeds": [1, 2]}
                """.formatted(extra, trace().toString().replace("\\", "/")));
        return f;
    }

    private static String row(String id, String engine, long seed, double ttftP50) {
        return String.format(java.util.Locale.ROOT, "{\"case\":\"%s\",\"variant\":\"\",\"plan\":\"one\","
                + "\"rate\":0.0,\"seed\":%d,\"engine\":\"%s\",\"ttft_ms.p50\":%s}", id, seed, engine, ttftP50);
    }

    @Test
    void engineBothMeasuresProfilesByDefaultAndNamesAClash() throws Exception {
        ExperimentSpec s = ExperimentRunner.read(bothSpec("").toString()).resolved();
        assertTrue(s.measureProfiles(), "a served engine on cpu measures its profiles unless given some");
        assertEquals("embedded", s.servedCosts());
        assertTrue(!ExperimentRunner.read(bothSpec("\"profiles\": [\"p.json\"],").toString()).resolved()
                .measureProfiles(), "given profiles are used as they are");
        assertTrue(!ExperimentRunner.read(spec("\"x.json\"").toString()).resolved().measureProfiles(),
                "the simulator alone measures nothing");
        RuntimeException e = assertThrows(org.cornserve.model.json.JsonFileException.class, () -> ExperimentRunner
                .read(bothSpec("\"profiles\": [\"p.json\"], \"measure_profiles\": true,").toString()));
        assertTrue(e.getMessage().contains("measure_profiles") && e.getMessage().contains("both.json"),
                e.getMessage());
    }

    @Test
    void engineBothRunsASeedsTwoCasesAsOneUnitAndAgainWholeWhereOneWasLeft() throws Exception {
        ExperimentRunner r = new ExperimentRunner(ExperimentRunner.read(bothSpec("").toString()), tmp,
                tmp.resolve("o"), new PrintWriter(new StringWriter()));
        List<ExperimentRunner.Case> cases = r.cases();
        assertEquals(List.of("one-r0-s1-sim", "one-r0-s1-run", "one-r0-s2-sim", "one-r0-s2-run"),
                cases.stream().map(ExperimentRunner.Case::id).toList());
        Path results = tmp.resolve("o/results.jsonl");
        Files.createDirectories(results.getParent());
        // seed 1 finished whole; seed 2's served row kept alone (a run stopped between an older build's two writes)
        Files.write(results, List.of(row("one-r0-s1-sim", "simulator", 1, 10), row("one-r0-s1-run", "runtime", 1, 12),
                row("one-r0-s2-run", "runtime", 2, 11)));
        java.util.Set<String> done = new java.util.LinkedHashSet<>(List.of("one-r0-s1-sim", "one-r0-s1-run",
                "one-r0-s2-run"));
        List<List<ExperimentRunner.Case>> units = r.units(cases, done, results);
        assertEquals(1, units.size());
        assertEquals(List.of("one-r0-s2-sim", "one-r0-s2-run"), units.get(0).stream().map(ExperimentRunner.Case::id)
                .toList());
        assertEquals(2, lines(results).size(), "the lone row is dropped, its pair runs again whole");
        assertTrue(lines(results).stream().noneMatch(l -> l.contains("one-r0-s2-run")));
    }

    @Test
    void engineBothSummarisesTheSimulatorsErrorPairedSeedBySeed() throws Exception {
        ExperimentRunner r = new ExperimentRunner(ExperimentRunner.read(bothSpec("").toString()), tmp,
                tmp.resolve("o"), new PrintWriter(new StringWriter()));
        Path results = tmp.resolve("o/results.jsonl");
        Files.createDirectories(results.getParent());
        // seed 1: 10 simulated against 12.5 served (-20%); seed 2: 11 against 10 (+10%); seed 3 served only
        Files.write(results, List.of(row("one-r0-s1-sim", "simulator", 1, 10), row("one-r0-s1-run", "runtime", 1, 12.5),
                row("one-r0-s2-run", "runtime", 2, 10), row("one-r0-s2-sim", "simulator", 2, 11),
                row("one-r0-s3-run", "runtime", 3, 30)));
        r.summarise(results);
        JsonNode errors = Json.mapper().readTree(tmp.resolve("o/errors.json").toFile());
        JsonNode ttft = null;
        for (JsonNode e : errors) {
            if (e.path("metric").asText().equals("ttft_ms.p50")) {
                ttft = e;
            }
        }
        assertTrue(ttft != null, errors.toString());
        assertEquals(2, ttft.path("seeds").asInt(), "only seeds with both engines are paired");
        Interval expected = Interval.of(List.of(10 / 12.5 - 1, 11 / 10.0 - 1), 0.95);
        assertEquals(-0.05, ttft.path("error").path("mean").asDouble(), 1e-12);
        assertEquals(expected.low(), ttft.path("error").path("low").asDouble(), 1e-12);
        assertEquals(expected.high(), ttft.path("error").path("high").asDouble(), 1e-12);
        assertTrue(Files.readString(tmp.resolve("o/errors.csv")).contains(",one,0,ttft_ms.p50,2,"),
                Files.readString(tmp.resolve("o/errors.csv")));
    }
}
