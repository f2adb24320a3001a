package org.cornserve.cli.profile;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * kind, with its sources saying so, as a hardware file for {@code --hardware-file}.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"Fit a GPU kind's efficiencies and per-iteration overhead to a measured run's per-request"
                + " timestamps, by replaying the run in the simulator.",
            "Requests: CSV or JSON Lines with arrival_time, first_token_time, last_token_time, input_tokens,"
                + " output_tokens (optional: request_id, queued_time, scheduled_time; vLLM's names such as"
                + " first_token_ts and num_generation_tokens are read too); times in seconds.",
            "Or --bench: result JSONs of vllm bench serve --save-result (per-request with --save-detailed), replayed"
                + " as the client sent them (max_concurrency, request_rate) and fitted to their statistics;"
                + " --validate names runs kept out of the fit, reported before and after."})
public final class ProfileCalibrateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--requests", paramLabel = "FILE", description = "Measured per-request timestamps.")
    Path requests;

    @Option(names = "--bench", paramLabel = "RESULT.json",
            description = "vllm bench serve --save-result JSON to fit to (repeatable; instead of --requests).")
    List<Path> bench = new ArrayList<>();

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

    @Option(names = "--validate", paramLabel = "RESULT.json",
            description = "vllm bench serve --save-result JSON kept out of the fit, reported before and after (repeatable).")
    List<Path> validate = new ArrayList<>();

    @Option(names = "--plan", required = true, paramLabel = "PLAN.json", description = "The plan the run was served by.")
    Path plan;

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

    @Override
    public Integer call() throws Exception {
        if ((requests == null) == bench.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give either --requests (per-request timestamps) or --bench (vllm bench serve results), not both");
        }
        if (!validate.isEmpty() && bench.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--validate goes with --bench");
        }
        ResolvedPlan resolved = hardwareFile.validator().readAndValidate(plan);
        String kind = kindToFit(resolved, hardware, hardwareFile, plan);
        if (!bench.isEmpty()) {
            return fitBench(resolved, kind);
        }
        List<MeasuredRun.Request> measured = MeasuredRun.read(requests);
        Calibration.Fit fit = new Calibration(resolved.plan(), hardwareFile.catalog(), kind, seed, holdBack,
                maxEvaluations).fit(measured);
        Hardware calibrated = write(fit.hardware(), String.format(Locale.ROOT, "MEASURED: fitted by cornserve profile"
                + " calibrate to %s on plan %s (%d requests, %d held back; held-back error %s)", requests, plan,
                measured.size(), fit.heldBackErrors().requests(), fit.heldBackErrors()));
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf(Locale.ROOT, "%s fitted to %d requests in %d simulations: compute %.3f, memory bandwidth %.3f,"
                + " iteration overhead %.3f ms -> %s%n", kind, measured.size(), fit.evaluations(),
                calibrated.efficiency().compute(), calibrated.efficiency().memoryBandwidth(),
                calibrated.efficiency().iterationOverheadMs(), out);
        pw.printf("  fit requests, before: %s%n", fit.fitErrorsBefore());
        pw.printf("  fit requests, after:  %s%n", fit.fitErrors());
        pw.printf("  held back, before:    %s%n", fit.heldBackErrorsBefore());
        pw.printf("  held back, after:     %s%n", fit.heldBackErrors());
        pw.flush();
        return 0;
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

    private int fitBench(ResolvedPlan resolved, String kind) throws Exception {
        List<BenchRun> fitRuns = runOptions.read(bench);
        List<BenchRun> heldRuns = runOptions.read(validate);
        BenchCalibration calibration = new BenchCalibration(resolved.plan(), hardwareFile.catalog(), kind, seed,
                maxEvaluations).fitting(fitStatistics).oneServer(runOptions.oneServer())
                .frontEnd(runOptions.frontEnd());
        BenchCalibration.Fit fit = calibration.fit(fitRuns);
        BenchReplay.FrontEnd frontEnd = null;
        if (fitFrontEnd) {
            frontEnd = calibration.fitFrontEnd(fitRuns, fit.hardware());
            fit = new BenchCalibration.Fit(fit.hardware(), fit.objective(), calibration.rows(List.of(), fitRuns,
                    fit.hardware()), fit.evaluations());
        }
        List<BenchCalibration.Row> held = heldRuns.isEmpty() ? List.of() : calibration.rows(fitRuns, heldRuns, fit.hardware());
        Hardware calibrated = write(fit.hardware(), String.format(Locale.ROOT, "MEASURED: fitted by cornserve profile"
                + " calibrate to the statistics of %s on plan %s (%s)", bench, plan,
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
