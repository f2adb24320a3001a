package org.cornserve.cli.profile;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.cornserve.cli.catalog.HardwareFileOption;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.ResolvedPlan;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cornserve profile calibrate --requests FILE --plan P --out HW.json}: fits a hardware kind's compute and
 * memory-bandwidth efficiencies and per-iteration overhead to a measured run ({@link Calibration}) and writes the
 * kind, with its sources saying so, as a hardware file for {@code --hardware-file}. Several runs of one kind
 * ({@code --requests A --plan PA --requests B --plan PB}, or {@code --bench} files, each run with its own plan where
 * they differ) get one joint fit: a picocli argument group per run, so a {@code --plan} goes with the file beside it.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"Fit a GPU kind's efficiencies and per-iteration overhead to measured runs' per-request"
                + " timestamps, by replaying the runs in the simulator.",
            "Several runs (repeat --requests or --bench, each with its own --plan where their engine settings differ)"
                + " get one fit to all of them: one run rarely pins down both the memory bandwidth and the overhead.",
            "Requests: CSV or JSON Lines with arrival_time, first_token_time, last_token_time, input_tokens,"
                + " output_tokens (optional: request_id, queued_time, scheduled_time; vLLM's names such as"
                + " first_token_ts and num_generation_tokens are read too); times in seconds.",
            "Or --bench: result JSONs of vllm bench serve --save-result (per-request with --save-detailed), replayed"
                + " as the client sent them (max_concurrency, request_rate) and fitted to their statistics;"
                + " --validate names runs kept out of the fit, reported before and after."})
