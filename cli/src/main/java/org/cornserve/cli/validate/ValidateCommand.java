package org.cornserve.cli.validate;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cornserve.cli.progress.ProgressBar;
import org.cornserve.model.hardware.CpuInfo;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.profile.ProfileBook;
import org.cornserve.runtime.control.DeviceSlots;
import org.cornserve.runtime.control.Runtimes;
import org.cornserve.runtime.control.ServablePlans;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cornserve validate}: the simulator against the real runtime on one trace slice. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Simulate a plan with measured profiles, serve it for real, replay the same trace slice, and"
                + " compare throughput, TTFT, TPOT and end-to-end latency (P50, P90, P99): DIR/validation.json.")
public final class ValidateCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--plan", paramLabel = "PLAN.json", description = "a CPU plan of a tiny model (default: the"
            + " embedded tiny-omni plan, as 'serve' runs it)")
    Path plan;

    @Option(names = "--trace", paramLabel = "TRACE", description = "trace file (required unless --resimulate)")
    Path trace;

    @Option(names = "--resimulate", paramLabel = "RUN", description = {"judge a kept validation again: simulate the"
            + " served replays of RUN (an earlier validate's --out) with this build's model, into --out, serving"
            + " nothing (its trace, plan, profiles, probes' figures, steps and sensor readings are RUN's, copied);"
            + " --calibration-requests 0 leaves its calibration replay out, --no-speed-sensors its sensed speed,"
            + " --served-costs charges other served costs than RUN's, and the trace, plan, profile and serving options"
            + " do not apply"})
    Path resimulate;

    @Option(names = "--trace-format", defaultValue = "jsonl", description = "azure-llm, mooncake, jsonl, ..."
            + " (default ${DEFAULT-VALUE})")
    String traceFormat;

    @Option(names = "--window", paramLabel = "START:END", description = "seconds of the trace to keep")
    String window;

    @Option(names = "--rate", paramLabel = "RPS", description = "rescale arrivals to this rate")
    Double rate;

    @Option(names = "--scale-tokens", paramLabel = "X", description = "multiply text and output tokens by X")
    Double scaleTokens;

    @Option(names = "--max-requests", paramLabel = "N", description = "use the first N requests")
    Long maxRequests;

    @Option(names = "--slo", paramLabel = "ttft=MS,tpot=MS,e2e=MS", description = "latency targets")
    String slo;

    @Option(names = "--profiles", paramLabel = "FILE", arity = "1..*", description = "measured profiles; without"
            + " them the plan's tasks are measured first (profile measure, quick grid)")
    List<Path> profiles = new ArrayList<>();

    @Option(names = "--devices", defaultValue = "cpu:2", description = "device slots (default ${DEFAULT-VALUE})")
    String devices;

    @Option(names = "--warmup-requests", defaultValue = ProbeTraces.WARMUP_REQUESTS, paramLabel = "N", description =
            "send N synthetic requests (short answers, prompts at the slice's quartile lengths and short ones), not"
            + " measured, before the probes and the measured replay, so the server is past its JIT warm-up (0: none;"
            + " default ${DEFAULT-VALUE})")
    long warmupRequests;

    @Option(names = "--probe-scale", defaultValue = "1", paramLabel = "X", description = {"send X (0 to 1) of each"
            + " probe's requests before each replay (idle " + ProbeTraces.PROBES + ", shape " + ProbeTraces.SHAPE_PROBES
            + ", decode " + ProbeTraces.DECODE_PROBES + ", batch " + ProbeTraces.BATCH_PROBE_GROUPS + " groups at 1; at"
            + " least 3, 3, " + Probes.MIN_DECODE_PROBE_REQUESTS + " and 1): quicker probes read the machine's"
            + " speed with more noise; every figure of this project's validations was measured at 1 (default"
            + " ${DEFAULT-VALUE})"})
    double probeScale;

    @Option(names = "--quiet-wait-s", defaultValue = "20", paramLabel = "S", description = "before the calibration"
            + " replay and each replay's probes and replay, wait up to S seconds for a quiet host (under 0.1 busy cores"
            + " over half a second: the serving JVM goes on compiling after a burst of requests), then measure anyway"
            + " and say so (0: after one half-second reading; default ${DEFAULT-VALUE})")
    double quietWaitSeconds;

    @Option(names = "--calibration-requests", defaultValue = ProbeTraces.CALIBRATION_REQUESTS, paramLabel = "N",
            description = {"with the speed sensors: replay N requests of the trace that follow the judged slice (the"
            + " same window and transforms, never judged) after the warm-up, and calibrate the sensed-speed prediction"
            + " on them (the first replay on them alone, the later ones on them and the replays before); needs"
            + " --max-requests to leave requests of the window over, fewer than " + ProbeTraces.MIN_CALIBRATION_REQUESTS
            + " are not replayed (0: none, the warm-up's later half calibrates the first replay; default"
            + " ${DEFAULT-VALUE})"})
    int calibrationRequests;

    @Option(names = "--served-costs", defaultValue = Validation.EMBEDDED_SERVED_COSTS, paramLabel = "FILE|embedded|none",
            description = {"served step costs the simulation charges beyond the profiles (see 'simulate"
            + " --served-costs'): 'embedded' (default) is this machine's measured extra per delivered sequence, round-trip"
            + " tail, decode steps after a prefill, prefills right after one, the steps' spread (drawn, the prediction"
            + " simulating each replay eight times), and the replay's speeds over its probes'"
            + " and over the served run's before it (experiments/validation-tails.md), 'none' turns them off"})
    String servedCosts;

    @Option(names = "--reprofile", description = {"when validate measures the profiles itself: measure them again"
            + " after the replay, print how far the points drifted, and simulate with the point-by-point mean of the"
            + " two (the machine's speed over the run rather than at one moment before it; about a minute more)"})
    boolean reprofile;

    @Option(names = "--replays", defaultValue = "1", paramLabel = "N", description = {"replay the slice N times on"
            + " the same server (one warm-up; probes before each replay, so each is simulated at the speed it met) and"
            + " judge the simulations against the replays pooled: throughput the runs' mean, each percentile over all"
            + " their requests; the table shows every run's own error and the measured range over the runs (replay k"
            + " in measured-k/ and simulated-k/, the first in measured/ and simulated/; default ${DEFAULT-VALUE})"})
    int replays;

    @Option(names = "--speed-sensors", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = {"read the machine's speed through the warm-up and the replays with a reference kernel"
                    + " pinned to each core (Linux, taskset; sensed.csv) and simulate each replay again at it, the served"
                    + " engine calibrated on the runs before it: the 'sensed speed' table (default on; --no-speed-sensors"
                    + " leaves it out)"})
    boolean speedSensors;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    /** What the judging works on: the served replays, the profiles simulated with, the calibration trace, drift. */
    private record Sides(List<Served> runs, Path profiles, Path calibration, ProfileDrift drift) {
    }

    @Override
    public Integer call() throws Exception {
        if (replays < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--replays must be at least 1, got "
                    + replays);
        }
        if (!(probeScale > 0 && probeScale <= 1)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--probe-scale must be in (0, 1], got "
                    + probeScale);
        }
        if (!(quietWaitSeconds >= 0 && quietWaitSeconds <= 3600)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--quiet-wait-s must be in [0, 3600],"
                    + " got " + quietWaitSeconds);
        }
        if (calibrationRequests < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--calibration-requests must be at least 0, got " + calibrationRequests);
        }
        if ((trace == null) == (resimulate == null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), trace == null
                    ? "give --trace (serve and replay it) or --resimulate RUN (judge a kept run again)"
                    : "--resimulate judges the trace RUN replayed: leave --trace out");
        }
        Validation.quietServerLogs();
        PrintWriter pw = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Sides sides;
        if (resimulate != null) {
            Files.createDirectories(out);
            KeptRun kept = KeptRun.copy(resimulate, out, calibrationRequests > 0, speedSensors);
            err.println("simulating the " + kept.runs().size() + " replay(s) kept in " + resimulate + " again with"
                    + " this build's model (nothing served; their probes, steps and sensor readings copied into "
                    + out + ")");
            List<Served> keptRuns = kept.runs();
            if (spec.commandLine().getParseResult().hasMatchedOption("--served-costs")) {
                // judged with other served costs than those RUN charged
                Path costs = Validation.servedCosts(servedCosts, out);
                keptRuns = keptRuns.stream().map(s -> s.withServedCosts(costs)).toList();
            }
            sides = new Sides(keptRuns, kept.profiles(), kept.calibration(), null);
        } else {
            sides = serve(err);
        }
        List<Served> runs = sides.runs();
        Path simulatedProfiles = sides.profiles();
        Path calibration = sides.calibration();
        ProfileDrift drift = sides.drift();
        Path slice = out.resolve("trace.jsonl");
        Path planFile = out.resolve("plan.json");
        List<String> base = new ArrayList<>(List.of("simulate", "--plan", planFile.toString(), "--profiles",
                simulatedProfiles.toString(), "--trace", slice.toString(), "--trace-format", "jsonl"));
        if (slo != null) {
            base.addAll(List.of("--slo", slo));
        }
        List<List<Comparison.Row>> rowsByRun = new ArrayList<>();
        List<List<Comparison.Row>> quietByRun = new ArrayList<>();
        List<List<Comparison.Row>> servedSpeedByRun = new ArrayList<>();
        List<Path> simulatedDirs = new ArrayList<>();
        List<Path> measuredDirs = new ArrayList<>();
        List<Path> servedSpeedDirs = new ArrayList<>();
        List<List<Comparison.Row>> sensedByRun = new ArrayList<>();
        List<Path> sensedDirs = new ArrayList<>();
        List<Served> predictions = new ArrayList<>();
        List<String> predictionNotes = new ArrayList<>();
        for (int k = 1; k <= runs.size(); k++) {
            Served served = runs.get(k - 1);
            Path measured = Validation.replayDir(out.resolve("measured"), k);
            Path simulated = Validation.replayDir(out.resolve("simulated"), k);
            List<String> sim = new ArrayList<>(base);
            sim.addAll(List.of("--out", simulated.toString()));
            // the probes' level in the served steps' shape by length where steps ran before this replay, and the
            // probes' speeds as a loaded replay runs them (the served costs' replay-over-probe ratios)
            SpeedTraces.PredictionCurve curve = SpeedTraces.predictionCurve(served.prefillCurve(), out, k, slice,
                    served.chargedPrefillAfterPrefillRatio());
            Served probed = served.withPrefillCurve(curve.curve()).asProbed(curve.servedShape());
            // and the served run before it (the calibration replay, the replay before): a weighted geometric mean
            ServedBefore.Prediction prediction = ServedBefore.blend(ServedBefore.ofValidation(out, k), probed, slice);
            Served predicted = prediction.served();
            sim.addAll(predicted.predictionArgs());
            predictions.add(predicted);
            predictionNotes.add(Validation.replayOverProbeNote(served, curve.servedShape()) + prediction.note());
            Validation.cornserve(Validation.quiet(), Validation.quiet(), sim.toArray(String[]::new));
            rowsByRun.add(Comparison.compareRuns(simulated, measured));
            quietByRun.add(served.hostLoad().quietRows(simulated.resolve("requests.csv"),
                    measured.resolve("requests.csv"), predicted.predictionPasses()));
            // a diagnosis, not a prediction: the replay again at the speed its own steps ran, window by window, and
            // with their prefill speed by length
            servedSpeedByRun.add(SpeedDiagnosis.atServedSpeed(base, SpeedDiagnosis.forServedSpeed(runs, out, k), out,
                    k));
            simulatedDirs.add(simulated);
            measuredDirs.add(measured);
            servedSpeedDirs.add(Validation.replayDir(out.resolve("simulated-at-served-speed"), k));
            // the machine's speed from its sensors (not the served steps), calibrated on the runs before this replay
            try {
                // the prefill speed by length from the served steps of the runs before, as the calibration
                List<Comparison.Row> sensed = SpeedDiagnosis.atSensedSpeed(base,
                        SpeedDiagnosis.forSensedSpeed(runs, out, k), out, k);
                if (sensed != null) {
                    sensedByRun.add(sensed);
                    sensedDirs.add(Validation.replayDir(out.resolve("simulated-at-sensed-speed"), k));
                }
            } catch (IllegalArgumentException e) {
                err.println("replay " + k + " not simulated at the sensed speed: " + e.getMessage());
            }
        }
        boolean withSensed = sensedByRun.size() == runs.size();
        Served first = runs.get(0);
        List<Comparison.Row> rows = pooledOrOne(rowsByRun, simulatedDirs, measuredDirs);
        List<Comparison.Row> atServedSpeed = pooledOrOne(servedSpeedByRun, servedSpeedDirs, measuredDirs);
        java.util.Map<String, Object> extra = new java.util.LinkedHashMap<>();
        List<Comparison.Row> atSensedSpeed = withSensed ? pooledOrOne(sensedByRun, sensedDirs, measuredDirs) : null;
        if (withSensed) {
            extra.put("rows_at_sensed_speed", atSensedSpeed);
        }
        extra.put("rows_at_served_speed", atServedSpeed);
        if (drift != null) {
            extra.put("profile_drift", drift);
        }
        if (resimulate != null) {
            // served there, not here
            extra.put(ValidationFile.MACHINE_FIELD, ValidationFile.keptMachine(resimulate.resolve("validation.json")));
        } else {
            extra.put("probe_counts", ProbeCounts.scaled(probeScale));
        }
        if (runs.size() > 1) {
            List<java.util.Map<String, Object>> each = new ArrayList<>();
            for (int k = 1; k <= runs.size(); k++) {
                Served served = runs.get(k - 1);
                java.util.Map<String, Object> run = new java.util.LinkedHashMap<>();
                run.put("replay", k);
                run.put("measured", measuredDirs.get(k - 1).toString());
                run.put("simulated", simulatedDirs.get(k - 1).toString());
                run.putAll(served.probedFigures());
                run.put("host_load", served.hostLoad().summary());
                run.put("rows", rowsByRun.get(k - 1));
                if (withSensed) {
                    run.put("rows_at_sensed_speed", sensedByRun.get(k - 1));
                }
                run.put("rows_at_served_speed", servedSpeedByRun.get(k - 1));
                if (!quietByRun.get(k - 1).isEmpty()) {
                    run.put("rows_without_outside_load", quietByRun.get(k - 1));
                }
                each.add(run);
            }
            extra.put("replays", each);
        }
        // with several replays the top level's served figures (overheads, scales, steps, host load) are the first
        // replay's, as "replays" lists them all; "rows" and "rows_at_served_speed" are pooled
        ValidationFile.write(out.resolve("validation.json"), rows, runs.size() == 1 ? quietByRun.get(0) : List.of(),
                first, simulatedProfiles, extra);
        for (int k = 1; k <= runs.size(); k++) {
            Served served = runs.get(k - 1);
            pw.printf(Locale.ROOT, "%ssimulated (measured profiles, prefills and decodes at %.3f and %.3f of them as"
                    + " the probes ran%s, prefills by prompt tokens charged at %s, %.4f ms per extra sequence per"
                    + " decode iteration, %.2f ms + %.4f ms per prompt token per-request overhead, %.3f ms per-step round trip)"
                    + " against served, %s:%n",
                    runs.size() == 1 ? "" : "replay " + k + ": ", served.prefillComputeScale(),
                    served.decodeComputeScale(), predictionNotes.get(k - 1),
                    predictions.get(k - 1).prefillCurve() == null ? "-" : predictions.get(k - 1).prefillCurve(),
                    predictions.get(k - 1).chargedExtraMsPerSequence(), served.overheadMs(),
                    served.overheadMsPerToken(), served.stepOverheadMs(), slice);
            pw.print(Comparison.table(rowsByRun.get(k - 1)));
            pw.print(Comparison.stepsTable(served));
            pw.print(Comparison.hostTable(served, quietByRun.get(k - 1)));
        }
        if (runs.size() > 1) {
            pw.printf(Locale.ROOT, "the %d replays pooled (throughput their mean, each percentile over all their"
                    + " requests), each simulated at the speed its probes met:%n", runs.size());
            pw.print(Comparison.pooledTable(rows, rowsByRun));
        }
        if (withSensed) {
            pw.printf(Locale.ROOT, "simulated at the machine's speed as its sensors read it, decodes %.0f s window by"
                    + " window, prefills at the replay's median (sensed-speed*.json: a reference kernel on every core"
                    + " through the replay; the served engine"
                    + " calibrated on the runs before each replay: %s; nothing of the judged"
                    + " replay's steps), against served%s:%n", SpeedTraces.SPEED_WINDOW_S, calibration != null
                            ? "the calibration replay (measured-calibration/) and the earlier replays"
                            : "the earlier replays, the warm-up for the first", runs.size() == 1 ? "" : ", pooled");
            pw.print(tableOf(atSensedSpeed, sensedByRun));
        }
        pw.printf(Locale.ROOT, "diagnosis, not a prediction: simulated again at the speed the served steps ran, %.0f s"
                + " window by window, with their round trip (served-speed*.json; it reads the judged runs' steps),"
                + " against served%s: what is"
                + " left is the model's error, the rest of the table above the machine's drift:%n",
                SpeedTraces.SPEED_WINDOW_S, runs.size() == 1 ? "" : ", pooled");
        pw.print(tableOf(atServedSpeed, servedSpeedByRun));
        if (drift != null) {
            pw.println(drift.line());
        }
        pw.println("results in " + out + " (validation.json, simulated/, measured/" + (runs.size() == 1 ? ""
                : ", simulated-k/ and measured-k/ for replay k") + ")");
        Served served = first;
        long left = Validation.sharedMemoryFiles(served.session());
        if (left > 0) {
            err.println("warning: " + left + " /dev/shm/cornserve-* file(s) are present after the run");
        }
        return 0;
    }

    /** Cuts the slice, measures the profiles where none are given, serves the plan and replays the slice. */
    private Sides serve(PrintWriter err) throws Exception {
        ResolvedPlan resolved = plan == null ? Runtimes.defaultPlan() : PlanValidator.builtIn().readAndValidate(plan);
        // a plan the runtime cannot serve is refused before the trace is cut or any executor starts
        ServablePlans.require(resolved);
        DeviceSlots slots = DeviceSlots.parse(devices);
        Files.createDirectories(out);
        Path slice = out.resolve("trace.jsonl");
        Validation.cornserve(Validation.quiet(), Validation.quiet(), sliceArgs(trace, traceFormat, window, rate,
                scaleTokens, maxRequests, slice));
        Path planFile = out.resolve("plan.json");
        // the plan as served: the runtime streams an Omni thinker's states to its talker as the plan says, as the
        // simulator does
        resolved.plan().write(planFile);
        CpuInfo.detect().ifPresent(cpu -> err.println("machine: " + cpu.describe()));
        Path profileFile;
        if (profiles.isEmpty()) {
            err.println("measuring the plan's tasks on real executors (quick grid)...");
            ProgressBar bar = new ProgressBar(err, "profile");
            profileFile = Validation.measureProfiles(resolved, slots, out.resolve("profiles.json"), err::println,
                    bar::update);
        } else {
            profileFile = profiles.get(0);
            if (profiles.size() > 1) {
                throw new IllegalArgumentException("validate takes one --profiles file (the plan's model)");
            }
            ValidationFile.profileMachineWarning(profileFile).ifPresent(err::println);
        }
        // compute alone, as the simulation charges it beside the served round trip (simulate --compute-only-profiles)
        ProfileBook book = ProfileBook.load(List.of(profileFile)).computeOnly();
        Path warm = null;
        if (warmupRequests > 0) {
            warm = ProbeTraces.writeWarmupTrace(resolved, book, slice, Math.toIntExact(warmupRequests),
                    out.resolve("warmup.jsonl"));
        }
        Path calibration = calibrationTrace(slice, err);
        Path costs = Validation.servedCosts(servedCosts, out);
        List<Served> runs = Validation.serveAndReplay(resolved, slots, slice, warm, slo, book,
                out.resolve("measured"), new ServeRun(calibration, replays, speedSensors,
                        ProbeCounts.scaled(probeScale), Math.round(quietWaitSeconds * 1000)), err, s -> {
                    err.println(s);
                    err.flush();
                }).stream().map(s -> s.withServedCosts(costs)).toList();
        Path simulatedProfiles = profileFile;
        ProfileDrift drift = null;
        if (profiles.isEmpty() && reprofile) {
            // the served plan's executors are stopped: the profiler has the slots to itself, as before the replay
            err.println("measuring the plan's tasks again after the replay...");
            ProgressBar bar = new ProgressBar(err, "profile");
            Path after = Validation.measureProfiles(resolved, slots, out.resolve("profiles-after.json"), err::println,
                    bar::update);
            var b = Json.read(profileFile, org.cornserve.model.profile.ProfileSet.class);
            var a = Json.read(after, org.cornserve.model.profile.ProfileSet.class);
            drift = ProfileDrift.of(b, a);
            simulatedProfiles = out.resolve("profiles-mean.json");
            Json.write(simulatedProfiles, ProfileDrift.mean(b, a));
        }
        return new Sides(runs, simulatedProfiles, calibration, drift);
    }

    /**
     * The calibration replay's trace ({@link ProbeTraces#writeCalibrationTrace}, {@code calibration.jsonl}), or null
     * where none runs: without sensors or a warm-up, with {@code --calibration-requests 0}, or where the window holds
     * too few requests beyond the judged slice (said on {@code err}).
     */
    private Path calibrationTrace(Path slice, PrintWriter err) throws java.io.IOException {
        if (calibrationRequests == 0 || !speedSensors || warmupRequests <= 0) {
            return null;
        }
        if (maxRequests == null) {
            err.println("no calibration replay: the judged slice holds every request of the window (--max-requests"
                    + " leaves some over); the warm-up calibrates the sensed speed");
            return null;
        }
        Path longer = out.resolve("trace-and-calibration.jsonl");
        Validation.cornserve(Validation.quiet(), Validation.quiet(), sliceArgs(trace, traceFormat, window, rate,
                scaleTokens, maxRequests + calibrationRequests, longer));
        Path calibration = out.resolve("calibration.jsonl");
        int n = ProbeTraces.writeCalibrationTrace(longer, slice, calibrationRequests, calibration);
        Files.delete(longer);
        if (n == 0) {
            err.println("no calibration replay: the window holds fewer than " + ProbeTraces.MIN_CALIBRATION_REQUESTS
                    + " requests beyond the judged slice; the warm-up calibrates the sensed speed");
            return null;
        }
        err.println("calibration replay: " + n + " requests of the trace after the judged slice (" + calibration
                + "), not judged");
        return calibration;
    }

    /** One replay's rows, or the replays' pooled ({@link Comparison#pooled}). */
    private static List<Comparison.Row> pooledOrOne(List<List<Comparison.Row>> byReplay, List<Path> simulated,
            List<Path> measured) throws java.io.IOException {
        return byReplay.size() == 1 ? byReplay.get(0) : Comparison.pooled(simulated, measured);
    }

    /** One replay's table, or the pooled one with each replay's error beside it. */
    private static String tableOf(List<Comparison.Row> rows, List<List<Comparison.Row>> byReplay) {
        return byReplay.size() == 1 ? Comparison.table(rows) : Comparison.pooledTable(rows, byReplay);
    }

    /** {@code trace transform} arguments for the slice. */
    static String[] sliceArgs(Path trace, String format, String window, Double rate, Double scaleTokens,
            Long maxRequests, Path slice) {
        List<String> a = new ArrayList<>(List.of("trace", "transform", trace.toString(), "--format", format));
        if (window != null) {
            a.addAll(List.of("--window", window));
        }
        if (rate != null) {
            a.addAll(List.of("--rate", Double.toString(rate)));
        }
        if (scaleTokens != null) {
            a.addAll(List.of("--scale-tokens", Double.toString(scaleTokens)));
        }
        if (maxRequests != null) {
            a.addAll(List.of("--first", Long.toString(maxRequests)));
        }
        a.addAll(List.of("--out", slice.toString()));
        return a.toArray(String[]::new);
    }
}
