package org.cornserve.experiments.headline;

import org.cornserve.simulator.evaluate.RunMetrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.Deployment;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.jsonl.JsonlTraceWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadlineRunnerTest {
    @TempDir
    Path tmp;

    static HeadlineSpec spec(String json) {
        return Json.parse(json, "test spec", HeadlineSpec.class);
    }

    /** A runner whose plans meet the SLO below 3 rps per device and miss it above. */
    static RunMetrics fake(org.cornserve.model.plan.DeploymentPlan plan, List<TraceRecord> trace, double rate) {
        int devices = plan.deployments().stream().mapToInt(Deployment::devices).sum();
        double attainment = rate <= 3.0 * devices ? 1 : 0;
        RunMetrics.Latency l = new RunMetrics.Latency(rate, rate, rate, rate, rate * devices);
        return new RunMetrics(rate, trace.size(), rate, rate * attainment, attainment, l, l, l);
    }

    private Path trace() throws Exception {
        Path trace = tmp.resolve("t.jsonl");
        Random rnd = new Random(3);
        try (JsonlTraceWriter w = JsonlTraceWriter.create(trace)) {
            for (int i = 0; i < 300; i++) {
                List<MediaItem> media = rnd.nextBoolean() ? List.of(MediaItem.imageTokens(64)) : List.of();
                w.write(new TraceRecord(i * 100_000_000L, "default",
                        new RequestShape(20 + rnd.nextInt(50), media, 5 + rnd.nextInt(20), Set.of(Modality.TEXT)), "r" + i, null));
            }
        }
        return trace;
    }

    private HeadlineSpec spec(Path trace, String windows) {
        return spec("""
                {"name": "t", "seed": 1, "seeds": [1, 2, 3], "hardware": "h100-sxm", "gpus": [2], "attainment": 0.9,
                 "strategies": ["monolithic", "monolithic-fixed", "cornserve"], "requests_per_run": 200, "run_seconds": 1,
                 "max_requests_per_run": 200, "planning_samples": 100, "capacity_tolerance": 0.01, "finalists": 2,
                 "workloads": {"w": {"format": "jsonl", "path": "%s", %s}},
                 "cases": [{"name": "vl", "models": ["qwen2.5-vl-7b"], "slo": "ttft=2000,tpot=100", "workloads": [{"workload": "w"}]}]}
                """.formatted(trace.toString().replace("\\", "\\\\"), windows));
    }

    @Test
    void plansOnThePlanningWindowMeasuresOnTheMeasurementWindowsAndReportsIntervals() throws Exception {
        HeadlineSpec spec = spec(trace(), "\"planning_window_s\": [0, 10], \"measurement_windows_s\": [[10, 20], [20, 30]]");
        StringWriter log = new StringWriter();
        List<String> ranked = new ArrayList<>();
        List<String> measured = new ArrayList<>();
        HeadlineRunner.Results results = new HeadlineRunner(spec, seed -> (plan, t, rate, slo) -> {
            int lowest = t.stream().mapToInt(r -> Integer.parseInt(r.requestId().substring(1))).min().orElseThrow();
            int highest = t.stream().mapToInt(r -> Integer.parseInt(r.requestId().substring(1))).max().orElseThrow();
            (plan.name().equals("candidate") ? ranked : measured).add(lowest + "-" + highest);
            return fake(plan, t, rate);
        }, "fake", new PrintWriter(log)).run(tmp.resolve("out"));
        assertEquals(9, results.rows().size(), log.toString());
        assertTrue(!ranked.isEmpty() && !measured.isEmpty());
        for (String r : ranked) {
            assertTrue(Integer.parseInt(r.split("-")[1]) < 100, "a ranking run saw " + r);
        }
        for (String m : measured) {
            assertTrue(Integer.parseInt(m.split("-")[0]) >= 100, "a measurement run saw " + m);
        }
        for (HeadlineRunner.Row r : results.rows()) {
            assertEquals("ok", r.status());
            assertEquals(3.0 * r.devices(), r.capacityRps(), 0.01 * 3.0 * r.devices(), r.toString());
            assertEquals(List.of(0.0, 10.0), r.planningWindowS());
            assertEquals(r.replicate() % 2 == 0 ? List.of(10.0, 20.0) : List.of(20.0, 30.0), r.measurementWindowS());
            assertEquals(200, r.equalLoad().requests());
        }
        // Every strategy uses the 2 devices: equal capacities, a tie in every replicate.
        for (HeadlineStatistics.Comparison c : results.comparisons()) {
            assertEquals(1.0, c.capacityRatio().mean(), 0.02, c.toString());
        }
        String summary = Files.readString(tmp.resolve("out/summary.md"));
        assertTrue(summary.contains("Cornserve vs monolithic"), summary);
        assertTrue(summary.contains("plans on [0, 10] s"), summary);
        assertEquals(10, Files.readAllLines(tmp.resolve("out/results.csv")).size());
        assertEquals(9, Files.list(tmp.resolve("out/plans")).count());
    }

    /**
     * Replicates side by side give what they give one after another: the simulator's runs on three threads against
     * one, file for file (each replicate plans, bisects and runs on its own runner; the rows keep the spec's order).
     */
    @Test
    void replicatesOnSeveralThreadsGiveTheSameResultsAsInOrder() throws Exception {
        HeadlineSpec spec = spec(trace(), "\"planning_window_s\": [0, 10], \"measurement_windows_s\": [[10, 20], [20, 30]]");
        HeadlineRunner.Results one = new HeadlineRunner(spec, org.cornserve.simulator.evaluate.SimulatorPlanRunner::new,
                "simulator", new PrintWriter(new StringWriter()), 1).run(tmp.resolve("one"));
        HeadlineRunner.Results three = new HeadlineRunner(spec, org.cornserve.simulator.evaluate.SimulatorPlanRunner::new,
                "simulator", new PrintWriter(new StringWriter()), 3).run(tmp.resolve("three"));
        assertEquals(9, one.rows().size());
        assertTrue(one.rows().stream().anyMatch(r -> r.capacityRps() > 0), one.rows().toString());
        assertEquals(one, three);
        for (String f : List.of("results.csv", "results.json", "summary.md")) {
            assertEquals(Files.readString(tmp.resolve("one").resolve(f)), Files.readString(tmp.resolve("three").resolve(f)), f);
        }
    }

    @Test
    void aReplicateThatFailsStopsTheExperimentWithItsError() throws Exception {
        HeadlineSpec spec = spec(trace(), "\"planning_window_s\": [0, 10], \"measurement_windows_s\": [[10, 20], [20, 30]]");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new HeadlineRunner(spec,
                seed -> (plan, t, rate, slo) -> {
                    if (seed == 2) {
                        throw new IllegalStateException("runner broke on seed 2");
                    }
                    return fake(plan, t, rate);
                }, "fake", new PrintWriter(new StringWriter()), 2).run(tmp.resolve("out")));
        assertEquals("runner broke on seed 2", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new HeadlineRunner(spec, seed -> null, "x",
                new PrintWriter(new StringWriter()), 0));
    }

    @Test
    void overlappingWindowsAreRejected() throws Exception {
        Path trace = trace();
        // Json.parse wraps the spec's own error with the source's name.
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> spec(trace, "\"planning_window_s\": [0, 10], \"measurement_windows_s\": [[5, 20]]"));
        assertTrue(String.valueOf(e.getMessage()).contains("disjoint")
                || String.valueOf(e.getCause()).contains("disjoint"), e.toString());
        RuntimeException missing = assertThrows(RuntimeException.class, () -> spec(trace, "\"planning_window_s\": [0, 10]"));
        assertTrue(String.valueOf(missing.getMessage()).contains("measurement"), missing.toString());
    }
}
