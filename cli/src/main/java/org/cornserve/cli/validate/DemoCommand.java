package org.cornserve.cli.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cornserve.cli.progress.ProgressBar;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.profile.ProfileBook;
import org.cornserve.runtime.control.DeviceSlots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cornserve demo}: the whole loop on this machine. Plans the tiny Omni model for this machine's CPU slots
 * (Cornserve's search, a prefill/decode split among its candidates, and the paper's fixed monolith as the baseline)
 * on one window of the Azure conversation trace, measures the tasks' profiles on real executors, simulates both plans
 * on a later, disjoint window, serves the plan for real, replays that window open-loop, and prints planned against
 * baseline and simulated against measured; then draws the figures.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Plan, simulate, serve and replay the tiny Omni model on this machine: planned against baseline,"
                + " simulated against measured, with figures (about three minutes).")
public final class DemoCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--trace", paramLabel = "CSV", description = "the Azure conversation trace (default: found in"
            + " shared/traces beside the clone)")
    Path trace;

    @Option(names = "--devices", defaultValue = "cpu:2", description = "device slots (default ${DEFAULT-VALUE})")
    String devices;

    @Option(names = "--rate", defaultValue = "4", paramLabel = "RPS", description = "replay rate (default"
            + " ${DEFAULT-VALUE} req/s, a moderate load for the default plan here)")
    double rate;

    @Option(names = "--seconds", defaultValue = "30", paramLabel = "S", description = "seconds of replay (default"
            + " ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--scale-tokens", defaultValue = "0.25", paramLabel = "X", description = "prompt and output"
            + " lengths times X: the trace's mix sized for a CPU (default ${DEFAULT-VALUE})")
    double scaleTokens;

    @Option(names = "--slo", defaultValue = "ttft=500,tpot=50", description = "latency targets (default"
            + " ${DEFAULT-VALUE})")
    String slo;

    @Option(names = "--profiles", paramLabel = "FILE", description = "measured profiles to use instead of measuring")
    Path profiles;

    @Option(names = "--served-costs", defaultValue = Validation.EMBEDDED_SERVED_COSTS, paramLabel = "FILE|embedded|none",
            description = {"served step costs the simulation charges beyond the profiles (see 'simulate"
            + " --served-costs'): 'embedded' (default) is this machine's measured extra per delivered sequence, round-trip"
            + " tail, decode steps after a prefill, host slowdown, the steps' spread (drawn, the slice simulated"
            + " eight times), and the replay's speeds over its probes' and its warm-up's"
            + " (experiments/validation-tails.md), 'none' turns them off"})
    String servedCosts;

    @Option(names = "--out", defaultValue = "results/demo", paramLabel = "DIR", description = "output folder (default"
            + " ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--resimulate", paramLabel = "DEMO_OUT", description = "judge an earlier demo's served replay"
            + " again with this build's model: nothing is served; its plans, profiles, probes and steps are copied into"
            + " --out, and the served costs it charged are charged unless --served-costs is given")
    Path resimulate;

    /** With {@code --resimulate}: the machine the kept demo was served on, as it recorded it; else null (this one). */
    private JsonNode keptMachine;

    @Override
    public Integer call() throws Exception {
        Validation.quietServerLogs();
        long t0 = System.nanoTime();
        PrintWriter err = spec.commandLine().getErr();
        if (resimulate != null) {
            return resimulate(err, t0);
        }
        Path csv = trace != null ? trace : defaultTrace();
        DeviceSlots slots = DeviceSlots.parse(devices);
        Files.createDirectories(out);
        ProgressBar stages = new ProgressBar(err, "demo");
        int total = 6;
        // The Azure conversation trace runs at about 4.6 req/s: the planning window is the first minute, the
        // measured window a later one, rescaled to --rate and cut to --seconds.
        double window = seconds * rate / 4.6 * 1.1;
        Path planSlice = out.resolve("plan-window.jsonl");
        Path slice = out.resolve("trace.jsonl");
        stages.update(0, total, "cutting the trace: planning window 0-60 s, measured window from 120 s");
        Validation.cornserve(Validation.quiet(), Validation.quiet(), "trace", "transform", csv.toString(), "--format", "azure-llm",
                "--window", "0:60", "--rate", fmt(rate), "--scale-tokens", fmt(scaleTokens), "--out",
                planSlice.toString());
        Validation.cornserve(Validation.quiet(), Validation.quiet(), "trace", "transform", csv.toString(), "--format", "azure-llm",
                "--window", "120:" + fmt(120 + window), "--rate", fmt(rate), "--scale-tokens", fmt(scaleTokens),
                "--first", Long.toString(Math.round(seconds * rate)), "--out", slice.toString());

        Path planned = out.resolve("planned");
        Path baseline = out.resolve("baseline");
        Files.createDirectories(planned);
        Files.createDirectories(baseline);
        List<Path> profileFiles = new ArrayList<>();
        if (profiles != null) {
            ValidationFile.profileMachineWarning(profiles).ifPresent(err::println);
            profileFiles.add(profiles);
        } else {
            // the LLM first, at every device count, so that the planner's estimate and ranking use measured costs
            stages.update(1, total, "measuring the LLM on real executors");
            profileFiles.add(Validation.measureTasks("tiny-omni", java.util.Set.of("tiny-omni/llm"), slots.count(),
                    slots, out.resolve("profiles.json"), s -> { }, new ProgressBar(err, "  profiling")::update));
        }
        stages.update(2, total, "planning tiny-omni for " + slots.count() + " cpu slot(s) with the measured profiles:"
                + " cornserve and the fixed monolith");
        String gpus = Integer.toString(slots.count());
        plan("cornserve", planned, gpus, planSlice, profileFiles);
        plan("monolithic-fixed", baseline, gpus, planSlice, profileFiles);
        ResolvedPlan plan = PlanValidator.builtIn().readAndValidate(planned.resolve("plan.json"));
        // the demo serves what it planned, a prefill/decode split too
        java.util.Set<String> unmeasured = new java.util.TreeSet<>(Validation.deployedTasks(plan));
        if (profiles == null) {
            unmeasured.remove("tiny-omni/llm");
        } else {
            unmeasured.clear();
        }
        if (!unmeasured.isEmpty()) {
            int devices = plan.deployments().stream().mapToInt(d -> d.deployment().devicesPerReplica()).max().orElse(1);
            profileFiles.add(Validation.measureTasks("tiny-omni", unmeasured, devices, slots,
                    out.resolve("profiles-more.json"), s -> { }, new ProgressBar(err, "  profiling")::update));
        }
        // compute alone, as the simulation charges it beside the served round trip (simulate --compute-only-profiles)
        ProfileBook book = ProfileBook.load(profileFiles).computeOnly();

        stages.update(3, total, "serving the plan: " + ProbeTraces.WARMUP_REQUESTS + " synthetic warm-up requests,"
                + " then " + Math.round(seconds * rate) + " requests at " + fmt(rate) + " req/s");
        Path warm = ProbeTraces.writeWarmupTrace(plan, book, planSlice, ProbeTraces.WARMUP_REQUEST_COUNT,
                out.resolve("warmup.jsonl"));
        Path costs = Validation.servedCosts(servedCosts, out);
        Served served = Validation.serveAndReplay(plan, slots, slice, warm, slo, book,
                planned.resolve("measured"), ServeRun.ONCE, Validation.quiet(), s -> { }).get(0).withServedCosts(costs);
        judge(served, planned, baseline, slice, profileFiles, stages, t0, "window: " + Math.round(seconds * rate)
                + " requests of the Azure conversation trace at " + fmt(rate) + " req/s, tokens x" + fmt(scaleTokens));
        return 0;
    }

    /**
     * {@code demo --resimulate DEMO_OUT}: the kept demo's served replay judged again with this build's model. Its
     * plans, trace slice, profiles, probes and steps are copied into {@code --out} (DEMO_OUT is only read) and both
     * plans simulated again as the demo simulates them, with the served costs it charged unless {@code --served-costs}
     * is given; nothing is served or measured.
     */
    private Integer resimulate(PrintWriter err, long t0) throws Exception {
        Path keptPlanned = resimulate.resolve("planned");
        if (!Files.isRegularFile(keptPlanned.resolve("validation.json"))) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--resimulate " + resimulate
                    + ": no planned/validation.json there; give an earlier demo's --out");
        }
        Files.createDirectories(out);
        if (Files.isSameFile(resimulate, out)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--resimulate " + resimulate
                    + ": give another --out (the kept demo is read, never written)");
        }
        for (String name : List.of("trace.jsonl", "plan-window.jsonl", "warmup.jsonl", "profiles.json",
                "profiles-more.json")) {
            if (Files.isRegularFile(resimulate.resolve(name))) {
                Files.copy(resimulate.resolve(name), out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path planned = out.resolve("planned");
        Path baseline = out.resolve("baseline");
        Files.createDirectories(planned);
        Files.createDirectories(baseline);
        Files.copy(resimulate.resolve("baseline/plan.json"), baseline.resolve("plan.json"),
                StandardCopyOption.REPLACE_EXISTING);
        KeptRun kept = KeptRun.copy(keptPlanned, planned, false, false);
        keptMachine = ValidationFile.keptMachine(keptPlanned.resolve("validation.json"));
        Served served = kept.runs().get(0);
        if (spec.commandLine().getParseResult().hasMatchedOption("--served-costs")) {
            served = served.withServedCosts(Validation.servedCosts(servedCosts, out));
        }
        // its profiles as copied where the demo measured them (else the file it was given, still there)
        List<Path> profileFiles = new ArrayList<>(List.of(Files.isRegularFile(out.resolve("profiles.json"))
                ? out.resolve("profiles.json") : kept.profiles()));
        if (Files.isRegularFile(out.resolve("profiles-more.json"))) {
            profileFiles.add(out.resolve("profiles-more.json"));
        }
        err.println("simulating the demo kept in " + resimulate + " again with this build's model (nothing served;"
                + " its plans, probes and steps copied into " + out + ")");
        judge(served, planned, baseline, out.resolve("trace.jsonl"), profileFiles, new ProgressBar(err, "demo"), t0,
                "window: the kept demo's " + Files.readAllLines(out.resolve("trace.jsonl")).stream()
                        .filter(l -> !l.isBlank()).count() + " requests (" + resimulate.resolve("trace.jsonl") + ")");
        return 0;
    }

    /** Simulates both plans on the slice, compares the planned one with what was served, prints, draws. */
    private void judge(Served served, Path planned, Path baseline, Path slice, List<Path> profileFiles,
            ProgressBar stages, long t0, String window) throws Exception {
        PrintWriter pw = spec.commandLine().getOut();
        int total = 6;
        Path profileFile = profileFiles.get(0);
        stages.update(4, total, "simulating both plans on the same window");
        // no served steps of the trace's kind before the one replay: the probes' own prefill curve, decodes as a
        // loaded replay runs them, blended with the warm-up's later half (ServedBefore)
        ServedBefore.Prediction prediction = PredictedReplay.of(served, planned.resolve("measured"), slice);
        for (Path dir : List.of(planned, baseline)) {
            Validation.cornserve(Validation.quiet(), Validation.quiet(), PredictedReplay.simulateArgs(prediction,
                    dir.resolve("plan.json"), slice, slo, null, profileFiles, dir.resolve("simulated"))
                    .toArray(String[]::new));
        }
        // each a prediction of one replay: a percentile the median over the passes of each pass's own
        JsonNode simPlanned = PassPercentiles.summary(planned.resolve("simulated"));
        JsonNode simBaseline = PassPercentiles.summary(baseline.resolve("simulated"));
        JsonNode measured = read(planned.resolve("measured/summary.json"));
        List<Comparison.Row> rows = Comparison.withServedIntervals(Comparison.compare(simPlanned, measured),
                planned.resolve("measured/requests.csv"));
        List<Comparison.Row> quiet = served.hostLoad().quietRows(planned.resolve("simulated/requests.csv"),
                planned.resolve("measured/requests.csv"), prediction.served().predictionPasses());
        ValidationFile.write(planned.resolve("validation.json"), rows, quiet, served, profileFile,
                keptMachine == null ? java.util.Map.of() : java.util.Map.of(ValidationFile.MACHINE_FIELD, keptMachine));

        stages.update(5, total, "drawing the figures");
        Validation.cornserve(Validation.quiet(), Validation.quiet(), "plot", out.toString());
        stages.update(6, total, "");

        pw.printf(Locale.ROOT, "%nplanned: %s%nbaseline: %s%n", describe(planned.resolve("plan.json")),
                describe(baseline.resolve("plan.json")));
        if (keptMachine == null) {
            org.cornserve.model.hardware.CpuInfo.detect().ifPresent(c -> pw.println("machine: " + c.describe()));
        } else if (keptMachine.has("identity")) {
            pw.println("served on: " + keptMachine.path("identity").asText());
        }
        pw.printf(Locale.ROOT, "%s; SLO %s;"
                + " per-request overhead %.2f ms + %.4f ms per prompt token, per-step round trip %.3f ms, prefills and"
                + " decodes at %.3f and %.3f of the profile%s (prefills by prompt tokens at %s), %.4f ms per extra"
                + " sequence per decode iteration (measured on a decode probe's streamed requests: served TTFT less"
                + " their prefill's compute and the round trip; busy less compute of its steps; the idle and shape"
                + " probes' prefills' compute, the decode probe's; the batch probe's steps of several sequences)%n%n",
                window, slo, served.overheadMs(),
                served.overheadMsPerToken(), served.stepOverheadMs(), served.prefillComputeScale(),
                served.decodeComputeScale(), Validation.replayOverProbeNote(served, false, true) + prediction.note(),
                served.prefillCurve() == null ? "-" : served.prefillCurve(),
                prediction.served().chargedExtraMsPerSequence());
        pw.printf("%-16s %14s %14s %14s %9s  %s%n", "metric", "baseline (sim)", "planned (sim)", "planned (real)",
                "sim err", "real's 95% interval");
        for (Comparison.Row row : rows) {
            String m = row.metric();
            double b = Comparison.value(simBaseline, m);
            double p = Comparison.value(simPlanned, m);
            double r = Comparison.value(measured, m);
            pw.printf(Locale.ROOT, "%-16s %14.2f %14.2f %14.2f %+8.1f%%  %s%n", m, b, p, r,
                    r == 0 ? 0 : 100 * (p - r) / r, row.measuredLow() == null ? "" : Comparison.interval(row)
                            + (row.withinInterval() ? " (sim within)" : " (sim outside)"));
        }
        pw.printf(Locale.ROOT, "%-16s %14.3f %14.3f %14.3f%n", "slo_attainment", simBaseline.path("slo_attainment")
                .asDouble(), simPlanned.path("slo_attainment").asDouble(), measured.path("slo_attainment").asDouble());
        pw.printf("%n%s", Comparison.stepsTable(served));
        pw.print(Comparison.hostTable(served, quiet));
        long left = Validation.sharedMemoryFiles(served.session());
        pw.printf(Locale.ROOT, "%nresults and figures in %s (plots/); %.0f s in all%s%n", out,
                (System.nanoTime() - t0) / 1e9, left > 0 ? "; warning: " + left + " /dev/shm/cornserve-* file(s) left"
                        : "");
    }

    /** {@code cornserve plan} of tiny-omni with {@code strategy} into {@code dir/plan.json}. */
    private void plan(String strategy, Path dir, String gpus, Path planSlice, List<Path> profileFiles) {
        List<String> args = new ArrayList<>(List.of("plan", "--model", "tiny-omni", "--hardware", "cpu", "--gpus",
                gpus, "--trace", planSlice.toString(), "--slo", slo, "--strategy", strategy, "--out",
                dir.resolve("plan.json").toString(), "--profiles"));
        profileFiles.forEach(f -> args.add(f.toString()));
        Validation.cornserve(Validation.quiet(), Validation.quiet(), args.toArray(String[]::new));
    }

    private static JsonNode read(Path file) throws java.io.IOException {
        return Json.mapper().readTree(file.toFile());
    }

    static String describe(Path planFile) throws java.io.IOException {
        JsonNode plan = read(planFile);
        List<String> parts = new ArrayList<>();
        for (JsonNode d : plan.path("deployments")) {
            parts.add(d.path("tasks").toString().replace("\"", "") + " x" + d.path("replicas").asInt() + " on "
                    + d.path("devices_per_replica").asInt() + " slot(s)");
        }
        return plan.path("strategy").asText() + ": " + String.join(", ", parts) + ranking(plan.path("explanation"));
    }

    /**
     * How far ahead of the next plan the search ranked this one (its explanation's simulated capacity on the planning
     * window against its first runner-up's), or "" where the plan has no such ranking: a plan chosen by a hair on the
     * profiles measured that minute may be another on the next run.
     */
    static String ranking(JsonNode explanation) {
        double chosen = explanation.path("measured_capacity_rps").asDouble(0);
        JsonNode next = explanation.path("runners_up").path(0);
        double second = next.path("measured_capacity_rps").asDouble(0);
        if (!(chosen > 0) || !(second > 0)) {
            return "";
        }
        return String.format(Locale.ROOT, " (ranked first at %.1f req/s of simulated capacity on the planning window;"
                + " next %s at %.1f, %.1f%% lower)", chosen, next.path("plan").asText(), second,
                100 * (chosen - second) / chosen);
    }

    private static String fmt(double v) {
        return org.cornserve.cli.experiment.ExperimentRunner.fmt(v);
    }

    /** The Azure conversation trace in {@code shared/traces}, above the working directory or the jar. */
    static Path defaultTrace() {
        return org.cornserve.experiments.headline.HeadlineWorkloads.sharedRoot()
                .resolve("shared/traces/AzureLLMInferenceTrace_conv.csv");
    }
}
