package org.cornserve.cli.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.cornserve.cli.CornserveMain;
import org.cornserve.model.Modality;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.jsonl.JsonlTraceWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs {@code cornserve plan} end to end on a small seeded trace. */
class PlanCommandTest {
    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = CornserveMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** A VLM trace: 200 requests at 4 rps, half with an image. */
    Path trace() throws Exception {
        Path file = tmp.resolve("vl.jsonl");
        Random rnd = new Random(7);
        try (JsonlTraceWriter w = JsonlTraceWriter.create(file)) {
            for (int i = 0; i < 200; i++) {
                List<MediaItem> media = rnd.nextBoolean() ? List.of(MediaItem.imageTokens(256 + rnd.nextInt(1024))) : List.of();
                RequestShape shape = new RequestShape(50 + rnd.nextInt(500), media, 20 + rnd.nextInt(300), Set.of(Modality.TEXT));
                w.write(new TraceRecord(i * 250_000_000L, "default", shape));
            }
        }
        return file;
    }

    @Test
    void plansAVlmAndWritesAPlanWithItsExplanation() throws Exception {
        Path out = tmp.resolve("plan.json");
        Run r = run("plan", "--model", "qwen2.5-vl-7b", "--hardware", "h100-sxm", "--gpus", "8", "--trace",
                trace().toString(), "--slo", "ttft=1000,tpot=50", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("ranked by simulator: measured capacity"), r.out());
        JsonNode plan = new ObjectMapper().readTree(out.toFile());
        assertEquals("cornserve", plan.get("strategy").asText());
        int devices = 0;
        for (JsonNode d : plan.get("deployments")) {
            devices += d.get("devices_per_replica").asInt() * d.get("replicas").asInt();
        }
        assertTrue(devices <= 8 && devices > 0);
        JsonNode estimate = plan.get("explanation").get("estimate");
        assertTrue(estimate.get("capacity_rps").asDouble() > 4, estimate.toString());
        assertEquals(4.0, estimate.get("rate_rps").asDouble(), 0.05);
        assertTrue(plan.get("explanation").get("runners_up").size() >= 1);
    }

