package org.cornserve.cli.profile;

import java.io.PrintWriter;
import java.nio.file.Path;
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
                + " first_token_ts and num_generation_tokens are read too); times in seconds."})
public final class ProfileCalibrateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--requests", required = true, paramLabel = "FILE", description = "Measured per-request timestamps.")
    Path requests;

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
        List<MeasuredRun.Request> measured = MeasuredRun.read(requests);
        ResolvedPlan resolved = hardwareFile.validator().readAndValidate(plan);
        List<String> kinds = resolved.deployments().stream().map(d -> d.hardware().name()).distinct().toList();
        String kind = hardware != null ? hardwareFile.catalog().get(hardware).name() : null;
        if (kind == null) {
            if (kinds.size() != 1) {
                throw new IllegalArgumentException("plan " + plan + " uses hardware " + kinds + "; name the kind to fit with --hardware");
            }
            kind = kinds.get(0);
        }
        Calibration.Fit fit = new Calibration(resolved.plan(), hardwareFile.catalog(), kind, seed, holdBack,
                maxEvaluations).fit(measured);
        Hardware h = fit.hardware();
        Map<String, String> sources = new TreeMap<>(h.sources());
        String how = String.format(Locale.ROOT, "MEASURED: fitted by cornserve profile calibrate to %s on plan %s"
                + " (%d requests, %d held back; held-back error %s)", requests, plan, measured.size(),
                fit.heldBackErrors().requests(), fit.heldBackErrors());
        sources.put("efficiency.compute", how);
        sources.put("efficiency.memory_bandwidth", how);
        sources.put("efficiency.iteration_overhead_ms", how);
        Hardware calibrated = h.withEfficiency(h.efficiency(), sources);
        Json.write(out, new HardwareCatalog.File(List.of(calibrated)));
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
}