public final class ProfileCalibrateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One measured run on the command line: its file, and the plan that served it where the runs' plans differ. */
    static final class RunOption {
        @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        RunFile file;

        @Option(names = "--plan", paramLabel = "PLAN.json",
                description = "The plan the run was served by: once for all the runs, or beside each run's file when"
                        + " their engine settings differ; every plan must run the kind being fitted.")
        Path plan;

        Path path() {
            return file.requests != null ? file.requests : file.bench != null ? file.bench : file.validate;
        }
    }

    /** A run's file: what kind of measurement it is, and whether the fit sees it. */
    static final class RunFile {
        @Option(names = "--requests", paramLabel = "FILE",
                description = "Measured per-request timestamps (repeatable: one fit to all the runs).")
        Path requests;

        @Option(names = "--bench", paramLabel = "RESULT.json",
                description = "vllm bench serve --save-result JSON to fit to (repeatable; instead of --requests).")
        Path bench;

        @Option(names = "--validate", paramLabel = "RESULT.json",
                description = "vllm bench serve --save-result JSON kept out of the fit, reported before and after"
                        + " (repeatable).")
        Path validate;
    }

    /** The runs, in command-line order; see {@link #currentRuns}. */
    @CommandLine.ArgGroup(exclusive = false, multiplicity = "1..*")
    List<RunOption> runs = new ArrayList<>();

    @Option(names = "--fit-statistics", defaultValue = ".*", paramLabel = "REGEX",
            description = "With --bench: fit only to the statistics whose vLLM key matches (e.g. '.*(tpot|e2el).*|request_throughput');"
                    + " all are reported (default: all).")
    String fitStatistics;

    @CommandLine.Mixin
    BenchRunOptions runOptions = new BenchRunOptions();

    @Option(names = "--fit-front-end",
            description = "With --bench: after the efficiencies, fit the server's front-end cost per prompt token"
                    + " (0 to " + BenchCalibration.MAX_FRONT_END_US + " us) to the runs' TTFT statistics; both"
                    + " columns of the tables then include it. It is printed, not written to --out (it is the"
                    + " server's, not the GPU's): pass it to profile replay with --front-end-us-per-token.")
    boolean fitFrontEnd;

    @Option(names = "--hardware", description = "Kind to fit (default: the plan's only hardware kind).")
    String hardware;

    @Option(names = "--hold-back", defaultValue = "0.2",
            description = "Fraction of requests kept out of the fit to report its error on (default ${DEFAULT-VALUE}).")
    double holdBack;

    @Option(names = "--max-evaluations", defaultValue = "200",
            description = "Most simulations of the run the optimiser may use (default ${DEFAULT-VALUE}).")
    int maxEvaluations;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the hold-back choice (default ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Mixin
    HardwareFileOption hardwareFile = new HardwareFileOption();

    @Option(names = "--out", required = true, paramLabel = "HW.json", description = "Hardware file to write.")
    Path out;

    /** A run on the command line with the plan that served it, read and validated. */
    private record Planned(RunOption run, Path planFile, ResolvedPlan plan) {}

    /**
     * The runs of this parse: picocli 4.7 appends a repeated group's instances to the same list on every parse of a
     * reused command line (tests reuse one), so they are the last ones, one per run-file option given.
     */
    private void currentRuns() {
        long given = spec.commandLine().getParseResult().originalArgs().stream()
                .filter(a -> RUN_FILE_OPTIONS.contains(a.split("=", 2)[0])).count();
        runs = new ArrayList<>(runs.subList(Math.max(0, runs.size() - (int) given), runs.size()));
    }

    private static final java.util.Set<String> RUN_FILE_OPTIONS = java.util.Set.of("--requests", "--bench", "--validate");

    @Override
    public Integer call() throws Exception {
        currentRuns();
        boolean anyRequests = runs.stream().anyMatch(r -> r.file.requests != null);
        boolean anyBench = runs.stream().anyMatch(r -> r.file.bench != null);
        boolean anyValidate = runs.stream().anyMatch(r -> r.file.validate != null);
        if (anyRequests && (anyBench || anyValidate)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give either --requests (per-request timestamps) or --bench (vllm bench serve results), not both");
        }
        if (anyValidate && !anyBench) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--validate goes with --bench");
        }
        List<Planned> planned = planned();
        String kind = null;
        for (Planned p : planned) {
            String k = kindToFit(p.plan(), hardware, hardwareFile, p.planFile());
            if (kind != null && !kind.equals(k)) {
                throw new IllegalArgumentException("run " + p.run().path() + ": its plan " + p.planFile() + " runs on "
                        + k + ", but run " + planned.get(0).run().path() + " (plan " + planned.get(0).planFile()
                        + ") on " + kind + "; one fit is for one GPU kind");
            }
            kind = k;
            String fitted = k;
            if (p.plan().deployments().stream().noneMatch(d -> d.hardware().name().equals(fitted))) {
                throw new IllegalArgumentException("run " + p.run().path() + ": its plan " + p.planFile()
                        + " deploys nothing on " + k + ", the kind being fitted");
            }
        }
        if (anyBench) {
            return fitBench(planned, kind);
        }
        List<Calibration.Run> measured = new ArrayList<>();
        for (Planned p : planned) {
            Path file = p.run().path();
            measured.add(new Calibration.Run(file.toString(), p.plan().plan(), MeasuredRun.read(file)));
        }
        Calibration.JointFit fit = new Calibration(planned.get(0).plan().plan(), hardwareFile.catalog(), kind, seed,
                holdBack, maxEvaluations).fitJoint(measured);
        boolean one = measured.size() == 1;
        int total = measured.stream().mapToInt(r -> r.requests().size()).sum();
        StringBuilder heldBack = new StringBuilder();
        for (Calibration.RunFit r : fit.runs()) {
            heldBack.append(heldBack.isEmpty() ? "" : "; ").append(one ? "" : r.source() + ": ")
                    .append(r.heldBackErrors().requests()).append(" held back; held-back error ")
                    .append(r.heldBackErrors());
        }
        String runFiles = one ? measured.get(0).source() : measured.stream().map(Calibration.Run::source).toList().toString();
        Hardware calibrated = write(fit.hardware(), String.format(Locale.ROOT, "MEASURED: fitted by cornserve profile"
                + " calibrate to %s on plan %s (%d requests, %s)", runFiles, planFiles(planned), total, heldBack));
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf(Locale.ROOT, "%s fitted to %d requests%s in %d simulations: compute %.3f, memory bandwidth %.3f,"
                + " iteration overhead %.3f ms -> %s%n", kind, total, one ? "" : " of " + measured.size() + " runs",
                fit.evaluations(), calibrated.efficiency().compute(), calibrated.efficiency().memoryBandwidth(),
                calibrated.efficiency().iterationOverheadMs(), out);
        String indent = one ? "  " : "    ";
        for (Calibration.RunFit r : fit.runs()) {
            if (!one) {
                pw.printf("  run %s:%n", r.source());
            }
            pw.printf("%sfit requests, before: %s%n", indent, r.fitErrorsBefore());
            pw.printf("%sfit requests, after:  %s%n", indent, r.fitErrors());
            pw.printf("%sheld back, before:    %s%n", indent, r.heldBackErrorsBefore());
            pw.printf("%sheld back, after:     %s%n", indent, r.heldBackErrors());
        }
        pw.flush();
        return 0;
    }

    /**
     * Each run with its plan, each plan file read and validated once: a run without {@code --plan} takes the only one
     * given; with several, every run names its own.
     */
    private List<Planned> planned() {
        List<Path> planFiles = runs.stream().map(r -> r.plan).filter(Objects::nonNull).distinct().toList();
        if (planFiles.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--plan=PLAN.json'");
        }
        Map<Path, ResolvedPlan> resolved = new HashMap<>();
        List<Planned> out = new ArrayList<>();
        for (RunOption r : runs) {
            if (r.plan == null && planFiles.size() > 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "run " + r.path() + " has no --plan; with"
                        + " several plans (" + planFiles + ") every run names its own");
            }
            Path planFile = r.plan == null ? planFiles.get(0) : r.plan;
            out.add(new Planned(r, planFile,
                    resolved.computeIfAbsent(planFile, f -> hardwareFile.validator().readAndValidate(f))));
        }
        return out;
    }

    /** The plan file, or the distinct plan files in order. */
    private static String planFiles(List<Planned> planned) {
        List<String> files = planned.stream().map(p -> p.planFile().toString()).distinct().toList();
        return files.size() == 1 ? files.get(0) : files.toString();
    }

    /** The kind named by {@code --hardware}, else the plan's only kind. */
    static String kindToFit(ResolvedPlan resolved, String hardware, HardwareFileOption files, Path plan) {
        if (hardware != null) {
            return files.catalog().get(hardware).name();
        }
        List<String> kinds = resolved.deployments().stream().map(d -> d.hardware().name()).distinct().toList();
        if (kinds.size() != 1) {
            throw new IllegalArgumentException("plan " + plan + " uses hardware " + kinds + "; name the kind with --hardware");
        }
        return kinds.get(0);
    }

    /** Writes {@code fitted} with its three fitted values' sources set to {@code how}; returns what it wrote. */
    private Hardware write(Hardware fitted, String how) throws java.io.IOException {
        Map<String, String> sources = new TreeMap<>(fitted.sources());
        sources.put("efficiency.compute", how);
        sources.put("efficiency.memory_bandwidth", how);
        sources.put("efficiency.iteration_overhead_ms", how);
        Hardware calibrated = fitted.withEfficiency(fitted.efficiency(), sources);
        Json.write(out, new HardwareCatalog.File(List.of(calibrated)));
        return calibrated;
    }

    private int fitBench(List<Planned> planned, String kind) throws Exception {
        List<BenchRun> fitRuns = new ArrayList<>();
        List<BenchRun> heldRuns = new ArrayList<>();
        List<Path> bench = new ArrayList<>();
        List<Path> validate = new ArrayList<>();
        BenchCalibration calibration = new BenchCalibration(planned.get(0).plan().plan(), hardwareFile.catalog(), kind,
                seed, maxEvaluations).fitting(fitStatistics).oneServer(runOptions.oneServer())
                .frontEnd(runOptions.frontEnd());
        for (Planned p : planned) {
            boolean fitted = p.run().file.bench != null;
            BenchRun run = runOptions.read(List.of(p.run().path())).get(0);
            (fitted ? fitRuns : heldRuns).add(run);
            (fitted ? bench : validate).add(p.run().path());
            calibration.servedBy(run, p.plan().plan());
        }
        BenchCalibration.Fit fit = calibration.fit(fitRuns);
        BenchReplay.FrontEnd frontEnd = null;
        if (fitFrontEnd) {
            frontEnd = calibration.fitFrontEnd(fitRuns, fit.hardware());
            fit = new BenchCalibration.Fit(fit.hardware(), fit.objective(), calibration.rows(List.of(), fitRuns,
                    fit.hardware()), fit.evaluations());
        }
        List<BenchCalibration.Row> held = heldRuns.isEmpty() ? List.of() : calibration.rows(fitRuns, heldRuns, fit.hardware());
        Hardware calibrated = write(fit.hardware(), String.format(Locale.ROOT, "MEASURED: fitted by cornserve profile"
                + " calibrate to the statistics of %s on plan %s (%s)", bench, planFiles(planned),
                held.isEmpty() ? "no run held back" : "held-back runs " + validate + ": mean abs error "
                        + String.format(Locale.ROOT, "%.1f%%", BenchCalibration.meanAbsErrorPct(held))));
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf(Locale.ROOT, "%s fitted to %d run(s) in %d evaluations: compute %.3f, memory bandwidth %.3f,"
                + " iteration overhead %.3f ms -> %s%n", kind, fitRuns.size(), fit.evaluations(),
                calibrated.efficiency().compute(), calibrated.efficiency().memoryBandwidth(),
                calibrated.efficiency().iterationOverheadMs(), out);
        if (frontEnd != null) {
            pw.printf(Locale.ROOT, "front end fitted to the TTFT statistics: %.0f us per prompt token"
                    + " (profile replay --front-end-us-per-token %.0f)%n", frontEnd.usPerPromptToken(),
                    frontEnd.usPerPromptToken());
        }
        pw.println("fitted runs:");
        BenchCalibration.print(pw, fit.rows());
        if (!held.isEmpty()) {
            pw.println("held-back runs:");
            BenchCalibration.print(pw, held);
        }
        pw.flush();
        return 0;
    }
}
