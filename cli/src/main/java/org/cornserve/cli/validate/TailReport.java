package org.cornserve.cli.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.cornserve.model.json.Json;
import org.cornserve.simulator.config.ServedStepCosts;

/**
 * Where a validation's tails come from, from the files a {@code cornserve validate} run keeps (no server is run):
 * <pre>
 * java -cp cli/target/cornserve.jar org.cornserve.cli.validate.TailReport analyze RUN_DIR...
 * java -cp cli/target/cornserve.jar org.cornserve.cli.validate.TailReport fit --probe RUN_DIR --loaded RUN_DIR
 *     [--seed N] [--terms all|extra|ratio|trip] [--sampling-ms-per-sequence S] --out COSTS.json
 * java -cp cli/target/cornserve.jar org.cornserve.cli.validate.TailReport table SIMULATED_DIR MEASURED_DIR
 * java -cp cli/target/cornserve.jar org.cornserve.cli.validate.TailReport overhead RUN_DIR
 * java -cp cli/target/cornserve.jar org.cornserve.cli.validate.TailReport speed RUN_DIR
 * java -cp cli/target/cornserve.jar org.cornserve.cli.validate.TailReport after-prefill RUN_DIR...
 * java -cp cli/target/cornserve.jar org.cornserve.cli.validate.TailReport prefill-after-prefill RUN_DIR...
 * java -cp cli/target/cornserve.jar org.cornserve.cli.validate.TailReport probe-level RUN_DIR...
 * java -cp cli/target/cornserve.jar org.cornserve.cli.validate.TailReport served-before [--warmup] RUN_DIR...
 * java -cp cli/target/cornserve.jar org.cornserve.cli.validate.TailReport overlap RUN_DIR...
 * java -cp cli/target/cornserve.jar org.cornserve.cli.validate.TailReport step-excess RUN_DIR...
 * java -cp cli/target/cornserve.jar org.cornserve.cli.validate.TailReport window-drift RUN_DIR...
 * java -cp cli/target/cornserve.jar org.cornserve.cli.validate.TailReport window-host RUN_DIR...
 * </pre>
 * {@code window-drift} prints the served costs' {@code window_drift} fitted to the served steps of every replay of
 * the runs ({@link ServedCostsFit#windowDrift}) as JSON, and its P10, P50 and P90 on standard error.
 * {@code window-host} prints, for every replay of the runs, how its decode level over 10 s windows followed the host's
 * readings over the same windows (hypervisor steal, outside load, the collector, the compiler; {@link
 * WindowHostReport}).
 * {@code step-excess} prints the served costs' {@code step_excess} fitted to the served steps of every replay of the
 * runs ({@link ServedCostsFit#stepExcess}, each replay a run of its own) as JSON, and a summary of it on standard
 * error.
 * {@code overlap} prints served steps' compute over their charge at their run's speed alone, by kind of step and by
 * what the host's other executors computed meanwhile (alone, beside a prefill, beside decode steps, mixed, partly),
 * pooled over the runs ({@link OverlapReport}); then overlapped steps over lone ones of the same kind and size, summed
 * and at the median ({@link OverlapReport#matched}).
 * {@code served-before} prints each replay's speeds over the served run's before it and their geometric means, the
 * served costs' {@code replay_over_served_before_*} (or with {@code --warmup}, over demos, {@code
 * replay_over_warmup_*}; {@link #servedBefore}).
 * {@code probe-level} prints each replay's prefill and decode speed over what its probes charged ({@link
 * ServedCostsFit#replayOverProbe}; the prefills at the probes' level in the served steps' shape before the replay,
 * {@link SpeedTraces#predictionCurve}, none where no steps ran before it; the extra per sequence the embedded served
 * costs' where the probes measured none, and their after-prefill ratio of prefills) and their geometric means over all
 * the runs' replays: the served costs' {@code replay_over_probe_prefill} and {@code replay_over_probe_decode}.
 * {@code prefill-after-prefill} prints the served costs' after-prefill ratio of prefills ({@link
 * ServedCostsFit#prefillAfterPrefillRatio}) of each replay of the runs and pooled over them all.
 * {@code after-prefill} prints the served costs' after-prefill ratio pooled over the runs' replays
 * ({@link ServedCostsFit#afterPrefillRatio}) and their round-trip tail ({@link ServedCostsFit#roundTripTailMs}).
 * {@code speed} writes the served replay's speed window by window ({@link SpeedTraces#speedTrace}) to
 * {@code RUN_DIR/served-speed.json}, for {@code simulate --speed-trace} on a run kept from before validate wrote it.
 * {@code overhead} prints the per-request overhead line ({@link Probes#overheadLine}) fitted to the run's probe
 * ({@code measured-probe/overhead.csv}) as {@code INTERCEPT_MS MS_PER_TOKEN}.
 * {@code RUN_DIR} is a validate output's plan folder ({@code validation.json}, {@code measured/},
 * {@code measured-probe/}, {@code simulated/}). {@code analyze} joins served requests with their simulated twins by
 * request id and splits served steps by kind and batch; {@code fit} writes {@link ServedStepCosts} ({@link
 * ServedCostsFit}); {@code table} prints the validation table of two result folders.
 */
