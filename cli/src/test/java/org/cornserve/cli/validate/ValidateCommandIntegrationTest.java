package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cornserve.cli.CornserveMain;
import org.cornserve.model.json.Json;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code cornserve validate} end to end: simulate, serve with executor processes, replay, compare, clean up. */
@Tag("integration")
class ValidateCommandIntegrationTest {
    @TempDir
    Path tmp;

    private static int run(StringWriter out, StringWriter err, String... args) {
        var cl = CornserveMain.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    /** The tiny model's estimated profiles (validate measures none then). */
    private Path estimatedProfiles(StringWriter out, StringWriter err) {
        Path profiles = tmp.resolve("est.json");
        assertEquals(0, run(out, err, "profile", "estimate", "--model", "tiny-omni", "--hardware", "cpu", "--tp", "1",
                "--out", profiles.toString()), err.toString());
        return profiles;
    }

    /** {@code n} text requests a quarter second apart, prompts of 20 to 99 tokens, answers of 4 to 15. */
    private Path smallTrace(int n) throws java.io.IOException {
        Path trace = tmp.resolve("t.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format(java.util.Locale.ROOT,
                    "{\"arrival_s\":%.3f,\"app\":\"default\",\"text_tokens\":%d,\"output_tokens\":%d}%n", i * 0.25,
                    20 + (i * 29) % 80, 4 + (i * 7) % 12));
        }
        Files.writeString(trace, sb);
        return trace;
    }

    @Test
    @Timeout(240)
    void comparesSimulatedAndServedOnASmallSliceAndLeavesNothingBehind() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path profiles = estimatedProfiles(out, err);
        Path trace = smallTrace(24);
        Path dir = tmp.resolve("val");
        // half of each probe's requests (the probes' noise does not matter here, their plumbing does)
        ProbeCounts counts = ProbeCounts.scaled(0.5);
        int code = run(out, err, "validate", "--trace", trace.toString(), "--profiles", profiles.toString(),
                "--warmup-requests", "4", "--probe-scale", "0.5", "--quiet-wait-s", "1", "--out", dir.toString());
        assertEquals(0, code, err.toString());
        // a quiet host waited for at most the second asked (and its last half-second reading)
        java.util.regex.Matcher waits = java.util.regex.Pattern.compile("after (\\d+\\.\\d) s for a quiet host")
                .matcher(err.toString());
        int waited = 0;
        while (waits.find()) {
            assertTrue(Double.parseDouble(waits.group(1)) <= 1.6, waits.group());
            waited++;
        }
        assertEquals(2, waited, "before the probes and before the replay: " + err);
        JsonNode v = Json.mapper().readTree(dir.resolve("validation.json").toFile());
        assertEquals(Json.mapper().valueToTree(counts), v.path("probe_counts"));
        Path shapeProbe = dir.resolve("measured-probe/shape-probe.jsonl");
        if (Files.exists(shapeProbe)) { // where the slice has short or long prompts beyond its quartiles
            assertEquals(counts.shape(), Files.readAllLines(shapeProbe).size());
        }
        assertEquals(counts.batchGroups() * ProbeTraces.BATCH_PROBE_ANSWERS.length,
                Files.readAllLines(dir.resolve("measured-probe/batch-probe.jsonl")).size());
        assertEquals(Comparison.METRICS.size(), v.path("rows").size());
        assertTrue(v.path("request_overhead_ms").asDouble() >= 0);
        // the idle probe: one row per streamed probe request, served TTFT against the simulator's
        List<String> probe = Files.readAllLines(dir.resolve("measured-probe/overhead.csv"));
        assertEquals(counts.idle() + 1, probe.size(), String.join("\n", probe));
        for (String row : probe.subList(1, probe.size())) {
            String[] f = row.split(",");
            assertTrue(Double.parseDouble(f[2]) > 0 && Double.parseDouble(f[3]) > 0, row);
        }
        String session = v.path("runtime_session").asText();
        assertFalse(session.isEmpty(), v.toString());
        JsonNode measured = Json.mapper().readTree(dir.resolve("measured/summary.json").toFile());
        JsonNode simulated = Json.mapper().readTree(dir.resolve("simulated/summary.json").toFile());
        // the prediction simulates the slice as many times as the served costs' prediction_passes say, pooled
        int passes = Json.mapper().readTree(dir.resolve("simulated/config.json").toFile()).path("repeat").asInt();
        assertTrue(passes >= 1);
        assertEquals(24, measured.path("completed").asInt(), "every request answered");
        assertEquals(24 * passes, simulated.path("completed").asInt());
        assertEquals(simulated.path("output_tokens").asLong(), passes * measured.path("output_tokens").asLong(),
                "served answers run to the traced length (ignore-eos) and are counted by usage");
        assertTrue(out.toString().contains("ttft_ms.p50"), out.toString());
        for (String f : List.of("trace.jsonl", "warmup.jsonl", "plan.json")) {
            assertTrue(Files.exists(dir.resolve(f)), f);
        }
        assertEquals(org.cornserve.runtime.control.Runtimes.defaultPlan().plan().streamChunkTokensOrDefault(),
                org.cornserve.model.plan.PlanValidator.builtIn().readAndValidate(dir.resolve("plan.json")).plan()
                        .streamChunkTokensOrDefault(), "the simulated plan streams to the talker as the served one does");
        // only this run's session: other runs on the machine may hold files of their own meanwhile
        assertEquals(0, Validation.sharedMemoryFiles(session),
                "no /dev/shm/cornserve-" + session + "-* file left");
        assertTrue(v.path("served_steps").path("with_prefill").path("steps").asInt() > 0, v.toString());
        // the decode probe's decode steps give the per-step round trip the simulation charged: busy less compute,
        // their median
        List<String> probeSteps = Files.readAllLines(dir.resolve("measured-probe/steps.csv"));
        assertTrue(probeSteps.size() > counts.idle() * 2, "each probe has its prefill and decode steps");
        List<String> decodeProbeSteps = Files.readAllLines(dir.resolve("measured-probe/decode-probe-steps.csv"));
        List<String> header = List.of(decodeProbeSteps.get(0).split(","));
        int rt = header.indexOf("round_trip_ms");
        int prefill = header.indexOf("prefill_tokens");
        double[] trips = decodeProbeSteps.subList(1, decodeProbeSteps.size()).stream().map(r -> r.split(",", -1))
                .filter(f -> f[prefill].equals("0")).mapToDouble(f -> Double.parseDouble(f[rt])).toArray();
        assertTrue(trips.length >= counts.decode(), "decode steps: " + trips.length);
        java.util.Arrays.sort(trips);
        assertEquals(Math.max(0, Validation.median(trips)), v.path("step_overhead_ms").asDouble(), 1e-3);
        // and the idle probe's overhead rows subtract that same round trip
        assertEquals(v.path("step_overhead_ms").asDouble(), Double.parseDouble(probe.get(1).split(",")[5]), 1e-3);
        JsonNode simConfig = Json.mapper().readTree(dir.resolve("simulated/config.json").toFile());
        assertEquals(v.path("step_overhead_ms").asDouble(), simConfig.path("step_overhead_ms").asDouble(), 1e-3);
        assertEquals(4, simConfig.path("tokens_per_report").asLong());
        assertEquals(18, simConfig.path("prompt_overhead_tokens").asInt(), "the chat markup is simulated as served");
        // the prefills are charged at the speed the probes' ran at, length by length (prefill_compute_scale_at,
        // below), which stands in for the idle probe's one scale
        assertTrue(v.path("prefill_compute_scale").asDouble() > 0, v.toString());
        assertEquals(1, simConfig.path("prefill_compute_scale").asDouble());
        // and the decodes at the speed the decode probe's ran at, under load, as a loaded replay runs it (the served
        // costs' replay-over-probe ratio of decodes)
        assertTrue(v.path("decode_compute_scale").asDouble() > 0, v.toString());
        assertEquals(expectedDecode(v, v, dir, 1), simConfig.path("decode_compute_scale").asDouble(), 1e-3);
        assertTrue(Files.readAllLines(dir.resolve("measured-probe/decode-probe-steps.csv")).size()
                > counts.decode(), "the decode probe's steps");
        assertTrue(Files.readAllLines(dir.resolve("measured/host.csv")).size() > 2, "the host was watched");
        // the per-request overhead charged is the decode probe's: the median over its requests of served TTFT less
        // their prefill's compute and the round trip (or the idle probe's line where its prefills did not line up)
        Path decodeOverhead = dir.resolve("measured-probe/decode-overhead.csv");
        if (Files.exists(decodeOverhead)) {
            List<String> rows = Files.readAllLines(decodeOverhead);
            assertEquals(counts.decode() + 1, rows.size(), String.join("\n", rows));
            double[] over = rows.subList(1, rows.size()).stream().mapToDouble(r -> Double.parseDouble(r.split(",")[5]))
                    .sorted().toArray();
            assertEquals(Math.max(0, Validation.median(over)), v.path("request_overhead_ms").asDouble(), 1e-3);
            assertEquals(0, v.path("request_overhead_ms_per_token").asDouble());
        } else {
            double[] idle = TailReport.overheadLine(dir.resolve("measured-probe/overhead.csv"));
            assertEquals(idle[0], v.path("request_overhead_ms").asDouble(), 1e-3, "the idle probe's line");
            assertEquals(idle[1], v.path("request_overhead_ms_per_token").asDouble(), 1e-4);
        }
        // the batch probe decoded several sequences at once, and its extra per sequence is what the simulation charged
        List<ServedCostsFit.Row> batch = ServedCostsFit.read(dir.resolve("measured-probe/batch-probe-steps.csv"));
        assertTrue(batch.stream().filter(r -> r.decodeSequences() >= 3 && r.prefillTokens() == 0).count() >= 10,
                "steps of three sequences");
        // against the decode probe's mean speed (its steady steps' summed compute over their summed charge), where
        // the decodes are charged at its requests' 25th percentile (Probes.decodeProbeSpeed)
        List<ServedCostsFit.Row> decodeRows = ServedCostsFit.read(dir.resolve("measured-probe/decode-probe-steps.csv"));
        double[] sums = new double[2];
        decodeRows.stream().filter(r -> r.prefillTokens() == 0 && r.afterPrefill() > StepRecorder.AFTER_PREFILL_STEPS
                && r.othersComputing() < 0.1).forEach(r -> {
                    sums[0] += r.computeMs();
                    sums[1] += r.simulatedMs();
                });
        double mean = sums[0] / sums[1];
        assertEquals(Probes.decodeProbeSpeed(decodeRows, mean), v.path("decode_compute_scale").asDouble(), 1e-3);
        double extra = ServedCostsFit.batchExtraMsPerSequence(batch, mean);
        assertFalse(Double.isNaN(extra), "enough steps of several sequences");
        assertEquals(extra, v.path("extra_ms_per_sequence").asDouble(), 1e-3, "steps.csv rounds to 0.1 us");
        assertEquals(extra, simConfig.path("served_step_costs").path("extra_ms_per_sequence").asDouble(), 1e-4);
        // the prefill's speed by prompt length, from the idle and the shape probe, is what the simulation charged
        // its points are the prompt lengths of each probe whose prefills lined up with its requests (on a loaded
        // host a probe's prefill can run beside the last request's decode; that probe is then left out, as in CI
        // once: the idle probe's four lengths missing)
        java.util.SortedSet<Long> lined = new java.util.TreeSet<>();
        for (String row : probe.subList(1, probe.size())) {
            String[] f = row.split(",", -1);
            if (!f[4].isEmpty()) {
                lined.add(Long.parseLong(f[2]));
            }
        }
        Path shapeCsv = dir.resolve("measured-probe/shape-probe.csv");
        if (Files.exists(shapeCsv)) {
            List<String> shapeRows = Files.readAllLines(shapeCsv);
            shapeRows.subList(1, shapeRows.size()).forEach(r -> lined.add(Long.parseLong(r.split(",")[1])));
        }
        assertFalse(lined.isEmpty(), "neither the idle nor the shape probe lined up");
        String curve = v.path("prefill_compute_scale_at").asText();
        assertFalse(curve.isEmpty(), v.toString());
        assertEquals(List.copyOf(lined), org.cornserve.model.profile.PrefillScaleCurve.parse(curve).tokens(), curve);
        assertEquals(curve, simConfig.path("prefill_compute_scale_at").asText());
        // and the diagnosis at the served speed ran, with a row per metric
        assertEquals(Comparison.METRICS.size(), v.path("rows_at_served_speed").size(), v.toString());
        assertTrue(Files.exists(dir.resolve("served-speed.json")));
        assertTrue(out.toString().contains("diagnosis, not a prediction"), out.toString());
        assertTrue(v.path("host_load").path("available").asBoolean(), v.toString());
        assertTrue(out.toString().contains("host load outside the served run"), out.toString());
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(),
                "no executor process left");

        // kept as a demo keeps it (the slice beside planned/, a baseline plan) and judged again by demo --resimulate:
        // both plans simulated, the planned one against what was served, the prediction blended with the warm-up's
        // later half; nothing served, the kept demo untouched
        Path demo = tmp.resolve("demo");
        Files.createDirectories(demo.resolve("baseline"));
        try (var files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path to = demo.resolve("planned").resolve(dir.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        Files.move(demo.resolve("planned/trace.jsonl"), demo.resolve("trace.jsonl"));
        Files.copy(dir.resolve("plan.json"), demo.resolve("baseline/plan.json"));
        byte[] keptDemo = Files.readAllBytes(demo.resolve("planned/validation.json"));
        StringWriter out3 = new StringWriter();
        StringWriter err3 = new StringWriter();
        Path again = tmp.resolve("demo-again");
        assertEquals(0, run(out3, err3, "demo", "--resimulate", demo.toString(), "--out", again.toString()),
                err3.toString());
        assertTrue(err3.toString().contains("nothing served"), err3.toString());
        assertTrue(out3.toString().contains("planned (sim)") && out3.toString().contains("ttft_ms.p50"),
                out3.toString());
        assertTrue(out3.toString().contains("warm-up's later half"), out3.toString());
        assertEquals(Comparison.METRICS.size(), Json.mapper().readTree(again.resolve("planned/validation.json")
                .toFile()).path("rows").size());
        assertTrue(Files.exists(again.resolve("baseline/simulated/summary.json")));
        assertTrue(java.util.Arrays.equals(keptDemo, Files.readAllBytes(demo.resolve("planned/validation.json"))));
    }

    /**
     * Two replays on one server: each probed and simulated apart, the table pooled over both; before them a
     * calibration replay of the trace's requests after the judged twelve.
     */
    @Test
    @Timeout(300)
    void twoReplaysArePooled() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path profiles = estimatedProfiles(out, err);
        Path trace = smallTrace(12 + 60);
        Path dir = tmp.resolve("val");
        int code = run(out, err, "validate", "--trace", trace.toString(), "--profiles", profiles.toString(),
                "--warmup-requests", "4", "--probe-scale", "0.25", "--replays", "2", "--max-requests", "12",
                "--calibration-requests", "60", "--quiet-wait-s", "1",
                "--out", dir.toString());
        assertEquals(0, code, err.toString());
        assertEquals(12, Files.readAllLines(dir.resolve("trace.jsonl")).size(), "the judged slice");
        if (MachineSpeed.unavailable() == null) {
            // requests 12 to 71 of the trace, replayed from 0 s, not judged
            List<String> calibration = Files.readAllLines(dir.resolve("calibration.jsonl"));
            assertEquals(60, calibration.size());
            JsonNode head = Json.mapper().readTree(calibration.get(0));
            assertEquals(0, head.path("arrival_s").asDouble(), 1e-9);
            assertEquals(20 + (12 * 29) % 80, head.path("text_tokens").asInt());
            assertEquals(60, Json.mapper().readTree(dir.resolve("measured-calibration/summary.json").toFile())
                    .path("completed").asInt());
            assertTrue(Files.readAllLines(dir.resolve("measured-calibration/steps.csv")).size() > 60);
        }
        JsonNode v = Json.mapper().readTree(dir.resolve("validation.json").toFile());
        assertEquals(2, v.path("replays").size(), v.toString());
        List<Path> sim = List.of(dir.resolve("simulated"), dir.resolve("simulated-2"));
        List<Path> meas = List.of(dir.resolve("measured"), dir.resolve("measured-2"));
        for (int k = 0; k < 2; k++) {
            JsonNode run = v.path("replays").get(k);
            assertEquals(k + 1, run.path("replay").asInt());
            assertEquals(12, Json.mapper().readTree(meas.get(k).resolve("summary.json").toFile()).path("completed")
                    .asInt(), "replay " + (k + 1) + " answered every request");
            assertEquals(Comparison.METRICS.size(), run.path("rows").size());
            assertEquals(Comparison.METRICS.size(), run.path("rows_at_served_speed").size());
            // each replay simulated at the speed its own probes met
            JsonNode config = Json.mapper().readTree(sim.get(k).resolve("config.json").toFile());
            // and blended with the served run's before it (the calibration replay, replay 1): ServedBefore
            assertEquals(expectedDecode(v, run, dir, k + 1), config.path("decode_compute_scale").asDouble(1), 1e-3);
            // the prefills at the probes' level over the slice, in the served steps' shape where steps ran before the
            // replay (the calibration replay's, replay 1's for replay 2) and then as a loaded replay runs them
            if (run.hasNonNull("prefill_compute_scale_at")) {
                var costs = Json.mapper().treeToValue(v.path("served_step_costs"),
                        org.cornserve.simulator.config.ServedStepCosts.class);
                var probed = org.cornserve.model.profile.PrefillScaleCurve.parse(
                        run.path("prefill_compute_scale_at").asText());
                Path slice = dir.resolve("trace.jsonl");
                boolean shaped = SpeedTraces.predictionCurve(probed, dir, k + 1, slice,
                        costs.prefillAfterPrefillRatio()).servedShape();
                assertTrue(shaped || k == 0, "replay 2 takes replay 1's shape");
                double level = SpeedTraces.sliceMean(probed, slice) * (shaped ? costs.replayOverProbePrefill() : 1);
                ServedBefore before = ServedBefore.ofValidation(dir, k + 1);
                if (before != null && costs.replayOverServedBeforePrefill() > 0) {
                    var shape = SpeedTraces.prefillShape(SpeedTraces.predictionCurve(probed, dir, k + 1, slice,
                            costs.prefillAfterPrefillRatio()).curve(), slice);
                    double read = ServedBefore.level(ServedCostsFit.read(before.steps()), before.fromSeconds(), shape,
                            extra(v, run), costs.prefillAfterPrefillRatio())[0];
                    double w = costs.servedBeforeWeights().prefill();
                    level = Double.isNaN(read) ? level : Math.pow(level, 1 - w)
                            * Math.pow(read * costs.replayOverServedBeforePrefill(), w);
                }
                assertEquals(level, SpeedTraces.sliceMean(org.cornserve.model.profile.PrefillScaleCurve.parse(
                                config.path("prefill_compute_scale_at").asText()), slice), 2e-3);
            }
            assertTrue(Files.exists(meas.get(k).resolveSibling(meas.get(k).getFileName() + "-probe")
                    .resolve("overhead.csv")));
        }
        assertTrue(Files.exists(dir.resolve("served-speed-2.json")));
        assertTrue(Files.exists(dir.resolve("simulated-at-served-speed-2/summary.json")));
        List<Comparison.Row> pooled = Comparison.pooled(sim, meas);
        for (int m = 0; m < pooled.size(); m++) {
            assertEquals(pooled.get(m).measured(), v.path("rows").get(m).path("measured").asDouble(), 1e-6,
                    pooled.get(m).metric());
            assertEquals(pooled.get(m).simulated(), v.path("rows").get(m).path("simulated").asDouble(), 1e-6);
        }
        assertTrue(out.toString().contains("the 2 replays pooled"), out.toString());
        if (MachineSpeed.unavailable() == null) {
            // the sensors read through the warm-up and both replays
            MachineSpeed.Spans spans = Json.read(dir.resolve("sensed.json"), MachineSpeed.Spans.class);
            assertEquals(2, spans.replays().size());
            assertTrue(spans.warmup()[1] > spans.warmup()[0] && spans.replays().get(0)[0] >= spans.warmup()[1]);
            // and through the calibration replay, between the warm-up and the first replay
            assertTrue(spans.calibration()[0] >= spans.warmup()[1]
                    && spans.calibration()[1] <= spans.replays().get(0)[0], dir.resolve("sensed.json").toString());
            assertTrue(MachineSpeed.readCsv(dir.resolve("sensed.csv")).size() >= 2 * spans.cpus().size());
            // replay 2 is calibrated on replay 1's served speed: simulated at the sensed speed unless a window of
            // replay 1 went unread (a 12-request replay is short), which the command says
            if (v.has("rows_at_sensed_speed")) {
                assertTrue(out.toString().contains("the calibration replay (measured-calibration/)"), out.toString());
                assertEquals(Comparison.METRICS.size(), v.path("rows_at_sensed_speed").size());
                assertTrue(Files.exists(dir.resolve("simulated-at-sensed-speed-2/summary.json")));
            } else {
                assertTrue(err.toString().contains("not simulated at the sensed speed"), err.toString());
            }
        }
        assertEquals(0, Validation.sharedMemoryFiles(v.path("runtime_session").asText()));
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(),
                "no executor process left");

        // judged again from the kept run by the same build: the same tables, nothing served, the kept run untouched
        byte[] kept = Files.readAllBytes(dir.resolve("validation.json"));
        StringWriter out2 = new StringWriter();
        StringWriter err2 = new StringWriter();
        Path again = tmp.resolve("again");
        assertEquals(0, run(out2, err2, "validate", "--resimulate", dir.toString(), "--out", again.toString()),
                err2.toString());
        assertTrue(err2.toString().contains("nothing served"), err2.toString());
        JsonNode w = Json.mapper().readTree(again.resolve("validation.json").toFile());
        for (String key : List.of("rows", "rows_at_served_speed", "rows_at_sensed_speed")) {
            assertEquals(v.path(key), w.path(key), key);
        }
        for (int k = 0; k < 2; k++) {
            assertEquals(v.path("replays").get(k).path("rows"), w.path("replays").get(k).path("rows"));
        }
        assertTrue(java.util.Arrays.equals(kept, Files.readAllBytes(dir.resolve("validation.json"))));
        // and with other served costs than it charged: none
        Path bare = tmp.resolve("bare");
        assertEquals(0, run(out2, err2, "validate", "--resimulate", dir.toString(), "--served-costs", "none", "--out",
                bare.toString()), err2.toString());
        assertTrue(v.has("served_step_costs"), "the kept run charged the embedded costs");
        assertFalse(Json.mapper().readTree(bare.resolve("validation.json").toFile()).has("served_step_costs"));
        if (MachineSpeed.unavailable() == null) {
            // and without its calibration replay: the first replay calibrated on the warm-up, as before there was one
            Path warm = tmp.resolve("warm");
            assertEquals(0, run(out2, err2, "validate", "--resimulate", dir.toString(), "--calibration-requests", "0",
                    "--out", warm.toString()), err2.toString());
            assertEquals(null, Json.read(warm.resolve("sensed.json"), MachineSpeed.Spans.class).calibration());
            assertFalse(Files.exists(warm.resolve("measured-calibration")));
            // the prediction of replay 1 takes the prefills' shape from the calibration replay: without it, the
            // probes' own curve
            JsonNode firstConfig = Json.mapper().readTree(warm.resolve("simulated/config.json").toFile());
            if (v.path("replays").get(0).hasNonNull("prefill_compute_scale_at")) {
                assertEquals(v.path("replays").get(0).path("prefill_compute_scale_at").asText(),
                        firstConfig.path("prefill_compute_scale_at").asText());
            }

        }
    }

    /**
     * The decode scale the prediction of replay {@code k} charges: the decode probe's speed times the replay-over-probe
     * ratio, blended (a geometric mean, the served costs' {@code served_before_weights.decode} to it) with the served run's before it times
     * its ratio where there is one
     * ({@link ServedBefore}).
     */
    private static double expectedDecode(JsonNode v, JsonNode run, Path dir, int k) throws java.io.IOException {
        double probed = run.path("decode_compute_scale").asDouble() * decodeRatio(v);
        double ratio = v.path("served_step_costs").path("replay_over_served_before_decode").asDouble(0);
        ServedBefore before = ServedBefore.ofValidation(dir, k);
        if (before == null || ratio == 0) {
            return probed;
        }
        double read = ServedBefore.level(ServedCostsFit.read(before.steps()), before.fromSeconds(), t -> 1,
                extra(v, run), 0)[1];
        double w = Json.mapper().treeToValue(v.path("served_step_costs"),
                org.cornserve.simulator.config.ServedStepCosts.class).servedBeforeWeights().decode();
        return Double.isNaN(read) ? probed : Math.pow(probed, 1 - w) * Math.pow(read * ratio, w);
    }

    /** The extra per sequence a replay charged: its batch probe's, else the served costs'. */
    private static double extra(JsonNode v, JsonNode run) {
        return run.hasNonNull("extra_ms_per_sequence") ? run.get("extra_ms_per_sequence").asDouble()
                : v.path("served_step_costs").path("extra_ms_per_sequence").asDouble(0);
    }

    /** The served costs' replay-over-probe ratio of decodes a validation charged (1 where none). */
    private static double decodeRatio(JsonNode validation) {
        double r = validation.path("served_step_costs").path("replay_over_probe_decode").asDouble(0);
        return r > 0 ? r : 1;
    }
}
