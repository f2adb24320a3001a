package org.cornserve.cli.profile;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cornserve.cli.progress.ProgressBar;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import org.cornserve.model.profile.Profile;
import org.cornserve.runtime.control.DeviceSlots;
import org.cornserve.runtime.launch.LocalProcessLauncher;
import org.cornserve.runtime.profile.MeasureGrid;
import org.cornserve.runtime.profile.ProfileMeasurer;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cornserve profile measure}: measured profiles from real executor processes on this machine. */
@Command(name = "measure", mixinStandardHelpOptions = true,
        description = "Measure a tiny model's unit tasks on real executors (each device count of --devices) and save"
                + " measured profiles, with curves, Pareto frontiers and the fit's held-back error.")
public final class ProfileMeasureCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true,
            description = "a tiny model of the catalog (tiny-omni, tiny-vl, tiny-image)")
    String model;

    @Option(names = "--devices", defaultValue = "cpu:2", description = "device slots, cpu:N; profiles are measured"
            + " at 1..N devices (default ${DEFAULT-VALUE})")
    String devices;

    @Option(names = "--max-devices", paramLabel = "N", description = "measure at 1..N devices only (default: all)")
    Integer maxDevices;

    @Option(names = "--grid", defaultValue = "quick", description = "quick or full (default ${DEFAULT-VALUE})")
    String grid;

    @Option(names = "--no-barrier", description = "time each step from the moment its opens were sent, without"
            + " waiting for the executor to handle them first (the profiler's old way: the opens' work then passes for"
            + " per-iteration overhead); for comparison only")
    boolean noBarrier;

    @Option(names = "--estimator", defaultValue = "min", description = "a point's latency from its runs: min (the"
            + " fastest run's compute plus the task's median per-step overhead: a shared machine only adds time) or"
            + " median (the median wall time) (default ${DEFAULT-VALUE})")
    String estimator;

    @Option(names = "--host-sharing", paramLabel = "N", description = "measure how N single-slot executors computing"
            + " at once slow each other (the simulator charges it while a plan's executors share this host's CPU);"
            + " 0: do not (default: the devices measured)")
    Integer hostSharing;

    @Option(names = "--out", required = true, paramLabel = "PROFILE.json", description = "where to write the profiles")
    Path out;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter pw = spec.commandLine().getOut();
        DeviceSlots slots = DeviceSlots.parse(devices);
        int n = maxDevices == null ? slots.count() : Math.min(maxDevices, slots.count());
        if (n < 1) {
            throw new IllegalArgumentException("--max-devices must be >= 1");
        }
        Hardware cpu = HardwareCatalog.builtIn().get("cpu");
        ProgressBar bar = new ProgressBar(err, "measuring " + model);
        ProfileMeasurer.Result result;
        try (LocalProcessLauncher launcher = new LocalProcessLauncher()) {
            long decodeIterations = org.cornserve.runtime.control.RuntimeOptions.defaults().maxRunIterations();
            result = new ProfileMeasurer(launcher, SharedMemorySidecar.DEV_SHM, 120_000, decodeIterations, !noBarrier)
                    .estimator(estimator).hostSharing(hostSharing == null ? n : hostSharing)
                    .measure(model, cpu, n, slots.threadsPerSlot(), MeasureGrid.named(grid), bar::update);
        }
        Json.write(out, result.profiles());
        pw.printf(Locale.ROOT, "%s on %s: %d measured profiles at 1..%d device(s) in %.1f s -> %s%n", model,
                cpu.name(), result.profiles().profiles().size(), n, result.wallSeconds(), out);
        if (!result.skipped().isEmpty()) {
            pw.println("not measured (their estimates stay): " + String.join(", ", result.skipped()));
        }
        pw.printf("%-34s %-9s %4s %12s %12s %12s %14s %10s%n", "unit task", "kind", "dev", "prefill 64", "decode 1",
                "decode 8", "batch 1x64", "overhead");
        for (Profile p : result.profiles().profiles()) {
            pw.printf(Locale.ROOT, "%-34s %-9s %4d %12s %12s %12s %14s %8.3f ms%n", p.task(),
                    p.kind().name().toLowerCase(Locale.ROOT), p.tensorParallel(),
                    p.prefill().stream().filter(q -> q.tokens() == 64).map(q -> ms(q.latencyMs())).findFirst().orElse("-"),
                    p.decode().stream().filter(q -> q.batch() == 1 && q.contextTokens() == 256)
                            .map(q -> ms(q.latencyMs())).findFirst().orElse("-"),
                    p.decode().stream().filter(q -> q.batch() == 8 && q.contextTokens() == 256)
                            .map(q -> ms(q.latencyMs())).findFirst().orElse("-"),
                    p.batch().stream().filter(q -> q.items() == 1 && q.tokensPerItem() == 64)
                            .map(q -> ms(q.latencyMs())).findFirst().orElse("-"), p.cpuOverheadMs());
        }
        com.fasterxml.jackson.databind.JsonNode sharing = result.profiles().measurement().path("host_sharing");
        if (sharing.isObject()) {
            pw.printf(Locale.ROOT, "host sharing: a step takes x%s while 1..%d executors compute at once (%s)%n",
                    sharing.path(org.cornserve.model.profile.ProfileBook.HOST_SLOWDOWN_FIELD).toString(),
                    sharing.path(org.cornserve.model.profile.ProfileBook.HOST_SLOWDOWN_FIELD).size(),
                    sharing.path("probe").asText());
        }
        result.profiles().machineIdentity().ifPresent(m -> pw.println("measured on: " + m));
        result.profiles().measurement().path("tasks").forEach(t -> pw.printf(Locale.ROOT,
                "%-34s %4d fit error on held-back points: %s; measured/estimate %.2f%n", t.path("task").asText(),
                t.path("devices").asInt(), fitErrors(t), t.path("measured_over_estimate_median").asDouble()));
        return 0;
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.2f ms", v);
    }

    private static String fitErrors(com.fasterxml.jackson.databind.JsonNode t) {
        StringBuilder sb = new StringBuilder();
        for (String f : new String[] {"prefill_fit", "decode_fit", "batch_fit", "step_fit"}) {
            if (t.has(f)) {
                sb.append(sb.isEmpty() ? "" : ", ").append(f.replace("_fit", "")).append(String.format(Locale.ROOT,
                        " %.1f%%", 100 * t.path(f).path("held_back_mean_relative_error").asDouble()));
            }
        }
        return sb.toString();
    }
}