public final class TailReport {
    private TailReport() {
    }

    public static void main(String[] args) throws IOException {
        PrintStream out = System.out;
        if (args.length >= 2 && args[0].equals("analyze")) {
            for (int i = 1; i < args.length; i++) {
                analyze(Path.of(args[i]), out);
            }
        } else if (args.length >= 2 && args[0].equals("overlap")) {
            OverlapReport.report(Arrays.stream(args, 1, args.length).map(Path::of).toList(), out);
        } else if (args.length == 2 && args[0].equals("overhead")) {
            double[] line = overheadLine(Path.of(args[1]).resolve("measured-probe/overhead.csv"));
            out.printf(Locale.ROOT, "%.4f %.6f%n", line[0], line[1]);
        } else if (args.length == 2 && args[0].equals("speed")) {
            Path run = Path.of(args[1]);
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(run.resolve("served-speed.json").toFile(),
                    SpeedTraces.speedTrace(run.resolve("measured/steps.csv"), SpeedTraces.SPEED_WINDOW_S));
            out.println(run.resolve("served-speed.json"));
        } else if (args.length >= 2 && args[0].equals("after-prefill")) {
            List<List<ServedCostsFit.Row>> runs = new java.util.ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                runs.add(ServedCostsFit.read(Path.of(args[i]).resolve("measured/steps.csv")));
            }
            List<Double> ratio = ServedCostsFit.afterPrefillRatio(runs, (int) StepRecorder.AFTER_PREFILL_STEPS);
            out.println("after_prefill_compute_ratio " + ratio.stream().map(v -> String.format(Locale.ROOT, "%.4f", v))
                    .toList());
            out.printf(Locale.ROOT, "round_trip_tail_ms %.4f%n", ServedCostsFit.roundTripTailMs(runs));
        } else if (args.length >= 2 && args[0].equals("window-drift")) {
            List<List<ServedCostsFit.Row>> runs = replaySteps(args);
            org.cornserve.simulator.config.WindowDrift drift = ServedCostsFit.windowDrift(runs,
                    ServedCostsFit.DRIFT_WINDOW_SECONDS);
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(drift));
            System.err.printf(Locale.ROOT, "window drift over %d replays, windows of %.0f s: prefill P10 / P50 / P90"
                    + " %.3f / %.3f / %.3f, decode %.3f / %.3f / %.3f%n", runs.size(), drift.windowSeconds(),
                    at(drift.prefill(), 0.1), at(drift.prefill(), 0.5), at(drift.prefill(), 0.9),
                    at(drift.decode(), 0.1), at(drift.decode(), 0.5), at(drift.decode(), 0.9));
        } else if (args.length >= 2 && args[0].equals("window-host")) {
            WindowHostReport.print(Arrays.stream(args, 1, args.length).map(Path::of).toList(), out);
        } else if (args.length >= 2 && args[0].equals("step-excess")) {
            List<List<ServedCostsFit.Row>> runs = replaySteps(args);
            org.cornserve.simulator.config.StepExcess excess = ServedCostsFit.stepExcess(runs);
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(excess));
            for (int kind = 0; kind < 2; kind++) {
                List<List<Double>> tables = kind == 0 ? excess.prefillMs() : excess.decodeMs();
                StringBuilder line = new StringBuilder(kind == 0 ? "prefill" : "decode").append(String.format(
                        Locale.ROOT, " scale %.3f; excess P50 / P90 / P99 ms by bin:", kind == 0
                                ? excess.prefillScale() : excess.decodeScale()));
                for (List<Double> t : tables) {
                    line.append(String.format(Locale.ROOT, " [%.2f %.2f %.2f]", at(t, 0.5), at(t, 0.9), at(t, 0.99)));
                }
                System.err.println(line);
            }
        } else if (args.length >= 2 && args[0].equals("prefill-after-prefill")) {
            List<List<ServedCostsFit.Row>> replays = new ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                Path run = Path.of(args[i]);
                for (int k = 1; Files.isDirectory(Validation.replayDir(run.resolve("measured"), k)); k++) {
                    List<ServedCostsFit.Row> rows = ServedCostsFit.read(
                            Validation.replayDir(run.resolve("measured"), k).resolve("steps.csv"));
                    replays.add(rows);
                    out.printf(Locale.ROOT, "%s replay %d: %.4f%n", run, k,
                            ServedCostsFit.prefillAfterPrefillRatio(List.of(rows), SpeedTraces.SPEED_WINDOW_S));
                }
            }
            out.printf(Locale.ROOT, "prefill_after_prefill_ratio %.4f (%d replays pooled)%n",
                    ServedCostsFit.prefillAfterPrefillRatio(replays, SpeedTraces.SPEED_WINDOW_S), replays.size());
        } else if (args.length >= 2 && args[0].equals("probe-level")) {
            ServedStepCosts embedded = embeddedCosts();
            double[] logSum = new double[2];
            int[] count = new int[2];
            for (int i = 1; i < args.length; i++) {
                Path run = Path.of(args[i]);
                List<JsonNode> replays = replays(run);
                for (int k = 1; k <= replays.size(); k++) {
                    JsonNode r = replays.get(k - 1);
                    double prefillScale = r.path("prefill_compute_scale").asDouble(1);
                    var curve = r.hasNonNull("prefill_compute_scale_at")
                            ? org.cornserve.model.profile.PrefillScaleCurve.parse(
                                    r.get("prefill_compute_scale_at").asText())
                            : null;
                    double extra = r.hasNonNull("extra_ms_per_sequence") ? r.get("extra_ms_per_sequence").asDouble()
                            : embedded.extraMsPerSequence();
                    // the decode probe's speed by the build's rule, as --resimulate takes it
                    double decodeSpeed = Probes.keptDecodeSpeed(run, k, r.path("decode_compute_scale").asDouble(1));
                    // the prefills charged as the prediction charges them: the probes' level in the shape of the
                    // served steps before the replay
                    SpeedTraces.PredictionCurve charged = SpeedTraces.predictionCurve(curve, run, k,
                            run.resolve("trace.jsonl"), embedded.prefillAfterPrefillRatio());
                    double[] ratio = ServedCostsFit.replayOverProbe(ServedCostsFit.read(
                            Validation.replayDir(run.resolve("measured"), k).resolve("steps.csv")),
                            charged.curve() != null ? charged.curve() : t -> prefillScale,
                            decodeSpeed, extra, embedded.prefillAfterPrefillRatio());
                    if (!charged.servedShape()) {
                        ratio[0] = Double.NaN; // the prefill ratio is charged only on the served steps' shape
                    }
                    out.printf(Locale.ROOT, "%s replay %d: prefill %.4f decode %.4f%n", run, k, ratio[0], ratio[1]);
                    for (int j = 0; j < 2; j++) {
                        if (ratio[j] > 0) {
                            logSum[j] += Math.log(ratio[j]);
                            count[j]++;
                        }
                    }
                }
            }
            out.printf(Locale.ROOT, "replay_over_probe_prefill %.4f replay_over_probe_decode %.4f (geometric means over"
                    + " %d and %d replays)%n", Math.exp(logSum[0] / count[0]), Math.exp(logSum[1] / count[1]),
                    count[0], count[1]);
        } else if (args.length >= 2 && args[0].equals("served-before")) {
            servedBefore(Arrays.asList(args).subList(1, args.length), out);
        } else if (args.length == 3 && args[0].equals("table")) {
            out.print(Comparison.table(Comparison.compare(summary(Path.of(args[1])), summary(Path.of(args[2])))));
        } else if (args.length >= 1 && args[0].equals("fit")) {
            Map<String, String> o = options(args);
            Path probe = Path.of(required(o, "--probe"));
            Path loaded = Path.of(required(o, "--loaded"));
            long seed = Long.parseLong(o.getOrDefault("--seed", "1"));
            // a profile sampled as served holds S ms per sequence per iteration more than the loaded run's (greedy) one
            double sampling = Double.parseDouble(o.getOrDefault("--sampling-ms-per-sequence", "0"));
            double extra = ServedCostsFit.extraMsPerSequence(ServedCostsFit.read(loaded.resolve("measured/steps.csv")),
                    sampling);
            ServedStepCosts fitted = ServedCostsFit.fit(ServedCostsFit.read(probe.resolve("measured-probe/steps.csv")),
                    extra, seed, "compute ratio and round trip: " + probe + "/measured-probe/steps.csv (idle probe);"
                            + " extra per sequence: " + loaded + "/measured/steps.csv"
                            + (sampling > 0 ? " less " + sampling + " ms per sequence sampled" : ""));
            String terms = o.getOrDefault("--terms", "all");
            // one term alone, the others off (for judging each term on its own)
            ServedStepCosts costs = switch (terms) {
                case "all" -> fitted;
                case "extra" -> new ServedStepCosts(extra, List.of(), List.of(), seed, fitted.source() + "; extra only");
                case "ratio" -> new ServedStepCosts(0, fitted.computeRatio(), List.of(), seed,
                        fitted.source() + "; compute ratio only");
                case "trip" -> new ServedStepCosts(0, List.of(), fitted.roundTripMs(), seed,
                        fitted.source() + "; round trip only");
                default -> throw new IllegalArgumentException("--terms: all, extra, ratio or trip, got " + terms);
            };
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(Path.of(required(o, "--out")).toFile(), costs);
            out.printf(Locale.ROOT, "extra %.4f ms per sequence per iteration; compute ratio P10 %.2f P90 %.2f P99"
                    + " %.2f (mean 1); round trip P50 %.3f P90 %.3f P99 %.3f ms -> %s%n", extra,
                    at(fitted.computeRatio(), 0.1), at(fitted.computeRatio(), 0.9), at(fitted.computeRatio(), 0.99),
                    at(fitted.roundTripMs(), 0.5), at(fitted.roundTripMs(), 0.9), at(fitted.roundTripMs(), 0.99),
                    o.get("--out"));
        } else {
            throw new IllegalArgumentException("usage: TailReport analyze RUN_DIR... | speed RUN_DIR | fit --probe RUN_DIR --loaded"
                    + " RUN_DIR [--seed N] [--terms all|extra|ratio|trip] [--sampling-ms-per-sequence S] --out FILE | table SIMULATED_DIR MEASURED_DIR"
                    + " | overhead RUN_DIR | after-prefill RUN_DIR... | prefill-after-prefill RUN_DIR..."
                    + " | probe-level RUN_DIR... | served-before [--warmup] RUN_DIR... | overlap RUN_DIR..."
                    + " | step-excess RUN_DIR... | window-drift RUN_DIR... | window-host RUN_DIR...");
        }
    }

    /** The served costs embedded in the jar. */
    private static ServedStepCosts embeddedCosts() throws IOException {
        try (var in = Validation.embeddedServedCosts()) {
            return Json.mapper().readValue(in, ServedStepCosts.class);
        }
    }

    /** A kept run's replays as {@code validation.json} lists them: its {@code replays}, or the file itself for one. */
    private static List<JsonNode> replays(Path run) throws IOException {
        JsonNode root = Json.mapper().readTree(run.resolve("validation.json").toFile());
        List<JsonNode> replays = new ArrayList<>();
        root.path("replays").forEach(replays::add);
        if (replays.isEmpty()) {
            replays.add(root);
        }
        return replays;
    }

    /**
     * {@code served-before [--warmup] RUN_DIR...}: per replay, its prefill and steady decode speeds over those of the
     * served run before it ({@link ServedBefore#level}, both read alike: steps alone on the host, in the prediction's
     * prefill shape, the extra per sequence as charged), and their geometric means: the served costs' {@code
     * replay_over_served_before_*} (validate's runs: the calibration replay before the first replay, the replay before
     * the later ones; a first replay without a calibration replay is left out) or with {@code --warmup} their {@code
     * replay_over_warmup_*} (demo's {@code planned} folders, the trace beside them: the warm-up's later half).
     */
    private static void servedBefore(List<String> args, PrintStream out) throws IOException {
        boolean warmup = args.get(0).equals("--warmup");
        ServedStepCosts embedded = embeddedCosts();
        double pp = embedded.prefillAfterPrefillRatio();
        double[] logSum = new double[2];
        int[] count = new int[2];
        for (String arg : args.subList(warmup ? 1 : 0, args.size())) {
            Path run = Path.of(arg);
            Path slice = KeptRun.slice(run);
            List<JsonNode> replays = replays(run);
            for (int k = 1; k <= (warmup ? 1 : replays.size()); k++) {
                JsonNode r = replays.get(k - 1);
                ServedBefore before = warmup ? ServedBefore.ofWarmup(Validation.warmupDir(run.resolve("measured")))
                        : ServedBefore.ofValidation(run, k);
                if (before == null) {
                    out.printf(Locale.ROOT, "%s replay %d: no served run before it%n", run, k);
                    continue;
                }
                var probed = r.hasNonNull("prefill_compute_scale_at") ? org.cornserve.model.profile.PrefillScaleCurve
                        .parse(r.get("prefill_compute_scale_at").asText()) : null;
                // the shape the prediction charges: the served steps' before the replay where validate has them
                var curve = warmup ? probed : SpeedTraces.predictionCurve(probed, run, k, slice, pp).curve();
                var shape = SpeedTraces.prefillShape(curve, slice);
                java.util.function.LongToDoubleFunction by = shape == null ? t -> 1 : shape;
                double extra = r.hasNonNull("extra_ms_per_sequence") ? r.get("extra_ms_per_sequence").asDouble()
                        : embedded.extraMsPerSequence();
                double[] was = ServedBefore.level(ServedCostsFit.read(before.steps()), before.fromSeconds(), by,
                        extra, pp);
                double[] ran = ServedBefore.level(ServedCostsFit.read(Validation.replayDir(run.resolve("measured"), k)
                        .resolve("steps.csv")), 0, by, extra, pp);
                double[] ratio = {ran[0] / was[0], ran[1] / was[1]};
                out.printf(Locale.ROOT, "%s replay %d: before prefill %.4f decode %.4f; replay %.4f %.4f; ratio %.4f"
                        + " %.4f%n", run, k, was[0], was[1], ran[0], ran[1], ratio[0], ratio[1]);
                for (int j = 0; j < 2; j++) {
                    if (ratio[j] > 0) {
                        logSum[j] += Math.log(ratio[j]);
                        count[j]++;
                    }
                }
            }
        }
        String field = warmup ? "replay_over_warmup" : "replay_over_served_before";
        out.printf(Locale.ROOT, "%s_prefill %.4f %s_decode %.4f (geometric means over %d and %d replays)%n", field,
                Math.exp(logSum[0] / count[0]), field, Math.exp(logSum[1] / count[1]), count[0], count[1]);
    }

    /**
     * The overhead line of a probe's {@code overhead.csv}: served TTFT less what it spent inside the engine (served
     * less {@code overhead_ms}) against the prompt tokens ({@code prompt_tokens}; {@code text_tokens} in files from
     * before the chat markup was counted).
     */
    static double[] overheadLine(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> h = List.of(lines.get(0).split(",", -1));
        int tokensColumn = h.contains("prompt_tokens") ? h.indexOf("prompt_tokens") : h.indexOf("text_tokens");
        int[] c = {tokensColumn, h.indexOf("served_ttft_ms"), h.indexOf("overhead_ms")};
        if (Arrays.stream(c).anyMatch(i -> i < 0)) {
            throw new IllegalArgumentException(csv + ":1: needs prompt_tokens (or text_tokens), served_ttft_ms and"
                    + " overhead_ms");
        }
        int n = lines.size() - 1;
        double[][] v = new double[3][n];
        for (int i = 0; i < n; i++) {
            String[] f = lines.get(i + 1).split(",", -1);
            try {
                for (int k = 0; k < 3; k++) {
                    v[k][i] = Double.parseDouble(f[c[k]]);
                }
                v[2][i] = v[1][i] - v[2][i]; // inside the engine: served less overhead
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(csv + ":" + (i + 2) + ": bad probe row (" + e.getMessage() + ")", e);
            }
        }
        return Probes.overheadLine(v[0], v[1], v[2]);
    }

    /** The served steps of every replay (validate's measured, measured-2, ...) of the runs {@code args[1..]}. */
    private static List<List<ServedCostsFit.Row>> replaySteps(String[] args) throws IOException {
        List<List<ServedCostsFit.Row>> runs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            Path measured = Path.of(args[i]).resolve("measured");
            for (int k = 1; Files.isDirectory(Validation.replayDir(measured, k)); k++) {
                runs.add(ServedCostsFit.read(Validation.replayDir(measured, k).resolve("steps.csv")));
            }
        }
        return runs;
    }

    private static double at(List<Double> table, double u) {
        return ServedStepCosts.quantileAt(table, u);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        return o;
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null) {
            throw new IllegalArgumentException("fit needs " + name);
        }
        return v;
    }

    private static JsonNode summary(Path dir) throws IOException {
        return Json.mapper().readTree(dir.resolve("summary.json").toFile());
    }

    /** One request of a replay's or a simulation's {@code requests.csv}. */
    record Request(long id, double ttftMs, double tpotMs, double e2eMs, long inputTokens, long outputTokens,
            double arrivalS) {
    }

    static Map<Long, Request> requests(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> h = List.of(lines.get(0).split(",", -1));
        int[] c = {h.indexOf("request_id"), h.indexOf("ttft_ms"), h.indexOf("tpot_ms"), h.indexOf("e2e_ms"),
            h.indexOf("input_tokens"), h.indexOf("output_tokens"), h.indexOf("arrival_ns")};
        int status = h.indexOf("status");
        if (Arrays.stream(c).anyMatch(i -> i < 0)) {
            throw new IllegalArgumentException(csv + ":1: needs request_id, ttft_ms, tpot_ms, e2e_ms, input_tokens,"
                    + " output_tokens and arrival_ns");
        }
        Map<Long, Request> out = new HashMap<>();
        for (int n = 1; n < lines.size(); n++) {
            String[] f = lines.get(n).split(",", -1);
            if (status >= 0 && status < f.length && !f[status].equals("completed")) {
                continue; // a rejected or unfinished request has no latencies
            }
            try {
                out.put(Long.parseLong(f[c[0]]), new Request(Long.parseLong(f[c[0]]), Double.parseDouble(f[c[1]]),
                        Double.parseDouble(f[c[2]]), Double.parseDouble(f[c[3]]), Long.parseLong(f[c[4]]),
                        Long.parseLong(f[c[5]]), Long.parseLong(f[c[6]]) / 1e9));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(csv + ":" + (n + 1) + ": bad request row (" + e.getMessage() + ")",
                        e);
            }
        }
        return out;
    }

    /** The analysis of one kept run. */
    static void analyze(Path run, PrintStream out) throws IOException {
        out.println("## " + run);
        Map<Long, Request> served = requests(run.resolve("measured/requests.csv"));
        Map<Long, Request> simulated = requests(run.resolve("simulated/requests.csv"));
        tailRequests(served, simulated, out);
        confidence(served, out);
        for (String part : List.of("measured-probe", "measured-warmup", "measured")) {
            Path csv = run.resolve(part).resolve("steps.csv");
            if (Files.exists(csv)) {
                steps(part, ServedCostsFit.read(csv), out);
            } else {
                out.println(part + ": no steps.csv kept");
            }
        }
        out.println();
    }

    /** Which requests make the E2E tail (served top 10%), against the rest, with their simulated twins. */
    private static void tailRequests(Map<Long, Request> served, Map<Long, Request> simulated, PrintStream out) {
        List<Request> byE2e = new ArrayList<>(served.values());
        byE2e.sort(Comparator.comparingDouble(Request::e2eMs).reversed());
        int tail = Math.max(1, byE2e.size() / 10);
        out.printf(Locale.ROOT, "requests: %d served, %d simulated (joined by request_id)%n", served.size(),
                simulated.size());
        out.println("| group | n | output tokens (mean) | served E2E | simulated E2E | served TPOT | simulated TPOT |"
                + " served TTFT | simulated TTFT |");
        out.println("|---|---|---|---|---|---|---|---|---|");
        row(out, "served E2E top 10%", byE2e.subList(0, tail), simulated);
        row(out, "the other 90%", byE2e.subList(tail, byE2e.size()), simulated);
        List<Request> byTtft = new ArrayList<>(served.values());
        byTtft.sort(Comparator.comparingDouble(Request::ttftMs).reversed());
        row(out, "served TTFT top 10%", byTtft.subList(0, tail), simulated);
        out.println("served E2E top 10%, one by one (id: output tokens, input tokens, served/simulated E2E, TPOT):");
        StringBuilder sb = new StringBuilder();
        for (Request r : byE2e.subList(0, tail)) {
            Request s = simulated.get(r.id());
            sb.append(String.format(Locale.ROOT, "  %d: %d out, %d in, E2E %.0f/%.0f ms, TPOT %.2f/%.2f ms%n", r.id(),
                    r.outputTokens(), r.inputTokens(), r.e2eMs(), s == null ? Double.NaN : s.e2eMs(), r.tpotMs(),
                    s == null ? Double.NaN : s.tpotMs()));
        }
        out.print(sb);
    }

    /**
     * How well {@code n} requests pin the served P50, P90 and P99 down: the distribution-free 95% interval of each
     * (the order statistics whose ranks bound a Binomial(n, p) count at +-1.96 standard deviations).
     */
    private static void confidence(Map<Long, Request> served, PrintStream out) {
        int n = served.size();
        out.printf(Locale.ROOT, "served percentiles of %d requests with their distribution-free 95%% intervals:%n", n);
        List<ToDoubleFunction<Request>> metrics = List.of(Request::ttftMs, Request::tpotMs, Request::e2eMs);
        List<String> names = List.of("ttft_ms", "tpot_ms", "e2e_ms");
        for (int m = 0; m < metrics.size(); m++) {
            double[] v = served.values().stream().mapToDouble(metrics.get(m)).sorted().toArray();
            StringBuilder sb = new StringBuilder("  " + names.get(m) + ":");
            for (double p : new double[] {0.5, 0.9, 0.99}) {
                double[] ci = Comparison.percentileInterval(v, p);
                sb.append(String.format(Locale.ROOT, " P%d %.2f [%.2f, %.2f] (%+.0f%%, %+.0f%%);",
                        Math.round(p * 100), q(v, p), ci[0], ci[1], 100 * (ci[0] / q(v, p) - 1),
                        100 * (ci[1] / q(v, p) - 1)));
            }
            out.println(sb);
        }
    }

    private static void row(PrintStream out, String name, List<Request> group, Map<Long, Request> simulated) {
        List<Request> twins = group.stream().map(r -> simulated.get(r.id())).filter(java.util.Objects::nonNull)
                .toList();
        out.printf(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.1f | %.2f | %.2f | %.1f | %.1f |%n", name, group.size(),
                mean(group, r -> r.outputTokens()), mean(group, Request::e2eMs), mean(twins, Request::e2eMs),
                mean(group, Request::tpotMs), mean(twins, Request::tpotMs), mean(group, Request::ttftMs),
                mean(twins, Request::ttftMs));
    }

    private static <T> double mean(List<T> list, ToDoubleFunction<T> f) {
        return list.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    /** Served steps by kind and decode batch: compute over the charge, round trip, others computing. */
    private static void steps(String part, List<ServedCostsFit.Row> rows, PrintStream out) {
        out.printf(Locale.ROOT, "%s: %d served LLM steps%n", part, rows.size());
        out.println("| steps | n | compute/charge P50 | P90 | P99 | sum compute / sum charge | round trip ms P50 | P90 |"
                + " P99 | max | others computing (mean) |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        stepRow(out, "with prefill, < 1024 tokens", rows, r -> !r.decodeOnly() && r.prefillTokens() < 1024);
        stepRow(out, "with prefill, >= 1024 tokens", rows, r -> !r.decodeOnly() && r.prefillTokens() >= 1024);
        int maxBatch = rows.stream().mapToInt(ServedCostsFit.Row::decodeSequences).max().orElse(0);
        for (int b = 1; b <= maxBatch; b++) {
            int batch = b;
            stepRow(out, "decode only, " + b + " sequence(s)", rows, r -> r.decodeOnly() && r.decodeSequences() == batch);
        }
        stepRow(out, "decode only, all", rows, ServedCostsFit.Row::decodeOnly);
        long spikes = rows.stream().filter(r -> r.roundTripMs() > 10).count();
        double spikeMs = rows.stream().filter(r -> r.roundTripMs() > 10).mapToDouble(ServedCostsFit.Row::roundTripMs)
                .sum();
        double allTrips = rows.stream().mapToDouble(ServedCostsFit.Row::roundTripMs).sum();
        out.printf(Locale.ROOT, "round trips over 10 ms: %d steps, %.0f ms of %.0f ms of round trips in all;"
                + " extra per delivered sequence (median of (compute - charge) / (iterations x (batch - 1))): %.4f ms%n",
                spikes, spikeMs, allTrips, ServedCostsFit.extraMsPerSequence(rows));
    }

    private static void stepRow(PrintStream out, String name, List<ServedCostsFit.Row> rows,
            Predicate<ServedCostsFit.Row> which) {
        List<ServedCostsFit.Row> g = rows.stream().filter(which).filter(r -> r.simulatedMs() > 0).toList();
        if (g.isEmpty()) {
            return;
        }
        double[] ratio = g.stream().mapToDouble(ServedCostsFit.Row::ratio).sorted().toArray();
        double[] trip = g.stream().mapToDouble(ServedCostsFit.Row::roundTripMs).sorted().toArray();
        out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n", name,
                g.size(), q(ratio, 0.5), q(ratio, 0.9), q(ratio, 0.99),
                g.stream().mapToDouble(ServedCostsFit.Row::computeMs).sum()
                        / g.stream().mapToDouble(ServedCostsFit.Row::simulatedMs).sum(),
                q(trip, 0.5), q(trip, 0.9), q(trip, 0.99), trip[trip.length - 1],
                mean(g, ServedCostsFit.Row::othersComputing));
    }

    /** The order statistic at {@code p} of sorted {@code v} (as the steps summary takes it). */
    private static double q(double[] v, double p) {
        return v[(int) Math.min(v.length - 1, Math.floor(p * v.length))];
    }
}