    @Test
    void aBaselineAndTheMinDevicesObjective() throws Exception {
        Path out = tmp.resolve("mono.json");
        Run r = run("plan", "--model", "qwen2.5-vl-7b", "--hardware", "h100", "--gpus", "8", "--trace", trace().toString(),
                "--strategy", "monolithic", "--objective", "min-devices", "--rate", "4", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode plan = new ObjectMapper().readTree(out.toFile());
        assertEquals("monolithic", plan.get("strategy").asText());
        assertEquals(1, plan.get("deployments").size());
        assertTrue(plan.get("deployments").get(0).get("replicas").asInt() < 8, "4 rps needs fewer than 8 replicas");
    }

    @Test
    void badInputNamesTheProblem() throws Exception {
        Path out = tmp.resolve("x.json");
        Run unknown = run("plan", "--model", "no-such-model", "--hardware", "h100-sxm", "--gpus", "8", "--trace",
                trace().toString(), "--out", out.toString());
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown model 'no-such-model'"), unknown.err());
        Run slo = run("plan", "--model", "qwen2.5-vl-7b", "--hardware", "h100-sxm", "--gpus", "8", "--trace",
                trace().toString(), "--slo", "ttft=fast", "--out", out.toString());
        assertEquals(2, slo.exitCode());
        assertTrue(slo.err().contains("'fast' is not a number"), slo.err());
        Run gpus = run("plan", "--model", "qwen2.5-vl-7b", "--hardware", "h100-sxm", "--gpus", "12", "--trace",
                trace().toString(), "--out", out.toString());
        assertEquals(2, gpus.exitCode());
        assertTrue(gpus.err().contains("whole nodes of 8"), gpus.err());
    }

    @Test
    void compareAndCapacityRunPlansInTheSimulator() throws Exception {
        Path t = trace();
        Path mono = tmp.resolve("mono.json");
        Path best = tmp.resolve("best.json");
        assertEquals(0, run("plan", "--model", "qwen2.5-vl-7b", "--hardware", "h100-sxm", "--gpus", "2", "--trace", t.toString(),
                "--strategy", "monolithic", "--out", mono.toString()).exitCode());
        assertEquals(0, run("plan", "--model", "qwen2.5-vl-7b", "--hardware", "h100-sxm", "--gpus", "2", "--trace", t.toString(),
                "--rank", "analytic", "--out", best.toString()).exitCode());
        Path out = tmp.resolve("cmp");
        Run cmp = run("compare", "--plan", mono.toString(), "--plan", best.toString(), "--trace", t.toString(), "--out", out.toString());
        assertEquals(0, cmp.exitCode(), cmp.err());
        JsonNode rows = new ObjectMapper().readTree(out.resolve("compare.json").toFile());
        assertEquals(2, rows.size());
        for (JsonNode r : rows) {
            for (String f : List.of("plan", "strategy", "devices", "throughput_rps", "goodput_rps", "slo_attainment")) {
                assertTrue(r.has(f), f);
            }
            for (String f : List.of("ttft_ms", "tpot_ms", "e2e_ms")) {
                for (String q : List.of("mean", "p50", "p90", "p95", "p99")) {
                    assertTrue(r.get(f).has(q), f + "." + q);
                }
            }
            assertEquals(2, r.get("devices").asInt());
            assertTrue(r.get("throughput_rps").asDouble() > 0);
        }
        assertEquals(3, java.nio.file.Files.readAllLines(out.resolve("compare.csv")).size());
        Path capDir = tmp.resolve("cap");
        Run cap = run("capacity", "--plan", mono.toString(), "--trace", t.toString(), "--slo", "ttft=1000,tpot=50",
                "--requests", "200", "--max-requests", "2000", "--run-seconds", "5", "--tolerance", "0.1", "--out",
                capDir.toString());
        assertEquals(0, cap.exitCode(), cap.err());
        assertTrue(cap.out().contains("capacity of "), cap.out());
        JsonNode sweep = new ObjectMapper().readTree(capDir.resolve("capacity.json").toFile());
        long probeLines = cap.out().lines().filter(l -> l.contains(" rps: attainment ")).count();
        assertEquals(probeLines, sweep.get("probes").size(), "every probe is written");
        assertTrue(cap.out().contains(String.format(java.util.Locale.ROOT, ": %.3f rps",
                sweep.get("capacity_rps").asDouble())), cap.out());
        for (JsonNode probe : sweep.get("probes")) {
            assertTrue(probe.get("rate_rps").asDouble() > 0 && probe.has("slo_attainment") && probe.has("e2e_ms"));
            // 2000 requests over 5 s at most: never probed above 400 rps, where a run would be a shorter burst
            assertTrue(probe.get("rate_rps").asDouble() <= 400.0 + 1e-9, probe.toString());
        }
        assertTrue(sweep.has("capped"), sweep.toString());
        assertEquals(2.0, sweep.get("steady_state").get("noise_sigmas").asDouble(), sweep.toString());
        assertTrue(sweep.get("probes").get(0).get("backlog").has("noise"), sweep.toString());

        // cornserve plot over both folders: compare, capacity sweep and allocation figures, PNG and SVG
        Run plot = run("plot", tmp.toString(), "--out", tmp.resolve("figs").toString());
        assertEquals(0, plot.exitCode(), plot.err());
        for (String f : List.of("cmp-compare-ttft", "cmp-compare-throughput", "cap-sweep-attainment-"
                + org.cornserve.plots.figure.Figure.slug(sweep.get("plan").asText()))) {
            assertTrue(java.nio.file.Files.size(tmp.resolve("figs").resolve(f + ".png")) > 1000, f);
            assertTrue(java.nio.file.Files.size(tmp.resolve("figs").resolve(f + ".svg")) > 1000, f);
        }
        Run nothing = run("plot", tmp.resolve("figs").toString());
        assertEquals(2, nothing.exitCode());
        assertTrue(nothing.err().contains("found no result files to plot"), nothing.err());
    }
}
