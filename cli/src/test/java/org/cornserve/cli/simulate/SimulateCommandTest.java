package org.cornserve.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.cli.CornserveMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs {@code cornserve simulate} end to end on the shared traces. */
class SimulateCommandTest {
    private static final List<String> SUMMARY_KEYS = List.of("requests", "completed", "rejected", "simulated_seconds",
            "throughput_rps", "goodput_rps", "slo_attainment", "ttft_ms", "tpot_ms", "e2e_ms", "deployments", "events",
            "wall_seconds");

    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = CornserveMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Path shared(String name) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("shared/traces"))) {
                return p.resolve("shared/traces").resolve(name);
            }
        }
        throw new IllegalStateException("no shared/traces above " + Path.of("").toAbsolutePath());
    }

    static Path projectFile(String relative) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(relative))) {
                return p.resolve(relative);
            }
        }
        throw new IllegalStateException("no " + relative + " above " + Path.of("").toAbsolutePath());
    }

    @Test
    void monolithicShortcutOnTheAzureConversationTrace() throws Exception {
        Path out = tmp.resolve("run");
        Run r = run("simulate", "--model", "llama-3.1-8b", "--hardware", "h100", "--gpus", "4", "--strategy",
                "monolithic", "--trace", shared("AzureLLMInferenceTrace_conv.csv").toString(), "--limit", "3000",
                "--slo", "ttft=500,tpot=50", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("3000 requests"), r.out());
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        List<String> keys = new ArrayList<>();
        summary.fieldNames().forEachRemaining(keys::add);
        assertEquals(SUMMARY_KEYS, keys.subList(0, SUMMARY_KEYS.size()));
        assertEquals(3000, summary.get("requests").asLong());
        assertEquals(3000, summary.get("completed").asLong() + summary.get("rejected").asLong());
        for (String k : List.of("ttft_ms", "tpot_ms", "e2e_ms")) {
            for (String p : List.of("mean", "p50", "p90", "p95", "p99")) {
                assertTrue(summary.get(k).has(p), k + "." + p);
            }
        }
        JsonNode dep = summary.get("deployments").get(0);
        assertEquals("monolith", dep.get("name").asText());
        assertEquals(4, dep.get("devices").asInt());
        assertTrue(dep.get("utilization").asDouble() > 0 && dep.get("utilization").asDouble() <= 1);
        assertEquals(3001, Files.readAllLines(out.resolve("requests.csv")).size());
        JsonNode plan = new ObjectMapper().readTree(out.resolve("plan.json").toFile());
        assertEquals("monolithic", plan.get("strategy").asText());
        assertEquals(4, plan.get("deployments").get(0).get("replicas").asInt(), "Llama-8B fits one H100: 4 replicas");
        JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertTrue(config.get("deployments").get(0).get("tasks").get(0).get("settings").get("kv_capacity_tokens").asLong()
                > 100_000, config.toString());
    }

    /**
     * --prefill-compute-scale multiplies measured LLM profiles' prefills: one lone request's TTFT (its prefill, plus
     * nothing else charged) doubles at scale 2, its TPOT (decode points) does not move, the config says so, and a
     * non-positive scale is refused naming the option; --decode-compute-scale 0.5 halves TPOT and leaves TTFT.
     */
    @Test
    void aPrefillComputeScaleMultipliesMeasuredPrefills() throws Exception {
        Path profiles = tmp.resolve("measured.json");
        assertEquals(0, run("profile", "estimate", "--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--out",
                profiles.toString()).exitCode());
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode set = (com.fasterxml.jackson.databind.node.ObjectNode)
                json.readTree(profiles.toFile());
        set.get("profiles").forEach(p -> ((com.fasterxml.jackson.databind.node.ObjectNode) p).put("source",
                "measured"));
        json.writeValue(profiles.toFile(), set);
        Path trace = tmp.resolve("one.jsonl");
        Files.writeString(trace, "{\"arrival_s\":0,\"text_tokens\":700,\"output_tokens\":20}\n");
        double[] ttft = new double[2];
        double[] tpot = new double[2];
        for (int k = 0; k < 2; k++) {
            Path out = tmp.resolve("scale-" + (k + 1));
            Run r = run("simulate", "--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--gpus", "1", "--strategy",
                    "monolithic", "--trace", trace.toString(), "--profiles", profiles.toString(),
                    "--prefill-compute-scale", Integer.toString(k + 1), "--out", out.toString());
            assertEquals(0, r.exitCode(), r.err());
            JsonNode summary = json.readTree(out.resolve("summary.json").toFile());
            ttft[k] = summary.get("ttft_ms").get("p50").asDouble();
            tpot[k] = summary.get("tpot_ms").get("p50").asDouble();
            assertEquals(k + 1, json.readTree(out.resolve("config.json").toFile()).get("prefill_compute_scale")
                    .asDouble());
        }
        assertEquals(2 * ttft[0], ttft[1], 2e-3, "TTFT " + ttft[0] + " -> " + ttft[1] + " (summaries round to 1 us)");
        assertEquals(tpot[0], tpot[1], 1e-9, "decode is not scaled");
        Path halfDecode = tmp.resolve("decode-half");
        assertEquals(0, run("simulate", "--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--gpus", "1", "--strategy",
                "monolithic", "--trace", trace.toString(), "--profiles", profiles.toString(), "--decode-compute-scale",
                "0.5", "--out", halfDecode.toString()).exitCode());
        JsonNode half = json.readTree(halfDecode.resolve("summary.json").toFile());
        assertEquals(tpot[0] / 2, half.get("tpot_ms").get("p50").asDouble(), 2e-3, "decode at half its profile");
        assertEquals(ttft[0], half.get("ttft_ms").get("p50").asDouble(), 1e-9, "prefill as profiled");
        Run bad = run("simulate", "--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--gpus", "1", "--strategy",
                "monolithic", "--trace", trace.toString(), "--prefill-compute-scale", "0", "--out",
                tmp.resolve("bad").toString());
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("--prefill-compute-scale"), bad.err());
    }

    /**
     * {@code simulate --max-concurrency C} against the replay of {@code vllm bench serve --max-concurrency C}
     * ({@code BenchReplay}, whose client runs inside the simulation on its own): the same requests, all issued at 0,
     * on the same monolithic plan give the same latencies request by request; and open loop (0) sends them at once.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "C = {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3, 8})
    void maxConcurrencyIsTheBenchmarkClientsSemaphore(int slots) throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(slots);
        List<org.cornserve.cli.profile.BenchRun.Shape> shapes = new java.util.ArrayList<>();
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            int in = 1 + random.nextInt(3000);
            int out = 2 + random.nextInt(200);
            shapes.add(new org.cornserve.cli.profile.BenchRun.Shape(in, out));
            jsonl.append("{\"arrival_s\":0,\"text_tokens\":").append(in).append(",\"output_tokens\":").append(out)
                    .append("}\n");
        }
        Path trace = tmp.resolve("closed-" + slots + ".jsonl");
        Files.writeString(trace, jsonl);
        Path out = tmp.resolve("closed-" + slots);
        Run r = run("simulate", "--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--gpus", "1", "--strategy",
                "monolithic", "--trace", trace.toString(), "--max-concurrency", Integer.toString(slots), "--out",
                out.toString());
        assertEquals(0, r.exitCode(), r.err());
        org.cornserve.model.plan.DeploymentPlan plan = org.cornserve.model.plan.DeploymentPlan.read(out.resolve("plan.json"));
        var bench = new org.cornserve.cli.profile.BenchReplay(plan, 1).replay(new org.cornserve.cli.profile.BenchRun(
                "t", shapes, slots, Double.POSITIVE_INFINITY, 1, java.util.Map.of("mean_e2el_ms", 1.0)),
                org.cornserve.model.hardware.HardwareCatalog.builtIn());
        List<String> rows = Files.readAllLines(out.resolve("requests.csv"));
        List<String> header = List.of(rows.get(0).split(","));
        int e2e = header.indexOf("e2e_ms");
        int ttft = header.indexOf("ttft_ms");
        int arrival = header.indexOf("arrival_ns");
        assertEquals(17, rows.size());
        for (int i = 0; i < 16; i++) {
            String[] row = rows.get(i + 1).split(",");
            int id = Integer.parseInt(row[0]);
            assertEquals(bench.e2eMs()[id], Double.parseDouble(row[e2e]), 1e-3, "E2E of request " + id);
            assertEquals(bench.ttftMs()[id], Double.parseDouble(row[ttft]), 1e-3, "TTFT of request " + id);
            assertEquals(bench.sendSeconds()[id], Long.parseLong(row[arrival]) / 1e9, 1e-6, "send of request " + id);
        }
        assertEquals(slots, new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("max_concurrency").asInt());
    }

    @Test
    void theStepLogHoldsEveryLlmStepTheSimulationRan() throws Exception {
        Path trace = tmp.resolve("three.jsonl");
        Files.writeString(trace, "{\"arrival_s\":0,\"text_tokens\":700,\"output_tokens\":20}\n"
                + "{\"arrival_s\":0.001,\"text_tokens\":300,\"output_tokens\":5}\n"
                + "{\"arrival_s\":5,\"text_tokens\":100,\"output_tokens\":1}\n");
        Path out = tmp.resolve("logged");
        Path log = tmp.resolve("logs/steps.csv");
        Run r = run("simulate", "--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--gpus", "1", "--strategy",
                "monolithic", "--trace", trace.toString(), "--step-log", log.toString(), "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = Files.readAllLines(log);
        assertEquals(StepLog.HEADER, lines.get(0));
        long prefill = 0;
        long decoded = 0;
        double last = -1;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            double start = Double.parseDouble(f[0]);
            assertTrue(start >= last, "in simulated-time order: " + line);
            last = start;
            assertTrue(Double.parseDouble(f[9]) > 0, "a step takes time: " + line);
            prefill += Long.parseLong(f[4]);
            decoded += Long.parseLong(f[6]) * Long.parseLong(f[8]);
        }
        // every prompt token prefilled once; every output token after the first decoded (a step the next arrival cuts
        // short runs fewer iterations than planned, so at most that many)
        assertEquals(700 + 300 + 100, prefill);
        assertTrue(decoded >= 19 + 4, decoded + " decoded tokens");
        Run bad = run("simulate", "--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--gpus", "1", "--strategy",
                "monolithic", "--trace", trace.toString(), "--step-log", tmp.toString(), "--out",
                tmp.resolve("bad-log").toString());
        assertTrue(bad.exitCode() != 0);
        assertTrue(bad.err().contains("--step-log"), bad.err());
    }

    @Test
    void shareLinksTurnsOnFairSharingAndSaysSoInTheConfig() throws Exception {
        Path trace = tmp.resolve("share.jsonl");
        Files.writeString(trace, "{\"arrival_s\":0,\"text_tokens\":200,\"output_tokens\":20}\n"
                + "{\"arrival_s\":0.1,\"text_tokens\":300,\"output_tokens\":20}\n");
        for (boolean share : new boolean[] {false, true}) {
            Path out = tmp.resolve("share-" + share);
            List<String> args = new ArrayList<>(List.of("simulate", "--model", "llama-3.1-8b", "--hardware", "h100-sxm",
                    "--gpus", "1", "--strategy", "monolithic", "--trace", trace.toString(), "--out", out.toString()));
            if (share) {
                args.add("--share-links");
            }
            Run r = run(args.toArray(String[]::new));
            assertEquals(0, r.exitCode(), r.err());
            JsonNode network = new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("network");
            boolean fair = false;
            for (var it = network.fields(); it.hasNext(); ) {
                var field = it.next();
                if (field.getKey().toLowerCase(java.util.Locale.ROOT).contains("fair")) {
                    fair = field.getValue().asBoolean();
                }
            }
            assertEquals(share, fair, network.toString());
        }
    }

    @Test
    void speechRequestsGetFirstAudioAndTheSpeechSummary() throws Exception {
        Path trace = tmp.resolve("omni.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            lines.append("{\"arrival_s\":").append(i * 0.25).append(",\"text_tokens\":200,\"output_tokens\":")
                    .append(60 + i).append(i % 2 == 0 ? ",\"output_modalities\":[\"text\",\"audio\"]}\n" : "}\n");
        }
        Files.writeString(trace, lines);
        Path out = tmp.resolve("omni");
        Run r = run("simulate", "--model", "qwen2.5-omni-7b", "--hardware", "h100-sxm", "--gpus", "1", "--strategy",
                "monolithic", "--trace", trace.toString(), "--slo", "ttft=2000,tpot=100,ttfa=10000,speech_rtf=1",
                "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("speech: 20 requests, 20 completed, attainment 1.000"), r.out());
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        List<String> keys = new ArrayList<>();
        summary.fieldNames().forEachRemaining(keys::add);
        assertEquals(SUMMARY_KEYS, keys.subList(0, SUMMARY_KEYS.size()));
        assertEquals("speech", keys.get(keys.size() - 1));
        JsonNode speech = summary.get("speech");
        assertEquals(20, speech.get("count").asLong());
        assertTrue(speech.get("ttfa_ms").get("p99").asDouble() > 0 && speech.get("rtf").get("p50").asDouble() < 1,
                speech.toString());
        List<String> rows = Files.readAllLines(out.resolve("requests.csv"));
        assertTrue(rows.get(0).endsWith(",first_audio_ns,audio_seconds"), rows.get(0));
        for (int i = 1; i <= 40; i++) {
            String[] cols = rows.get(i).split(",", -1);
            if ((i - 1) % 2 == 0) {
                long firstAudio = Long.parseLong(cols[cols.length - 2]);
                assertTrue(firstAudio > Long.parseLong(cols[5]) && firstAudio < Long.parseLong(cols[6]), rows.get(i));
                assertTrue(Double.parseDouble(cols[cols.length - 1]) > 1, rows.get(i));
            } else {
                assertEquals("", cols[cols.length - 2] + cols[cols.length - 1], rows.get(i));
            }
        }
    }

    @Test
    void planFileWithEncoderSplitOnServeGenImages() throws Exception {
        Path out = tmp.resolve("split");
        Run r = run("simulate", "--plan", projectFile("experiments/plans/qwen2.5-vl-7b-8xh100-encoder-split.json").toString(),
                "--trace", shared("servegen-mm-image").toString(), "--window", "43200:43260", "--seed", "3",
                "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertTrue(summary.get("requests").asLong() > 100, summary.toString());
        assertEquals(summary.get("requests").asLong(), summary.get("completed").asLong());
        assertEquals(2, summary.get("deployments").size());
    }

    @Test
    void badInputIsRefusedWithTheNumbers() throws Exception {
        Path plan = tmp.resolve("plan.json");
        String text = Files.readString(projectFile("experiments/plans/qwen2.5-vl-7b-8xh100-encoder-split.json"))
                .replace("\"replicas\": 6", "\"replicas\": 9");
        Files.writeString(plan, text);
        Run tooMany = run("simulate", "--plan", plan.toString(), "--trace",
                shared("AzureLLMInferenceTrace_conv.csv").toString(), "--out", tmp.resolve("x").toString());
        assertEquals(2, tooMany.exitCode());
        assertTrue(tooMany.err().contains("h100"), tooMany.err());

        Run unknown = run("simulate", "--model", "no-such-model", "--hardware", "h100", "--gpus", "8", "--strategy",
                "monolithic", "--trace", shared("AzureLLMInferenceTrace_conv.csv").toString(), "--out",
                tmp.resolve("y").toString());
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("no-such-model"), unknown.err());

        Run noFit = run("simulate", "--model", "internvl3-38b", "--hardware", "rtx4090", "--gpus", "1", "--strategy",
                "monolithic", "--trace", shared("AzureLLMInferenceTrace_conv.csv").toString(), "--out",
                tmp.resolve("z").toString());
        assertEquals(2, noFit.exitCode());
        assertTrue(noFit.err().contains("GB"), noFit.err());
    }

    /**
     * A bad line far into the trace (past several read-ahead batches) fails the run with the trace reader's own
     * message (file and line), as reading the file alone gives it.
     */
    @Test
    void aBadTraceLineFailsTheRunWithTheReadersMessage() throws Exception {
        List<String> lines = Files.readAllLines(shared("AzureLLMInferenceTrace_conv.csv")).subList(0, 6001);
        List<String> bad = new ArrayList<>(lines);
        int lineNumber = 4321;
        bad.set(lineNumber - 1, bad.get(lineNumber - 1).replaceAll(",[0-9]+$", ",12x"));
        Path trace = tmp.resolve("bad-line.csv");
        Files.write(trace, bad);
        String expected;
        try (org.cornserve.traces.TraceReader reader = org.cornserve.traces.TraceFormat.AZURE_LLM.source(trace,
                org.cornserve.traces.ReadOptions.defaults()).open()) {
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> {
                while (reader.read() != null) {
                    // read to the bad line
                }
            });
            expected = e.getMessage();
        }
        assertTrue(expected.contains("bad-line.csv") && expected.contains(String.valueOf(lineNumber)), expected);
        Run r = run("simulate", "--model", "llama-3.1-8b", "--hardware", "h100", "--gpus", "4", "--strategy",
                "monolithic", "--trace", trace.toString(), "--out", tmp.resolve("bad").toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains(expected), r.err());
    }
}
