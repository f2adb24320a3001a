package org.cornserve.cli.validate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.cornserve.cli.CornserveMain;
import org.cornserve.model.hardware.CpuInfo;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.ResolvedDeployment;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.model.profile.LlmParallelism;
import org.cornserve.model.profile.Profile;
import org.cornserve.model.profile.ProfileBook;
import org.cornserve.model.profile.ProfileCosts;
import org.cornserve.model.profile.RooflineTaskCosts;
import org.cornserve.model.profile.TaskCost;
import org.cornserve.model.task.UnitTask;
import org.cornserve.plots.data.RunResults;
import org.cornserve.runtime.control.DeviceSlots;
import org.cornserve.runtime.control.RuntimeOptions;
import org.cornserve.runtime.control.Runtimes;
import org.cornserve.runtime.gateway.Gateway;
import org.cornserve.runtime.gateway.GatewaySettings;
import org.cornserve.runtime.launch.LocalProcessLauncher;
import org.cornserve.runtime.profile.MeasureGrid;
import org.cornserve.runtime.profile.ProfileMeasurer;
import org.cornserve.runtime.serve.ModelInvoker;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import picocli.CommandLine;

/**
 * Simulated against measured, on this machine: one trace slice is simulated with the plan (measured profiles, and the
 * runtime's fixed per-request overhead measured by idle probes) and served for real by the same plan (gateway and
 * control plane in this JVM, executor processes), replayed open-loop; the two {@code summary.json} files give the
 * table of {@link Row}s. Used by {@code cornserve validate} and {@code cornserve demo}.
 */
public final class Validation {
    /** The summary metrics compared: throughput, then TTFT, TPOT and end-to-end latency at P50, P90 and P99. */
    public static final List<String> METRICS = List.of("throughput_rps", "ttft_ms.p50", "ttft_ms.p90", "ttft_ms.p99",
            "tpot_ms.p50", "tpot_ms.p90", "tpot_ms.p99", "e2e_ms.p50", "e2e_ms.p90", "e2e_ms.p99");

    /** Requests sent one at a time to an idle server to measure its fixed per-request overhead. */
    static final int PROBES = 30;

    private Validation() {
    }

    /**
     * One metric: simulated, measured, and the relative error {@code (simulated - measured) / measured}; for a served
     * latency percentile, the distribution-free 95% interval it was pinned to by the number of served requests
     * ({@link #percentileInterval}; null where not worked out).
     */
    public record Row(String metric, double simulated, double measured, double error,
            @JsonProperty("measured_low") @JsonInclude(JsonInclude.Include.NON_NULL) Double measuredLow,
            @JsonProperty("measured_high") @JsonInclude(JsonInclude.Include.NON_NULL) Double measuredHigh) {
        public Row(String metric, double simulated, double measured, double error) {
            this(metric, simulated, measured, error, null, null);
        }

        static Row of(String metric, double simulated, double measured) {
            return new Row(metric, simulated, measured, measured == 0 ? Double.NaN : (simulated - measured) / measured);
        }

        Row withInterval(double low, double high) {
            return new Row(metric, simulated, measured, error, low, high);
        }

        /** Whether the simulated value lies within the served one's 95% interval; null without an interval. */
        @JsonProperty("within_interval")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        public Boolean withinInterval() {
            return measuredLow == null ? null : simulated >= measuredLow && simulated <= measuredHigh;
        }
    }

    /**
     * The distribution-free 95% interval of the {@code p} quantile of the population {@code sorted} (ascending, one
     * value per served request) was drawn from: the order statistics whose ranks bound a Binomial(n, p) count at
     * +-1.96 standard deviations. With 1,000 requests a P99 rests on its ten largest values, and this interval says
     * how far another replay of the same kind could put it: a served TPOT P99 of 10.27 ms had [6.38, 33.25].
     */
    static double[] percentileInterval(double[] sorted, double p) {
        int n = sorted.length;
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double sd = Math.sqrt(n * p * (1 - p));
        int lo = (int) Math.max(1, Math.floor(n * p - 1.96 * sd));
        int hi = (int) Math.min(n, Math.ceil(n * p + 1.96 * sd) + 1);
        return new double[] {sorted[lo - 1], sorted[hi - 1]};
    }

    /**
     * {@code rows} with the served latency percentiles' 95% intervals ({@link #percentileInterval}) from the served
     * replay's {@code requests.csv} (its completed requests; TPOT over those of two or more output tokens).
     */
    static List<Row> withServedIntervals(List<Row> rows, Path measuredRequests) throws IOException {
        var served = TailReport.requests(measuredRequests).values();
        java.util.Map<String, double[]> sorted = new java.util.HashMap<>();
        for (var latency : HostLoad.LATENCIES) {
            sorted.put(latency.getKey(), served.stream().filter(r -> HostLoad.counts(latency.getKey(), r))
                    .mapToDouble(latency.getValue()).sorted().toArray());
        }
        List<Row> out = new ArrayList<>();
        for (Row r : rows) {
            String[] parts = r.metric().split("\\.");
            double[] v = parts.length == 2 ? sorted.get(parts[0]) : null;
            if (v == null || v.length == 0 || !parts[1].matches("p\\d+")) {
                out.add(r);
                continue;
            }
            double[] ci = percentileInterval(v, Integer.parseInt(parts[1].substring(1)) / 100.0);
            out.add(r.withInterval(ci[0], ci[1]));
        }
        return out;
    }

    /** The rows comparing two {@code summary.json} trees. */
    public static List<Row> compare(JsonNode simulated, JsonNode measured) {
        List<Row> rows = new ArrayList<>();
        for (String m : METRICS) {
            rows.add(Row.of(m, value(simulated, m), value(measured, m)));
        }
        return rows;
    }

    public static double value(JsonNode summary, String metric) {
        JsonNode n = summary;
        for (String part : metric.split("\\.")) {
            n = n.path(part);
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException("summary has no number at " + metric);
        }
        return n.asDouble();
    }

    /**
     * The table as text; where the rows have them, the served values' 95% intervals and whether the simulated value
     * lies within.
     */
    public static String table(List<Row> rows) {
        boolean intervals = rows.stream().anyMatch(r -> r.measuredLow() != null);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-16s %12s %12s %9s%s%n", "metric",
                "simulated", "measured", "error", intervals ? String.format(Locale.ROOT, "  %-22s %s",
                        "measured 95% interval", "simulated within") : ""));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-16s %12.2f %12.2f %+8.1f%%", r.metric(), r.simulated(),
                    r.measured(), 100 * r.error()));
            if (r.measuredLow() != null) {
                sb.append(String.format(Locale.ROOT, "  %-22s %s", interval(r), r.withinInterval() ? "yes" : "no"));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** A row's served interval as text, {@code [low, high]}; empty without one. */
    static String interval(Row r) {
        return r.measuredLow() == null ? "" : String.format(Locale.ROOT, "[%.2f, %.2f]", r.measuredLow(),
                r.measuredHigh());
    }

    /**
     * Runs a {@code cornserve} command line in this JVM; its output goes to {@code out}, its messages to {@code err}
     * (a {@link #quiet()} writer hides them); a failure throws with the command's own error message.
     */
    public static void cornserve(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = CornserveMain.commandLine();
        StringWriter captured = new StringWriter();
        PrintWriter both = new PrintWriter(new java.io.Writer() {
            @Override
            public void write(char[] buf, int off, int len) {
                captured.write(buf, off, len);
                err.write(buf, off, len);
            }

            @Override
            public void flush() {
                err.flush();
            }

            @Override
            public void close() {
                err.flush();
            }
        }, true);
        cl.setOut(out);
        cl.setErr(both);
        int code = cl.execute(args);
        both.flush();
        if (code != 0) {
            String msg = captured.toString().strip();
            throw new IllegalStateException("'cornserve " + String.join(" ", args) + "' failed" + (msg.isEmpty()
                    ? " with exit code " + code : ": " + msg));
        }
    }

    /** Jetty and Javalin log their start and stop at INFO; only warnings matter here. */
    public static void quietServerLogs() {
        System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.javalin", "warn");
    }

    /** A silent writer, for commands whose chatter would bury the progress display. */
    public static PrintWriter quiet() {
        return new PrintWriter(new StringWriter());
    }

    /**
     * Measures the tasks the plan deploys on real executors at the device counts its deployments use (quick grid).
     */
    static Path measureProfiles(ResolvedPlan plan, DeviceSlots slots, Path out, Consumer<String> status,
            ProfileMeasurer.Progress progress) {
        int devices = plan.deployments().stream().mapToInt(d -> d.deployment().devicesPerReplica()).max().orElse(1);
        return measureTasks(plan.plan().models().get(0), deployedTasks(plan), devices, slots, out, status, progress);
    }

    /** The unit tasks a plan deploys, an LLM's phases as the LLM. */
    public static java.util.Set<String> deployedTasks(ResolvedPlan plan) {
        java.util.Set<String> deployed = new java.util.TreeSet<>();
        plan.deployments().forEach(d -> d.tasks().forEach(t -> deployed.add(
                org.cornserve.model.task.LlmPhase.wholeTaskId(t.id()))));
        return deployed;
    }

    /** Measures {@code tasks} of {@code model} on real executors at 1 to {@code devices} devices (quick grid). */
    public static Path measureTasks(String model, java.util.Set<String> tasks, int devices, DeviceSlots slots, Path out,
            Consumer<String> status, ProfileMeasurer.Progress progress) {
        try (LocalProcessLauncher launcher = new LocalProcessLauncher();
                HostCpuMonitor monitor = HostCpuMonitor.start()) {
            long start = System.nanoTime();
            ProfileMeasurer.Result r = new ProfileMeasurer(launcher, SharedMemorySidecar.DEV_SHM, 120_000)
                    .hostSharing(slots.count()).measure(model, tasks, HardwareCatalog.builtIn().get("cpu"), devices,
                            slots.threadsPerSlot(), MeasureGrid.QUICK, progress);
            Json.write(out, r.profiles());
            // a profile measured beside outside load charges every later step that much too slowly: say so
            HostCpuMonitor.Samples host = monitor.stop();
            double outside = host.outsideCores(start, System.nanoTime());
            status.accept(String.format(Locale.ROOT, "measured %d profiles of %s in %.0f s -> %s%s",
                    r.profiles().profiles().size(), model, r.wallSeconds(), out, Double.isNaN(outside) ? ""
                            : String.format(Locale.ROOT, " (host load outside the profiler: %.2f cores on average%s)",
                                    outside, outside >= StepRecorder.LOADED_CORES
                                            ? "; the profile may be slow, measure again on a quiet machine" : "")));
        }
        return out;
    }

    /**
     * Replay {@code k}'s folder (from 1) of {@code replays} whose first lands in {@code dir}: {@code dir} itself for
     * the first, {@code dir-k} beside it for the others ({@code measured}, {@code measured-2}, ...).
     */
    public static Path replayDir(Path dir, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("replays count from 1, got " + k);
        }
        return k == 1 ? dir : dir.resolveSibling(dir.getFileName() + "-" + k);
    }

    /**
     * The JIT warm-up replay's folder beside the first replay's {@code measured} ({@code measured-warmup}): named with
     * {@link RunResults#WARMUP_SUFFIX}, which {@code plot} leaves out of the plans' latency CDFs, as the next two.
     */
    public static Path warmupDir(Path measured) {
        return measured.resolveSibling(measured.getFileName() + RunResults.WARMUP_SUFFIX);
    }

    /** The calibration replay's folder beside the first replay's {@code measured} ({@code measured-calibration}). */
    public static Path calibrationDir(Path measured) {
        return measured.resolveSibling(measured.getFileName() + RunResults.CALIBRATION_SUFFIX);
    }

    /** The probes' folder of replay folder {@code replay} ({@code measured-probe}, {@code measured-2-probe}). */
    public static Path probeDir(Path replay) {
        return replay.resolveSibling(replay.getFileName() + RunResults.PROBE_SUFFIX);
    }

    /**
     * Serves {@code plan} for real (executor processes, the gateway on a free loopback port, sequences generating
     * every traced token), warms it up on {@code warmup} (null: none), then probes and replays {@code trace} {@code
     * how.replays()} times on the same server: per replay the probes (so each replay is simulated at the speed the
     * machine ran at just before it) and the replay, its results in {@link #replayDir replayDir(dir, k)}. Stops
     * everything it started. Replays of the same slice by the same server differ (the machine's speed drifts between
     * minutes, and a P99 rests on a handful of requests); several of them say by how much, and pooled they pin the
     * served distribution down better than one. With {@code how.sense()} (and a warm-up) the machine's speed sensors
     * ({@link MachineSpeed}) read through the warm-up and the replays, into {@code sensed.csv} and {@code sensed.json}
     * beside {@code dir}; where they cannot run it says why and goes on without them. A {@code how.calibration()} trace
     * (requests of the trace outside the judged slice, {@link #writeCalibrationTrace}; null for none) is replayed
     * after the warm-up, not judged, its steps in {@code dir-calibration/steps.csv}: the sensed-speed prediction's
     * calibration on the trace's own mix of requests ({@link #sensorCalibration}). {@code how.probes()} says how many
     * requests each probe sends ({@link ProbeCounts#DEFAULT} unless {@code validate --probe-scale}); before the
     * calibration replay and each replay's probes and replay it waits up to {@code how.quietMaxMs()} for a quiet host
     * ({@link #QUIET_MAX_MS} unless {@code validate --quiet-wait-s}; 0: after one half-second reading).
     *
     * @return per replay, in order, its measured overhead and served steps
     */
    public static List<Served> serveAndReplay(ResolvedPlan plan, DeviceSlots slots, Path trace, Path warmup,
            String slo, ProfileBook profiles, Path dir, ServeRun how, PrintWriter err, Consumer<String> status)
            throws IOException, InterruptedException {
        Path calibration = how.calibration();
        int replays = how.replays();
        boolean sense = how.sense();
        ProbeCounts probes = how.probes();
        long quietMaxMs = how.quietMaxMs();
        String model = plan.plan().models().get(0);
        // the machine's speed, read apart from the served engine through the warm-up (its calibration) and the replays
        MachineSpeed sensors = null;
        if (sense && warmup != null) {
            String why = MachineSpeed.unavailable();
            if (why == null) {
                sensors = MachineSpeed.start();
                status.accept("sensing the machine's speed on cores " + sensors.cpus() + " (a reference kernel every "
                        + MachineSpeed.PERIOD_MS + " ms on each)");
            } else {
                status.accept("not sensing the machine's speed: " + why);
            }
        }
        double[] warmupSpan = null;
        double[] calibrationSpan = null;
        List<double[]> replaySpans = new ArrayList<>();
        status.accept("starting the plan's executors on " + slots.count() + " cpu slot(s)...");
        ModelInvoker invoker;
        try {
            invoker = Runtimes.start(plan, slots, SERVED_OPTIONS);
        } catch (RuntimeException | Error e) {
            if (sensors != null) {
                sensors.close();
            }
            throw e;
        }
        Gateway gateway = null;
        try {
            gateway = Gateway.start(new GatewaySettings("127.0.0.1", 0, 32 << 20, GatewaySettings.newAdminToken()),
                    invoker);
            status.accept("serving on " + gateway.url());
            var cp = invoker instanceof org.cornserve.runtime.control.ControlPlane c ? c : null;
            String session = cp == null ? null : cp.session();
            if (warmup != null) {
                // a fresh server's JIT compiles the gateway, control plane and engine paths during its first requests:
                // a warm-up replay (not measured) lets the measured one see the server in its steady state; its steps
                // are written too (the round trip under load, beside the idle probe's), not charged
                status.accept("warming the server up with " + warmup.getFileName() + " (not measured)...");
                warmupSpan = unjudgedReplay(gateway.url(), model, warmup, warmupDir(dir), observed(cp), sensors, plan, profiles);
            }
            if (calibration != null) {
                // the trace's own mix, not judged: the sensed speed's calibration (the warm-up's synthetic requests
                // decoded faster against the profile than the trace's, 0.85 to 0.98 of the first replay's speed per
                // sensed microsecond over r8 to r15 of 2026-12-05)
                awaitQuietHost("calibrating", quietMaxMs, status);
                status.accept("replaying " + calibration.getFileName() + " (trace requests outside the judged slice,"
                        + " not judged: the sensed speed's calibration)...");
                calibrationSpan = unjudgedReplay(gateway.url(), model, calibration, calibrationDir(dir), observed(cp), sensors, plan, profiles);
            }
            List<Served> out = new ArrayList<>();
            for (int k = 1; k <= replays; k++) {
                Path replayDir = replayDir(dir, k);
                String which = replays == 1 ? "" : "replay " + k + " of " + replays + ": ";
                Consumer<String> said = s -> status.accept(which + s);
                awaitQuietHost("probing", quietMaxMs, said);
                Probed probed = probe(gateway.url(), model, plan, profiles, trace,
                        probeDir(replayDir), observed(cp), observed(cp),
                        observed(cp), observed(cp), probes, said);
                double[] overheads = probed.values();
                awaitQuietHost("replaying", quietMaxMs, said);
                said.accept(String.format(Locale.ROOT, "per-request overhead (streamed probes: served TTFT less their"
                        + " prefill's compute and the round trip): %.2f ms + %.4f ms per prompt token (the idle probe's"
                        + " %.2f ms; the decode probe's where its prefills lined up, decode-overhead.csv); per-step"
                        + " round trip %.3f ms (the idle probe's %.3f); prefills at %.3f and decodes at %.3f of the"
                        + " profile (prefills by prompt tokens: %s); %s per extra sequence in a decode step (the batch"
                        + " probe's); replaying the trace open-loop...", overheads[0], overheads[2], overheads[6],
                        overheads[1], overheads[5], overheads[3], overheads[4], probed.prefillCurve() == null ? "-"
                                : probed.prefillCurve(), Double.isNaN(overheads[7]) ? "too few steps to measure the ms"
                                : String.format(Locale.ROOT, "%.4f ms", overheads[7])));
                List<String> args = new ArrayList<>(List.of("replay", "--url", gateway.url(), "--app", model,
                        "--trace", trace.toString(), "--trace-format", "jsonl", "--out", replayDir.toString()));
                if (slo != null) {
                    args.addAll(List.of("--slo", slo));
                }
                StepRecorder steps = observed(cp);
                HostCpuMonitor.Samples host;
                long replayStart;
                try (HostCpuMonitor monitor = HostCpuMonitor.start()) {
                    steps.start();
                    // the replay's request times count from its start, a few ms after this (it reads its trace first)
                    replayStart = System.nanoTime();
                    cornserve(quiet(), quiet(), args.toArray(String[]::new));
                    steps.stop();
                    host = monitor.stop();
                }
                long replayEnd = System.nanoTime();
                if (sensors != null) {
                    replaySpans.add(new double[] {sensors.seconds(replayStart), sensors.seconds(replayEnd)});
                }
                java.util.Map<String, Object> stepSummary = writeSteps(steps, plan, profiles, host,
                        replayDir.resolve("steps.csv"));
                HostLoad hostLoad = HostLoad.NONE;
                if (host.available()) {
                    host.writeCsv(replayDir.resolve("host.csv"), replayStart);
                    hostLoad = HostLoad.of(host, replayStart, replayEnd, replayDir.resolve("requests.csv"));
                }
                out.add(new Served(overheads[0], overheads[1], stepSummary, session, null, overheads[2], hostLoad,
                        overheads[3], overheads[4], overheads[7], probed.prefillCurve()));
            }
            if (sensors != null && warmupSpan != null) {
                sensors.write(dir.toAbsolutePath().getParent(), warmupSpan, calibrationSpan, replaySpans);
            }
            return List.copyOf(out);
        } finally {
            if (gateway != null) {
                gateway.close();
            }
            invoker.close();
            if (sensors != null) {
                sensors.close();
            }
        }
    }

    /**
     * Replays {@code trace} on the server at {@code url}, not judged, into {@code out}, with {@code steps} recording
     * its served steps ({@code out/steps.csv}).
     *
     * @return its span on the sensors' clock, or null without sensors
     */
    private static double[] unjudgedReplay(String url, String model, Path trace, Path out, StepRecorder steps,
            MachineSpeed sensors, ResolvedPlan plan, ProfileBook profiles) throws IOException {
        steps.start();
        long start = System.nanoTime();
        cornserve(quiet(), quiet(), "replay", "--url", url, "--app", model, "--trace", trace.toString(),
                "--trace-format", "jsonl", "--out", out.toString());
        steps.stop();
        double[] span = sensors == null ? null
                : new double[] {sensors.seconds(start), sensors.seconds(System.nanoTime())};
        writeSteps(steps, plan, profiles, out.resolve("steps.csv"));
        return span;
    }

    /** A step recorder, not recording yet, that the served control plane (if any) reports its steps to. */
    private static StepRecorder observed(org.cornserve.runtime.control.ControlPlane cp) {
        StepRecorder r = new StepRecorder();
        if (cp != null) {
            cp.observe(r);
        }
        return r;
    }

    /** Below this many busy cores over {@value #QUIET_WINDOW_MS} ms the host is quiet enough to measure on. */
    static final double QUIET_CORES = 0.1;
    static final long QUIET_WINDOW_MS = 500;
    /** The longest wait for a quiet host before measuring anyway (and saying so), by default. */
    public static final long QUIET_MAX_MS = 20_000;

    /**
     * Waits for the host to go quiet (the serving JVM goes on compiling after a burst of requests) before the idle
     * probe or the replay, at most {@code maxMs}; says how long it waited ({@link HostCpuMonitor#awaitQuiet}).
     */
    private static void awaitQuietHost(String before, long maxMs, Consumer<String> status)
            throws InterruptedException {
        double[] w = HostCpuMonitor.awaitQuiet(QUIET_CORES, QUIET_WINDOW_MS, maxMs);
        status.accept(String.format(Locale.ROOT, "%s after %.1f s for a quiet host (%.2f busy cores over the last"
                + " %d ms%s)", before, w[0] / 1e3, w[1], QUIET_WINDOW_MS, w[1] >= QUIET_CORES
                        ? "; still busy, measuring anyway" : ""));
    }

    /**
     * Output tokens of each probe request: its first token is what the probe times for the per-request overhead; the
     * rest run as decode steps of the runtime's iterations per report, whose round trips the probe times too.
     */
    static final int PROBE_OUTPUT_TOKENS = 17;

    /** The speed trace's window: long enough for a few hundred steps, short against the machine's spells. */
    static final double SPEED_WINDOW_S = 10;

    /**
     * The served engine's speed window by window ({@link org.cornserve.simulator.config.SpeedTrace}) from a replay's
     * {@code steps.csv} ({@link ServedCostsFit#read}): per {@code windowSeconds} of its steps' decision times, the
     * measured compute over the profile's charge with host sharing (which the simulation adds apart), summed over the
     * steps holding a prefill and over the decode-only steps apart. A window
     * without steps of a kind takes the last window's speed for it (the first ones the first speed measured), and a
     * kind never seen runs at 1.
     *
     * @throws IllegalArgumentException naming the file and line of a row it cannot read
     */
    static org.cornserve.simulator.config.SpeedTrace speedTrace(Path stepsCsv, double windowSeconds)
            throws IOException {
        return speedTrace(stepsCsv, windowSeconds, 0, null);
    }

    /**
     * As above, where the simulation charges {@code extraMsPerSequence} per iteration per delivered sequence beyond
     * the first on top of the profile (the served costs' extra, or the batch probe's): each step's charge holds it, so
     * that a window's steps, simulated at its speed, sum to what they measured; and where it charges each prefill by
     * {@code prefillShape} of its tokens (a shape by length, {@link #prefillShape}; null: none), a step holding a
     * prefill is charged that much more (or less) here too. Without it a window of long prompts, which run slower
     * against the profile than short ones, measures their slowness in its speed and the simulation charges it again
     * through the shape (r14 of 2026-12-05, replay 3: a burst of 1,024-token prompts served at about 250 ms a step,
     * simulated at 287 ms).
     */
    static org.cornserve.simulator.config.SpeedTrace speedTrace(Path stepsCsv, double windowSeconds,
            double extraMsPerSequence, java.util.function.LongToDoubleFunction prefillShape) throws IOException {
        return speedTrace(stepsCsv, windowSeconds, extraMsPerSequence, 0, prefillShape);
    }

    /**
     * As above, where the simulation also charges a step with a prefill right after one by the served costs'
     * after-prefill ratio of prefills ({@link
     * org.cornserve.simulator.config.ServedStepCosts#prefillAfterPrefillRatio}):
     * each such served step's charge here holds the ratio too ({@link ServedCostsFit.Row#prefillBefore}), so that a
     * window's speed is the other prefills' and a burst's back-to-back prefills are charged faster, as they ran.
     */
    static org.cornserve.simulator.config.SpeedTrace speedTrace(Path stepsCsv, double windowSeconds,
            double extraMsPerSequence, double prefillAfterPrefillRatio,
            java.util.function.LongToDoubleFunction prefillShape) throws IOException {
        return speedTrace(stepsCsv, windowSeconds, extraMsPerSequence, prefillAfterPrefillRatio, prefillShape, null);
    }

    /**
     * As above, where the simulation charges each decode-only step by {@code decodeShape} of its sequences too (a
     * shape by the sequences in a step, {@link #servedDecodeCurve}; null: none): its charge here holds it.
     */
    static org.cornserve.simulator.config.SpeedTrace speedTrace(Path stepsCsv, double windowSeconds,
            double extraMsPerSequence, double prefillAfterPrefillRatio,
            java.util.function.LongToDoubleFunction prefillShape, java.util.function.LongToDoubleFunction decodeShape)
            throws IOException {
        java.util.TreeMap<Integer, double[]> windows = new java.util.TreeMap<>(); // compute, charge; prefill, decode
        for (ServedCostsFit.Row r : ServedCostsFit.read(stepsCsv)) {
            if (r.decodeOnly() && r.afterPrefill() <= StepRecorder.AFTER_PREFILL_STEPS) {
                continue; // charged apart, at the served costs' after-prefill ratio
            }
            int k = r.decodeOnly() ? 2 : 0;
            double[] sums = windows.computeIfAbsent(Math.max(0, (int) Math.floor(r.decidedMs() / 1e3 / windowSeconds)),
                    x -> new double[4]);
            sums[k] += r.computeMs();
            // as the simulator's StepTimer charges it: per iteration, per sequence beyond the first (a prefill's
            // sequence counted)
            double shape = r.decodeOnly() ? (decodeShape == null ? 1 : decodeShape.applyAsDouble(r.decodeSequences()))
                    : prefillFactor(prefillAfterPrefillRatio, r)
                            * (prefillShape == null ? 1 : prefillShape.applyAsDouble(r.prefillTokens()));
            sums[k + 1] += r.simulatedMs() * shape + extraMsPerSequence * r.iterations()
                    * Math.max(0, r.decodeSequences() + (r.decodeOnly() ? 0 : 1) - 1);
        }
        int count = windows.isEmpty() ? 1 : windows.lastKey() + 1;
        double[][] speed = new double[2][count];
        for (int k = 0; k < 2; k++) {
            double last = Double.NaN;
            for (int w = 0; w < count; w++) {
                double[] sums = windows.get(w);
                if (sums != null && sums[2 * k + 1] > 0) {
                    last = sums[2 * k] / sums[2 * k + 1];
                }
                speed[k][w] = last;
            }
            double first = Arrays.stream(speed[k]).filter(v -> !Double.isNaN(v)).findFirst().orElse(1);
            for (int w = 0; w < count && Double.isNaN(speed[k][w]); w++) {
                speed[k][w] = first;
            }
        }
        return new org.cornserve.simulator.config.SpeedTrace(windowSeconds, Arrays.stream(speed[0]).boxed().toList(),
                Arrays.stream(speed[1]).boxed().toList(), "the served steps of " + stepsCsv
                        + ": measured compute over the profile's charge, summed per window");
    }

    /** What a served step with a prefill computed at by the after-prefill ratio of prefills (0: none). */
    private static double prefillFactor(double prefillAfterPrefillRatio, ServedCostsFit.Row r) {
        return org.cornserve.simulator.config.ServedStepCosts.prefillFactor(prefillAfterPrefillRatio,
                r.prefillBefore());
    }

    /**
     * The diagnosis beside a validation: the replay simulated again with its LLM steps at the speed the served ones
     * ran, window by window ({@link #speedTrace} of {@code out/measured/steps.csv}, written to {@code
     * out/served-speed.json}; the simulation in {@code out/simulated-at-served-speed}), {@code served}'s prefill curve
     * kept as a shape ({@link #prefillShape}; validate passes the served steps' own and their round trip, {@link
     * #forServedSpeed}), everything else charged as in the validation; its rows
     * against the served replay. It reads the judged run's own steps, so it is no
     * prediction: it splits the validation's error into the machine's drift (what it removes) and the model's own.
     *
     * @param simulate the {@code simulate} command line without {@code --out} and the served charges
     */
    static List<Row> atServedSpeed(List<String> simulate, Served served, Path out) throws IOException {
        return atServedSpeed(simulate, served, out, 1);
    }

    /**
     * As above for replay {@code k} of a validation with several ({@link #replayDir}): its steps in {@code
     * measured-k/steps.csv}, its speed trace in {@code served-speed-k.json}, its simulation in {@code
     * simulated-at-served-speed-k} (no suffix for the first).
     */
    static List<Row> atServedSpeed(List<String> simulate, Served served, Path out, int k) throws IOException {
        Path measured = replayDir(out.resolve("measured"), k);
        Path trace = out.resolve(k == 1 ? "served-speed.json" : "served-speed-" + k + ".json");
        Path simulated = replayDir(out.resolve("simulated-at-served-speed"), k);
        var shape = prefillShape(served.prefillCurve(), sliceOf(simulate));
        var decodeShape = servedDecodeCurve(List.of(measured.resolve("steps.csv")), 0,
                served.chargedExtraMsPerSequence());
        return simulateAtSpeed(simulate, served, shape, decodeShape, speedTrace(measured.resolve("steps.csv"),
                SPEED_WINDOW_S, served.chargedExtraMsPerSequence(), served.chargedPrefillAfterPrefillRatio(), shape,
                decodeShape), trace, simulated, measured);
    }

    /**
     * Writes {@code speed} to {@code traceFile}, simulates the replay at it into {@code simulated} (no compute scale,
     * prefills charged by {@code shape}, {@code served}'s prefill curve over the slice: {@link Served#atSpeedTrace})
     * and compares that with {@code measured}.
     */
    private static List<Row> simulateAtSpeed(List<String> simulate, Served served,
            org.cornserve.model.profile.PrefillScaleCurve shape,
            org.cornserve.model.profile.PrefillScaleCurve decodeShape, org.cornserve.simulator.config.SpeedTrace speed,
            Path traceFile, Path simulated, Path measured)
            throws IOException {
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(traceFile.toFile(), speed);
        List<String> args = new ArrayList<>(simulate);
        args.addAll(List.of("--out", simulated.toString(), "--speed-trace", traceFile.toString(), "--step-log",
                simulated.resolve("step-log.csv").toString()));
        args.addAll(served.atSpeedTrace(shape).simulateArgs());
        if (decodeShape != null) {
            args.addAll(List.of("--decode-compute-scale-at", decodeShape.toString()));
        }
        cornserve(quiet(), quiet(), args.toArray(String[]::new));
        return compareRuns(simulated, measured);
    }

    /**
     * The replay simulated at the machine's speed as its sensors read it ({@link MachineSpeed}): the served engine's
     * speed against the profile per sensed microsecond ({@link #sensorCalibration}, from the runs before this replay)
     * times the sensed step time in each of this replay's windows, the prefills' at its median over them ({@link
     * MachineSpeed#trace}; {@code sensed-speed.json}, {@code
     * sensed-speed-k.json}; the simulation in {@code simulated-at-sensed-speed[-k]}), everything else charged as in
     * {@link #atServedSpeed}. Nothing of this replay's served steps goes in. Call after {@link #atServedSpeed} of the
     * replays before it (their {@code served-speed*.json} calibrate it).
     *
     * @return its rows against the served replay, or null where the validation ran without sensors ({@code
     *     out/sensed.json} absent)
     */
    static List<Row> atSensedSpeed(List<String> simulate, Served served, Path out, int k) throws IOException {
        Path spansFile = out.resolve("sensed.json");
        if (!Files.exists(spansFile)) {
            return null;
        }
        MachineSpeed.Spans spans = Json.read(spansFile, MachineSpeed.Spans.class);
        if (k > spans.replays().size()) {
            throw new IllegalArgumentException(spansFile + ": no span for replay " + k + " (it lists "
                    + spans.replays().size() + ")");
        }
        List<MachineSpeed.Reading> readings = MachineSpeed.readCsv(out.resolve("sensed.csv"));
        var shape = prefillShape(served.prefillCurve(), sliceOf(simulate));
        PriorSteps prior = priorSteps(out, spans, k);
        var decodeShape = servedDecodeCurve(prior.files(), prior.fromSeconds(), served.chargedExtraMsPerSequence());
        double[] perMicro = sensorCalibration(out, readings, spans, k, served.chargedExtraMsPerSequence(),
                served.chargedPrefillAfterPrefillRatio(), shape, decodeShape);
        return simulateAtSpeed(simulate, served, shape, decodeShape, MachineSpeed.trace(readings, spans.cpus(),
                spans.replays().get(k - 1), SPEED_WINDOW_S, perMicro[0], perMicro[1]),
                out.resolve(k == 1 ? "sensed-speed.json" : "sensed-speed-" + k + ".json"),
                replayDir(out.resolve("simulated-at-sensed-speed"), k), replayDir(out.resolve("measured"), k));
    }

    /**
     * The probes' prefill curves of replays 1 to {@code k} pooled, point by point the mean ({@code runs}' first
     * {@code k}): the profile's error by prompt length is the profile's, the same in every replay, where one probe's
     * shape carries the speed of the seconds each length ran in (r10 of 2026-12-05: one replay's 274- and 627-token
     * points at 1.06 and 1.42, the next replay's at 1.13 and 1.10). Replay {@code k}'s own curve where the curves do
     * not share their lengths or one is missing.
     */
    static org.cornserve.model.profile.PrefillScaleCurve meanCurve(List<Served> runs, int k) {
        org.cornserve.model.profile.PrefillScaleCurve own = runs.get(k - 1).prefillCurve();
        if (own == null) {
            return null;
        }
        double[] sum = new double[own.scales().size()];
        for (Served r : runs.subList(0, k)) {
            if (r.prefillCurve() == null || !r.prefillCurve().tokens().equals(own.tokens())) {
                return own;
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] += r.prefillCurve().scales().get(i);
            }
        }
        return new org.cornserve.model.profile.PrefillScaleCurve(own.tokens(),
                Arrays.stream(sum).map(x -> x / k).boxed().toList());
    }

    /**
     * Replay {@code k} of {@code runs} (from 1) as its served-speed diagnosis charges it: the control plane's round
     * trip its own served steps paid ({@link #servedRoundTripMs}; the probe's idle steps paid less, 0.13 against 0.31
     * ms at the median in r36's first replay, experiments/validation-tails.md, section 20), and the prefill shape of
     * its own served steps' speed by length ({@link #servedPrefillCurve} at the probes' lengths), else the probes'
     * curves pooled ({@link #meanCurve}). The diagnosis reads the judged replay's steps anyway.
     */
    static Served forServedSpeed(List<Served> runs, Path out, int k) throws IOException {
        Served served = runs.get(k - 1);
        Path steps = replayDir(out.resolve("measured"), k).resolve("steps.csv");
        double trip = Files.exists(steps) ? servedRoundTripMs(steps) : Double.NaN;
        if (!Double.isNaN(trip)) {
            served = served.withStepOverheadMs(trip);
        }
        if (served.prefillCurve() == null) {
            return served;
        }
        var own = servedPrefillCurve(List.of(steps), served.prefillCurve().tokens(), 0,
                served.chargedPrefillAfterPrefillRatio());
        return served.withPrefillCurve(own != null ? own : meanCurve(runs, k));
    }

    /**
     * The control plane's round trip per report as a served replay paid it: the median over the decode-only steps
     * of {@code stepsCsv} of their busy less compute, read as the decode probe's is ({@link Served#stepOverheadMs});
     * NaN without any.
     */
    static double servedRoundTripMs(Path stepsCsv) throws IOException {
        double[] trips = ServedCostsFit.read(stepsCsv).stream().filter(r -> r.prefillTokens() == 0)
                .mapToDouble(ServedCostsFit.Row::roundTripMs).toArray();
        return trips.length == 0 ? Double.NaN : median(trips);
    }

    /**
     * Replay {@code k} with the prefill shape its sensed-speed prediction charges, from the runs before it as its
     * calibration ({@link #sensorCalibration}): the calibration replay's and the earlier replays' served steps by
     * length (without a calibration replay, the warm-up's later half for the first replay); else the probes' curves
     * pooled.
     */
    static Served forSensedSpeed(List<Served> runs, Path out, int k) throws IOException {
        Served served = runs.get(k - 1);
        Path spansFile = out.resolve("sensed.json");
        if (served.prefillCurve() == null || !Files.exists(spansFile)) {
            return served.withPrefillCurve(meanCurve(runs, k));
        }
        PriorSteps before = priorSteps(out, Json.read(spansFile, MachineSpeed.Spans.class), k);
        var prior = servedPrefillCurve(before.files(), served.prefillCurve().tokens(), before.fromSeconds(),
                served.chargedPrefillAfterPrefillRatio());
        return served.withPrefillCurve(prior != null ? prior : meanCurve(runs, k));
    }

    /**
     * The prefill speed by length the prediction of replay {@code k} charges ({@link ValidateCommand}'s simulation as
     * probed): the probes' level ({@code probed}'s mean over the slice's prompts, {@link #prefillShape}) in the shape
     * of the served steps of the runs before the replay (the calibration replay's where one ran, and the earlier
     * replays': {@link #servedPrefillCurve} at the probes' lengths, as the sensed speed's shape). The probes' idle
     * prefills put the long prompts against the short ones otherwise than a loaded replay runs them (section 15 of
     * experiments/validation-tails.md); their level is the minute's. {@code probed} itself where no served steps ran
     * before the replay (the demo; a first replay without a calibration replay) or it is null.
     *
     * @return the curve, and whether it holds the served steps' shape
     */
    static PredictionCurve predictionCurve(org.cornserve.model.profile.PrefillScaleCurve probed, Path out, int k,
            Path slice, double prefillAfterPrefillRatio) throws IOException {
        List<Path> before = new ArrayList<>();
        Path calibration = calibrationDir(out.resolve("measured")).resolve("steps.csv");
        if (Files.exists(calibration)) {
            before.add(calibration);
        }
        for (int j = 1; j < k; j++) {
            before.add(replayDir(out.resolve("measured"), j).resolve("steps.csv"));
        }
        if (probed == null || before.isEmpty()) {
            return new PredictionCurve(probed, false);
        }
        var served = servedPrefillCurve(before, probed.tokens(), 0, prefillAfterPrefillRatio);
        if (served == null) {
            return new PredictionCurve(probed, false);
        }
        double level = sliceMean(probed, slice);
        var shape = prefillShape(served, slice);
        return new PredictionCurve(new org.cornserve.model.profile.PrefillScaleCurve(shape.tokens(),
                shape.scales().stream().map(x -> x * level).toList()), true);
    }

    /** A prefill speed by length and whether its shape is the served steps' ({@link #predictionCurve}). */
    record PredictionCurve(org.cornserve.model.profile.PrefillScaleCurve curve, boolean servedShape) {
    }

    /** Served steps files, each read from {@code fromSeconds} of its run. */
    record PriorSteps(List<Path> files, double fromSeconds) {
    }

    /**
     * The served steps the sensed speed of replay {@code k} learns from, as its calibration ({@link
     * #sensorCalibration}): the calibration replay's (without one, the warm-up's later half for the first replay)
     * and the earlier replays'.
     */
    static PriorSteps priorSteps(Path out, MachineSpeed.Spans spans, int k) {
        List<Path> before = new ArrayList<>();
        double from = 0;
        if (spans.calibration() != null) {
            before.add(calibrationDir(out.resolve("measured")).resolve("steps.csv"));
        } else if (k == 1) {
            before.add(warmupDir(out.resolve("measured")).resolve("steps.csv"));
            from = (spans.warmup()[1] - spans.warmup()[0]) / 2;
        }
        for (int j = 1; j < k; j++) {
            before.add(replayDir(out.resolve("measured"), j).resolve("steps.csv"));
        }
        return new PriorSteps(List.copyOf(before), from);
    }

    /** Decode-only steps a sequence count needs for its own speed in {@link #servedDecodeCurve}. */
    static final int MIN_DECODE_STEPS_PER_COUNT = 20;

    /** The most sequences {@link #servedDecodeCurve} gives a point of its own; steps of more count with it. */
    static final int DECODE_CURVE_MAX_SEQUENCES = 8;

    /**
     * The served engine's decode speed by the sequences in a step, as a shape: for each count of sequences from 1 to
     * {@value #DECODE_CURVE_MAX_SEQUENCES} (more counted with the last) held by at least {@value
     * #MIN_DECODE_STEPS_PER_COUNT} decode-only steps, their summed measured compute over their summed charge (the
     * profile's plus the extra per sequence beyond the first, as {@link #speedTrace} charges them; the first two
     * decode steps after a prefill left out, charged apart), over the same of all those steps (so the shape's mean
     * over the steps is 1). The profile's decode cost by batch was measured on an idle engine, the extra per sequence
     * on the batch probe's few steps; served, the steps of one sequence ran 9% slower than the profile's shape says
     * and those of three and four 10% and 12% faster in r23 (experiments/validation-tails.md, section 17), and the
     * shape differs from run to run (a step of three sequences against one: 0.90 to 1.19), so it is read from served
     * steps:
     * the judged replay's own for the served-speed diagnosis, the runs before it for the sensed speed.
     *
     * @return the shape, or null where fewer than two counts have enough steps
     */
    static org.cornserve.model.profile.PrefillScaleCurve servedDecodeCurve(List<Path> stepsCsvs, double fromSeconds,
            double extraMsPerSequence) throws IOException {
        int n = DECODE_CURVE_MAX_SEQUENCES;
        double[] compute = new double[n + 1];
        double[] charge = new double[n + 1];
        int[] steps = new int[n + 1];
        for (Path csv : stepsCsvs) {
            for (ServedCostsFit.Row r : ServedCostsFit.read(csv)) {
                if (!r.decodeOnly() || r.afterPrefill() <= StepRecorder.AFTER_PREFILL_STEPS
                        || r.decidedMs() < fromSeconds * 1e3 || !(r.simulatedMs() > 0) || r.decodeSequences() < 1) {
                    continue;
                }
                int b = Math.min(n, r.decodeSequences());
                compute[b] += r.computeMs();
                charge[b] += r.simulatedMs() + extraMsPerSequence * r.iterations() * (r.decodeSequences() - 1);
                steps[b]++;
            }
        }
        double allCompute = 0;
        double allCharge = 0;
        List<Long> counts = new ArrayList<>();
        for (int b = 1; b <= n; b++) {
            if (steps[b] >= MIN_DECODE_STEPS_PER_COUNT) {
                counts.add((long) b);
                allCompute += compute[b];
                allCharge += charge[b];
            }
        }
        if (counts.size() < 2) {
            return null;
        }
        double mean = allCompute / allCharge;
        return new org.cornserve.model.profile.PrefillScaleCurve(counts, counts.stream()
                .map(b -> compute[(int) (long) b] / charge[(int) (long) b] / mean).toList());
    }

    /** Served prefill steps a length needs for its own speed in {@link #servedPrefillCurve}. */
    static final int MIN_STEPS_PER_LENGTH = 5;

    /**
     * The served engine's prefill speed by length: at each of {@code points} (token counts, ascending), the summed
     * measured compute over the summed profile charge of the served steps holding a prefill whose tokens lie nearest
     * it (on a log scale), decided at or after {@code fromSeconds} of their run; a length with fewer than {@value
     * #MIN_STEPS_PER_LENGTH} such steps takes the speed over all of them. The shape the speed-trace simulations charge
     * by ({@link #prefillShape}), read from served steps rather than from the probes' idle requests (r14 of
     * 2026-12-05: its probes had the 1,024-token prefill at 1.08 of the slice's mean against the short ones at 0.95 to
     * 0.99, where its served steps ran the short ones at 1.10 to 1.14 of the profile and the long ones at 1.05 to
     * 1.10).
     *
     * @return the curve, or null where no step held a prefill
     */
    static org.cornserve.model.profile.PrefillScaleCurve servedPrefillCurve(List<Path> stepsCsvs, List<Long> points,
            double fromSeconds) throws IOException {
        return servedPrefillCurve(stepsCsvs, points, fromSeconds, 0);
    }

    /**
     * As above, each step's charge times the after-prefill ratio of prefills where it came right after one ({@link
     * #speedTrace}), so that the shape by length is not the bursts' speed again (long prompts come in bursts).
     */
    static org.cornserve.model.profile.PrefillScaleCurve servedPrefillCurve(List<Path> stepsCsvs, List<Long> points,
            double fromSeconds, double prefillAfterPrefillRatio) throws IOException {
        double[] compute = new double[points.size()];
        double[] charge = new double[points.size()];
        int[] steps = new int[points.size()];
        double allCompute = 0;
        double allCharge = 0;
        for (Path csv : stepsCsvs) {
            for (ServedCostsFit.Row r : ServedCostsFit.read(csv)) {
                if (r.decodeOnly() || r.decidedMs() < fromSeconds * 1e3 || !(r.simulatedMs() > 0)) {
                    continue;
                }
                int nearest = 0;
                for (int i = 1; i < points.size(); i++) {
                    if (Math.abs(Math.log(r.prefillTokens()) - Math.log(points.get(i)))
                            < Math.abs(Math.log(r.prefillTokens()) - Math.log(points.get(nearest)))) {
                        nearest = i;
                    }
                }
                double charged = r.simulatedMs() * prefillFactor(prefillAfterPrefillRatio, r);
                compute[nearest] += r.computeMs();
                charge[nearest] += charged;
                steps[nearest]++;
                allCompute += r.computeMs();
                allCharge += charged;
            }
        }
        if (allCharge <= 0) {
            return null;
        }
        List<Double> scales = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            scales.add(steps[i] >= MIN_STEPS_PER_LENGTH ? compute[i] / charge[i] : allCompute / allCharge);
        }
        return new org.cornserve.model.profile.PrefillScaleCurve(points, scales);
    }

    /** The trace a {@code simulate} command line reads (its {@code --trace}). */
    private static Path sliceOf(List<String> simulate) {
        int i = simulate.indexOf("--trace");
        if (i < 0 || i + 1 >= simulate.size()) {
            throw new IllegalArgumentException("no --trace in " + simulate);
        }
        return Path.of(simulate.get(i + 1));
    }

    /**
     * The shape of a prefill speed by prompt length (the probes', or the served steps' from {@link
     * #servedPrefillCurve}) without its level, for a simulation whose speed trace
     * sets the level: {@code curve} divided by its mean over the slice's prompts (each with the chat markup, weighted
     * by its tokens, as a prefill's compute grows with them), so that the slice's prefills are charged as much in all
     * as at the trace's speed alone, the long ones against the short ones as the probes measured. (The profile's
     * points are measured minutes apart and not all at one speed: in r9 of 2026-12-05 its 1,024-token point ran 0.93
     * of the others' speed in all three replays' probes, and a flat speed over-charged the long prompts: TTFT P99
     * +38% pooled at the sensed speed, +7% with this shape.)
     *
     * @return null where the probes measured no curve
     */
    static org.cornserve.model.profile.PrefillScaleCurve prefillShape(
            org.cornserve.model.profile.PrefillScaleCurve curve, Path slice) throws IOException {
        if (curve == null) {
            return null;
        }
        double mean = sliceMean(curve, slice);
        return new org.cornserve.model.profile.PrefillScaleCurve(curve.tokens(),
                curve.scales().stream().map(x -> x / mean).toList());
    }

    /**
     * {@code curve}'s mean over the slice's prompts, each with the chat markup, weighted by its tokens ({@link
     * #prefillShape}); 1 for an empty slice.
     */
    static double sliceMean(org.cornserve.model.profile.PrefillScaleCurve curve, Path slice) throws IOException {
        double weighted = 0;
        double tokens = 0;
        for (long t : textTokens(slice)) {
            long prompt = t + PROMPT_OVERHEAD_TOKENS;
            weighted += curve.applyAsDouble(prompt) * prompt;
            tokens += prompt;
        }
        return tokens > 0 ? weighted / tokens : 1;
    }

    /**
     * The served engine's speed against the profile ({@link #speedTrace}'s measure) per sensed microsecond, prefills
     * and decodes apart (the decodes' per sensed microsecond to the power {@link MachineSpeed#DECODE_ELASTICITY}),
     * from the runs before replay {@code k}: each {@value #SPEED_WINDOW_S} s window's served speed over its sensed step
     * time, the median over all the windows of the calibration replay (where one ran: {@code
     * sensed.json}'s {@code calibration} span, its steps in {@code measured-calibration/steps.csv}, charged by {@code
     * prefillShape}) and of the earlier replays ({@code served-speed*.json}). Without a calibration replay the first
     * replay takes the warm-up's later half (its first half has the executors' JIT at work; its requests are not the
     * trace's, so its steps' mix is not the replay's: a weaker calibration, 0.85 to 0.98 of the first replay's own
     * decode speed per sensed microsecond over r8 to r15 of 2026-12-05).
     *
     * @return {prefill, decode}
     * @throws IllegalArgumentException where the sensors read too little to calibrate on
     */
    static double[] sensorCalibration(Path out, List<MachineSpeed.Reading> readings, MachineSpeed.Spans spans, int k,
            double extraMsPerSequence, java.util.function.LongToDoubleFunction prefillShape) throws IOException {
        return sensorCalibration(out, readings, spans, k, extraMsPerSequence, 0, prefillShape);
    }

    /** As above, the served steps charged by the after-prefill ratio of prefills too ({@link #speedTrace}). */
    static double[] sensorCalibration(Path out, List<MachineSpeed.Reading> readings, MachineSpeed.Spans spans, int k,
            double extraMsPerSequence, double prefillAfterPrefillRatio,
            java.util.function.LongToDoubleFunction prefillShape) throws IOException {
        return sensorCalibration(out, readings, spans, k, extraMsPerSequence, prefillAfterPrefillRatio, prefillShape,
                null);
    }

    /**
     * As above, the served decode steps charged by {@code decodeShape} of their sequences too ({@link #speedTrace}).
     */
    static double[] sensorCalibration(Path out, List<MachineSpeed.Reading> readings, MachineSpeed.Spans spans, int k,
            double extraMsPerSequence, double prefillAfterPrefillRatio,
            java.util.function.LongToDoubleFunction prefillShape, java.util.function.LongToDoubleFunction decodeShape)
            throws IOException {
        if (k == 1 && spans.calibration() == null) {
            Path warmupSteps = warmupDir(out.resolve("measured")).resolve("steps.csv");
            double half = (spans.warmup()[1] - spans.warmup()[0]) / 2;
            org.cornserve.simulator.config.SpeedTrace served = speedTrace(warmupSteps, half, extraMsPerSequence,
                    prefillAfterPrefillRatio, prefillShape, decodeShape);
            int w = Math.min(1, served.decode().size() - 1);
            double sensed = MachineSpeed.sensedMicros(readings, spans.cpus(), spans.warmup()[0] + half,
                    spans.warmup()[1]);
            if (Double.isNaN(sensed)) {
                throw new IllegalArgumentException("the machine's speed sensors read too little during the warm-up's"
                        + " later half to calibrate on (" + out.resolve("sensed.csv") + ")");
            }
            return new double[] {served.prefill().get(w) / sensed,
                served.decode().get(w) / MachineSpeed.decodeResponse(sensed)};
        }
        List<Double> prefill = new ArrayList<>();
        List<Double> decode = new ArrayList<>();
        if (spans.calibration() != null) {
            perSensedMicro(speedTrace(calibrationDir(out.resolve("measured")).resolve("steps.csv"), SPEED_WINDOW_S,
                    extraMsPerSequence, prefillAfterPrefillRatio, prefillShape, decodeShape), spans.calibration()[0],
                    readings, spans, prefill, decode);
        }
        for (int j = 1; j < k; j++) {
            Path file = out.resolve(j == 1 ? "served-speed.json" : "served-speed-" + j + ".json");
            perSensedMicro(org.cornserve.cli.simulate.SimulateCommand.readSpeedTrace(file),
                    spans.replays().get(j - 1)[0], readings, spans, prefill, decode);
        }
        if (decode.isEmpty()) {
            throw new IllegalArgumentException("the machine's speed sensors read too little during "
                    + (spans.calibration() == null ? "" : "the calibration replay" + (k > 1 ? " and " : ""))
                    + (k > 1 ? "replays 1 to " + (k - 1) : "") + " to calibrate on (" + out.resolve("sensed.csv")
                    + ")");
        }
        return new double[] {median(prefill.stream().mapToDouble(Double::doubleValue).toArray()),
                median(decode.stream().mapToDouble(Double::doubleValue).toArray())};
    }

    /** Each window of a served speed trace that began at {@code start} (sensors' seconds) over its sensed step time. */
    private static void perSensedMicro(org.cornserve.simulator.config.SpeedTrace served, double start,
            List<MachineSpeed.Reading> readings, MachineSpeed.Spans spans, List<Double> prefill, List<Double> decode) {
        for (int w = 0; w < served.decode().size(); w++) {
            double sensed = MachineSpeed.sensedMicros(readings, spans.cpus(), start + w * served.windowSeconds(),
                    start + (w + 1) * served.windowSeconds());
            if (!Double.isNaN(sensed)) {
                prefill.add(served.prefill().get(w) / sensed);
                decode.add(served.decode().get(w) / MachineSpeed.decodeResponse(sensed));
            }
        }
    }

    /**
     * The rows of one simulated run folder against one measured ({@code summary.json} each), with the served
     * percentiles' intervals from the measured {@code requests.csv}.
     */
    static List<Row> compareRuns(Path simulated, Path measured) throws IOException {
        return withServedIntervals(compare(PassPercentiles.summary(simulated),
                Json.mapper().readTree(measured.resolve("summary.json").toFile())), measured.resolve("requests.csv"));
    }

    /**
     * Several replays' rows pooled: throughput the mean of the runs' own (simulated and measured apart), each
     * latency percentile over all the runs' completed requests together (TPOT over those of two or more output
     * tokens), the measured one with its distribution-free 95% interval over the pooled requests
     * ({@link #percentileInterval}). Three replays of 1,000 requests put a P99 on its thirty largest values where one
     * puts it on ten.
     *
     * @param simulated the simulated run folders ({@code summary.json}, {@code requests.csv}), one per replay
     * @param measured the served ones, in the same order
     */
    static List<Row> pooled(List<Path> simulated, List<Path> measured) throws IOException {
        if (simulated.size() != measured.size() || simulated.isEmpty()) {
            throw new IllegalArgumentException("pooled: one simulated run per measured one, got " + simulated.size()
                    + " and " + measured.size());
        }
        List<TailReport.Request> simulatedRequests = pooledRequests(simulated);
        List<TailReport.Request> measuredRequests = pooledRequests(measured);
        List<Row> rows = new ArrayList<>();
        for (String m : METRICS) {
            String[] parts = m.split("\\.");
            if (parts.length != 2) {
                rows.add(Row.of(m, meanOf(simulated, m), meanOf(measured, m)));
                continue;
            }
            double p = Integer.parseInt(parts[1].substring(1)) / 100.0;
            double[] s = latencies(simulatedRequests, parts[0]);
            double[] v = latencies(measuredRequests, parts[0]);
            double[] ci = percentileInterval(v, p);
            rows.add(Row.of(m, percentile(s, parts[1]), percentile(v, parts[1])).withInterval(ci[0], ci[1]));
        }
        return rows;
    }

    private static double meanOf(List<Path> runs, String metric) throws IOException {
        double sum = 0;
        for (Path run : runs) {
            sum += value(Json.mapper().readTree(run.resolve("summary.json").toFile()), metric);
        }
        return sum / runs.size();
    }

    /** Every completed request of {@code runs} ({@code requests.csv} each, read once). */
    private static List<TailReport.Request> pooledRequests(List<Path> runs) throws IOException {
        List<TailReport.Request> out = new ArrayList<>();
        for (Path run : runs) {
            out.addAll(TailReport.requests(run.resolve("requests.csv")).values());
        }
        return out;
    }

    /** One latency of the requests that count towards it ({@link HostLoad#counts}), ascending. */
    private static double[] latencies(List<TailReport.Request> requests, String latency) {
        var f = HostLoad.LATENCIES.stream().filter(e -> e.getKey().equals(latency)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("no latency named " + latency)).getValue();
        return requests.stream().filter(r -> HostLoad.counts(latency, r)).mapToDouble(r -> Math.max(0,
                f.applyAsDouble(r))).sorted().toArray();
    }

    /** The {@code p50}, {@code p90} or {@code p99} of {@code values} as every summary computes it. */
    private static double percentile(double[] values, String which) {
        org.cornserve.simulator.metrics.LatencyRecorder rec = new org.cornserve.simulator.metrics.LatencyRecorder();
        for (double v : values) {
            rec.recordMs(v);
        }
        var stats = rec.stats();
        return switch (which) {
            case "p50" -> stats.p50();
            case "p90" -> stats.p90();
            case "p99" -> stats.p99();
            default -> throw new IllegalArgumentException("no percentile " + which);
        };
    }

    /**
     * The pooled rows as text ({@link #table}), with each replay's own error beside them and the measured values'
     * range over the replays.
     */
    static String pooledTable(List<Row> pooled, List<List<Row>> replays) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-16s %12s %12s %9s  %-22s %-6s  %-20s %s%n",
                "metric", "simulated", "measured", "error", "measured 95% interval", "within", "measured over runs",
                "each run's error"));
        for (int i = 0; i < pooled.size(); i++) {
            Row r = pooled.get(i);
            int row = i;
            double lo = replays.stream().mapToDouble(x -> x.get(row).measured()).min().orElse(Double.NaN);
            double hi = replays.stream().mapToDouble(x -> x.get(row).measured()).max().orElse(Double.NaN);
            String errors = String.join(" ", replays.stream().map(x -> String.format(Locale.ROOT, "%+.1f%%",
                    100 * x.get(row).error())).toList());
            sb.append(String.format(Locale.ROOT, "%-16s %12.2f %12.2f %+8.1f%%  %-22s %-6s  %-20s %s%n", r.metric(),
                    r.simulated(), r.measured(), 100 * r.error(), interval(r), r.withinInterval() == null ? ""
                            : r.withinInterval() ? "yes" : "no", String.format(Locale.ROOT, "%.2f..%.2f", lo, hi),
                    errors));
        }
        return sb.toString();
    }

    /** Writes a recorder's served LLM steps against the simulator's charge to {@code csv}; returns their summary. */
    private static java.util.Map<String, Object> writeSteps(StepRecorder steps, ResolvedPlan plan,
            ProfileBook profiles, Path csv) throws IOException {
        return writeSteps(steps, plan, profiles, null, csv);
    }

    private static java.util.Map<String, Object> writeSteps(StepRecorder steps, ResolvedPlan plan,
            ProfileBook profiles, HostCpuMonitor.Samples host, Path csv) throws IOException {
        return StepRecorder.write(steps.served(), memo((d, t) -> llmCost(plan.deployments().get(d),
                plan.deployments().get(d).tasks().get(t), profiles)),
                profiles.hostSlowdown(plan.deployments().get(0).hardware().name()), host, csv);
    }

    /**
     * Measures the overheads the replay will see, as the simulator accounts for them ({@code counts} of each probe's
     * requests; the defaults named here): {@value #PROBES} requests, one at a time on the idle server, replayed by {@code cornserve replay} as the measured replay is (the
     * same client in this JVM, streamed chat completions, synthesised prompts) at the trace's quartile prompt
     * lengths, then a shape probe ({@link #SHAPE_PROBES} idle requests at the slice's short and long lengths, {@link
     * #shapeLengths}: the prefill's speed by length, {@link #prefillCurve}), a decode probe under load ({@link
     * #DECODE_PROBES} requests with long answers) and a batch probe ({@link #batchProbeTrace}: the extra per decode
     * sequence, {@link ServedCostsFit#batchExtraMsPerSequence}). The per-step round
     * trip is the median over the decode probe's served decode steps of busy less compute (the control plane's
     * command, report and event loop around the executor's compute, {@link #chargedRoundTripMs}); the per-request
     * overhead charged is the decode probe's ({@link #decodeProbeOverhead}); the idle probe's line beside it is the
     * served TTFT less the simulator's TTFT of the same request without request overhead (one prefill of its prompt,
     * {@link #prefillMs}, plus that round trip). Writes {@code overhead.csv}, {@code steps.csv} and {@code steps.json}
     * into {@code probeDir}.
     *
     * @param steps attached to the served runtime, not recording yet
     * @return the per-request overhead charged (ms), the per-step round trip charged (ms), the overhead per prompt
     *     token (ms), the prefill and decode speeds against the profile, the idle probe's own round trip (ms), its
     *     own overhead (ms) and the extra per decode sequence (ms, NaN where too few steps); and the prefill's speed
     *     by prompt length (null without measured prefills)
     */
    private record Probed(double[] values, org.cornserve.model.profile.PrefillScaleCurve prefillCurve) {
    }

    private static Probed probe(String url, String model, ResolvedPlan plan, ProfileBook profiles, Path trace,
            Path probeDir, StepRecorder steps, StepRecorder shapeSteps, StepRecorder decodeSteps,
            StepRecorder batchSteps, ProbeCounts counts, Consumer<String> status) throws IOException {
        long[] lengths = probeLengths(textTokens(trace));
        double longest = prefillMs(model, plan, profiles, lengths[lengths.length - 1]);
        double gapSeconds = Math.max(0.25, 4 * longest / 1e3);
        Files.createDirectories(probeDir);
        Path probeTrace = probeDir.resolve("probe.jsonl");
        Files.writeString(probeTrace, probeTrace(lengths, gapSeconds, counts.idle()));
        status.accept(String.format(Locale.ROOT, "probing the per-request overhead (%d idle streamed requests of %s"
                + " prompt tokens, %.2f s apart)...", counts.idle(), Arrays.toString(lengths), gapSeconds));
        steps.start();
        cornserve(quiet(), quiet(), "replay", "--url", url, "--app", model, "--trace", probeTrace.toString(),
                "--trace-format", "jsonl", "--out", probeDir.toString());
        steps.stop();
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(probeDir.resolve("steps.json").toFile(),
                writeSteps(steps, plan, profiles, probeDir.resolve("steps.csv")));
        // the prefill's speed at the slice's short and long prompts too, one at a time as the idle probe's
        long[] shape = shapeLengths(textTokens(trace), longestPrefillPoint(model, plan, profiles)
                - PROMPT_OVERHEAD_TOKENS, lengths);
        long[] shapePrompts = new long[shape.length == 0 ? 0 : counts.shape()];
        double[] shapeComputed = null;
        if (shape.length > 0) {
            Path shapeTrace = probeDir.resolve("shape-probe.jsonl");
            Files.writeString(shapeTrace, shapeProbeTrace(shape, t -> prefillMs(model, plan, profiles, t),
                    counts.shape()));
            status.accept(String.format(Locale.ROOT, "probing the prefill's speed at %s prompt tokens too (%d idle"
                    + " streamed requests)...", Arrays.toString(shape), counts.shape()));
            shapeSteps.start();
            cornserve(quiet(), quiet(), "replay", "--url", url, "--app", model, "--trace", shapeTrace.toString(),
                    "--trace-format", "jsonl", "--out", probeDir.resolve("shape-probe").toString());
            shapeSteps.stop();
            writeSteps(shapeSteps, plan, profiles, probeDir.resolve("shape-probe-steps.csv"));
            for (int i = 0; i < shapePrompts.length; i++) {
                shapePrompts[i] = shape[i % shape.length] + PROMPT_OVERHEAD_TOKENS;
            }
            shapeComputed = probePrefillComputeMs(shapeSteps.served(), shapePrompts);
        }
        // decode under load, before the overhead is worked out (it takes this probe's round trip): a few requests one
        // after another with long answers, so the executors decode without the idle probe's pauses (its decode steps
        // ran 10% fast to 42% slow against a loaded replay's)
        Path decodeTrace = probeDir.resolve("decode-probe.jsonl");
        Files.writeString(decodeTrace, decodeProbeTrace(lengths[0], counts.decode()));
        status.accept(String.format(Locale.ROOT, "probing decode under load (%d streamed requests of %d prompt tokens"
                + " and %d answer tokens, %.2f s apart)...", counts.decode(), lengths[0], DECODE_PROBE_OUTPUT_TOKENS,
                DECODE_PROBE_GAP_S));
        decodeSteps.start();
        cornserve(quiet(), quiet(), "replay", "--url", url, "--app", model, "--trace", decodeTrace.toString(),
                "--trace-format", "jsonl", "--out", probeDir.resolve("decode-probe").toString());
        decodeSteps.stop();
        java.util.Map<String, Object> decodeSummary = writeSteps(decodeSteps, plan, profiles,
                probeDir.resolve("decode-probe-steps.csv"));
        // decode steps of several sequences: what each sequence beyond the first costs beyond the profile's point
        Path batchTrace = probeDir.resolve("batch-probe.jsonl");
        Files.writeString(batchTrace, batchProbeTrace(lengths[0], counts.batchGroups()));
        status.accept(String.format(Locale.ROOT, "probing decode steps of several sequences (%d groups of %d streamed"
                + " requests of %d prompt tokens arriving together, answers of %s tokens, %.2f s apart)...",
                counts.batchGroups(), BATCH_PROBE_ANSWERS.length, lengths[0], Arrays.toString(BATCH_PROBE_ANSWERS),
                BATCH_PROBE_GAP_S));
        batchSteps.start();
        cornserve(quiet(), quiet(), "replay", "--url", url, "--app", model, "--trace", batchTrace.toString(),
                "--trace-format", "jsonl", "--out", probeDir.resolve("batch-probe").toString());
        batchSteps.stop();
        Path batchCsv = probeDir.resolve("batch-probe-steps.csv");
        writeSteps(batchSteps, plan, profiles, batchCsv);
        double decodeScale = decodeScale(decodeSummary);
        double extraMsPerSequence = ServedCostsFit.batchExtraMsPerSequence(ServedCostsFit.read(batchCsv), decodeScale);
        // the speed charged: the probe's outside its slow spells (the extra per sequence stays against its mean, as
        // fitted)
        double decodeSpeed = decodeProbeSpeed(ServedCostsFit.read(probeDir.resolve("decode-probe-steps.csv")),
                decodeScale);
        // the round trip charged per step: the decode probe's (executors kept busy, as in a loaded replay) where it has
        // decode steps, else the idle probe's own
        double idleRoundTripMs = StepRecorder.roundTripMs(steps.served());
        double roundTripMs = chargedRoundTripMs(steps.served(), decodeSteps.served());
        int idle = counts.idle();
        double[] served = servedTtftMs(probeDir.resolve("requests.csv"), idle);
        long[] promptTokens = new long[idle];
        for (int i = 0; i < idle; i++) {
            // the server prefills the chat markup too, as the simulation will (simulateArgs)
            promptTokens[i] = lengths[i % lengths.length] + PROMPT_OVERHEAD_TOKENS;
        }
        double[] computed = probePrefillComputeMs(steps.served(), promptTokens);
        double[] profiled = new double[idle];
        double[] simulated = new double[idle];
        double[] inside = new double[idle];
        double[] tokens = new double[idle];
        StringBuilder csv = new StringBuilder("request,text_tokens,prompt_tokens,served_ttft_ms,prefill_compute_ms,"
                + "round_trip_ms,simulated_ttft_ms,overhead_ms\n");
        for (int i = 0; i < idle; i++) {
            double profilePrefillMs = prefillMs(model, plan, profiles, promptTokens[i]);
            profiled[i] = profilePrefillMs;
            simulated[i] = profilePrefillMs + roundTripMs;
            // time inside the engine: the prefill's own measured compute where the probe's steps give it (an idle
            // executor's first step runs slower than its profile, and that is not overhead), else the profile's
            inside[i] = (computed == null ? profilePrefillMs : computed[i]) + roundTripMs;
            tokens[i] = promptTokens[i];
            csv.append(String.format(Locale.ROOT, "%d,%d,%d,%.4f,%s,%.4f,%.4f,%.4f%n", i, lengths[i % lengths.length],
                    promptTokens[i], served[i], computed == null ? "" : String.format(Locale.ROOT, "%.4f",
                            computed[i]), roundTripMs, simulated[i], served[i] - inside[i]));
        }
        Files.writeString(probeDir.resolve("overhead.csv"), csv);
        double[] line = overheadLine(tokens, served, inside);
        double[] charged = decodeProbeOverhead(probeDir, decodeSteps.served(), lengths[0], roundTripMs, line,
                counts.decode());
        // the prefill's speed by prompt length: the idle probe's lengths and the shape probe's, each where its
        // prefills lined up with its requests
        long[] curveTokens = computed == null ? new long[0] : promptTokens;
        double[] curveComputed = computed == null ? new double[0] : computed;
        double[] curveProfiled = computed == null ? new double[0] : profiled;
        if (shapeComputed != null) {
            double[] shapeProfiled = Arrays.stream(shapePrompts).mapToDouble(t -> prefillMs(model, plan, profiles, t))
                    .toArray();
            StringBuilder shapeCsv = new StringBuilder("request,prompt_tokens,prefill_compute_ms,profile_ms\n");
            for (int i = 0; i < shapePrompts.length; i++) {
                shapeCsv.append(String.format(Locale.ROOT, "%d,%d,%.4f,%.4f%n", i, shapePrompts[i], shapeComputed[i],
                        shapeProfiled[i]));
            }
            Files.writeString(probeDir.resolve("shape-probe.csv"), shapeCsv);
            curveTokens = concat(curveTokens, shapePrompts);
            curveComputed = concat(curveComputed, shapeComputed);
            curveProfiled = concat(curveProfiled, shapeProfiled);
        }
        org.cornserve.model.profile.PrefillScaleCurve curve = prefillCurve(curveTokens, curveComputed, curveProfiled);
        return new Probed(new double[] {charged[0], roundTripMs, charged[1], prefillScale(computed, profiled),
            decodeSpeed, idleRoundTripMs, line[0], extraMsPerSequence}, curve);
    }

    /**
     * The per-request overhead charged: the median over the decode probe's requests of their served TTFT less their
     * prefill's measured compute and the round trip (as the idle probe's is worked out), written to {@code
     * probeDir/decode-overhead.csv}; the idle probe's {@code idleLine} where the decode probe's prefills do not line up
     * with its requests. No slope in the prompt tokens: the decode probe's prompts are all one length.
     *
     * <p>Why the decode probe's: its requests follow each other 0.2 s apart, each after the last one's hundred ms of
     * decoding, where the idle probe's reach a server idle for a quarter second; the replays imply an overhead of 4
     * to 7 ms where the idle probe charged 8 to 12, and the served TTFT of prompts under 150 tokens lay 2.4 to 6.2 ms
     * below the simulated in ten of eleven kept runs. Re-simulated with the decode probe's overhead, fourteen kept
     * runs' TTFT P50 errors went from a mean absolute 12.1% to 7.6% (experiments/validation-tails.md, section 11).
     *
     * @return the overhead in ms and its slope in ms per prompt token
     */
    static double[] decodeProbeOverhead(Path probeDir, List<StepRecorder.ServedStep> decodeSteps, long promptTokens,
            double roundTripMs, double[] idleLine, int requests) throws IOException {
        long[] prompts = new long[requests];
        Arrays.fill(prompts, promptTokens + PROMPT_OVERHEAD_TOKENS);
        double[] computed = probePrefillComputeMs(decodeSteps, prompts);
        if (computed == null) {
            return idleLine;
        }
        double[] served = servedTtftMs(probeDir.resolve("decode-probe").resolve("requests.csv"), requests);
        double[] inside = new double[requests];
        StringBuilder csv = new StringBuilder("request,prompt_tokens,served_ttft_ms,prefill_compute_ms,round_trip_ms,"
                + "overhead_ms\n");
        for (int i = 0; i < requests; i++) {
            inside[i] = computed[i] + roundTripMs;
            csv.append(String.format(Locale.ROOT, "%d,%d,%.4f,%.4f,%.4f,%.4f%n", i, prompts[i], served[i], computed[i],
                    roundTripMs, served[i] - inside[i]));
        }
        Files.writeString(probeDir.resolve("decode-overhead.csv"), csv);
        return new double[] {overheadMs(served, inside), 0};
    }

    /**
     * The per-step round trip the simulation charges: the median over the decode probe's decode steps where it has
     * any, else the idle probe's. The idle probe's requests leave the executors idle for a quarter second or more
     * between them, and their first steps after a pause come back slower: in four served runs of 2026-12-05 with the
     * decode probe 0.2 s apart (a 1,000-request validation and three demos), the idle probe's median was 16%, 34%, 84%
     * and 85% above the replay's decode steps' median, the decode probe's 8%, 28%, 16% and 7%
     * (experiments/validation-tails.md, section 11). The idle probe's round trip is still written beside it.
     */
    static double chargedRoundTripMs(List<StepRecorder.ServedStep> idle, List<StepRecorder.ServedStep> loaded) {
        boolean decoded = loaded.stream().anyMatch(s -> s.step() instanceof
                org.cornserve.planner.schedule.batch.Step.LlmStep l && l.prefillTokens() == 0);
        return StepRecorder.roundTripMs(decoded ? loaded : idle);
    }

    /**
     * Requests of the decode probe, their answers' tokens and their spacing: one in flight at a time, so that no two
     * executors decode at once (a request's prefill and 32 reports took 63 to 102 ms of step time in a demo and a
     * validation at 0.2 s apart, no step overlapping another); at 0.1 s apart two replicas' steps overlapped in a demo
     * and ran at 1.45 to 1.84 of their charge where the probe's first, lone steps ran at 0.99.
     *
     * <p>24 of them, not 8 (until 2026-12-06): one request's steady decode steps ran at 0.82 to 2.39 of the profile
     * within a probe's two seconds, the machine's speed moving at sub-second scale (each request's speed off its
     * probe's mean by 0.146 in log terms at the standard deviation, over the thirty probes of r17 to r26); the first
     * four requests' speed over the last four's was 0.173 off in log terms (root mean square), so an 8-request
     * probe's own noise was about 0.087, near half the variance of its error against the replay after it (0.133 root
     * mean square, times the replay-over-probe ratio): 24 requests take it to about 0.05, for three seconds more
     * (experiments/validation-tails.md, section 18).
     */
    static final int DECODE_PROBES = 24;
    static final int DECODE_PROBE_OUTPUT_TOKENS = 128;
    static final double DECODE_PROBE_GAP_S = 0.2;

    /**
     * The batch probe: {@value #BATCH_PROBE_GROUPS} groups of requests arriving together, one per answer length of
     * {@link #BATCH_PROBE_ANSWERS}, so that the executor decodes three sequences at once, then two, then one; the
     * groups {@value #BATCH_PROBE_GAP_S} s apart, each done before the next (a group's prefills and 30 reports took 0.12 to
     * 0.18 s in r6). The decode probe's requests follow one another, so all its steps decode one
     * sequence, and the replay's steps of two to six sequences (a fifth of its decode steps) would be charged at that
     * one sequence's speed with the served costs' fixed extra: in three replays of 5 December their extra per
     * sequence beyond the profile ran 0.16 to 0.19 ms per iteration (TPOT P90 13% fast at the served speed without
     * it), in the earlier runs of the day 0.02 to 0.11, steady within a run ({@link
     * ServedCostsFit#batchExtraMsPerSequence}).
     */
    static final int BATCH_PROBE_GROUPS = 6;
    static final int[] BATCH_PROBE_ANSWERS = {40, 80, 120};
    static final double BATCH_PROBE_GAP_S = 0.5;

    /** {@code groups} of the batch probe's requests, {@value #BATCH_PROBE_GAP_S} s apart. */
    static String batchProbeTrace(long promptTokens, int groups) {
        StringBuilder sb = new StringBuilder();
        for (int g = 0; g < groups; g++) {
            for (int answer : BATCH_PROBE_ANSWERS) {
                sb.append(String.format(Locale.ROOT, "{\"arrival_s\":%.6f,\"app\":\"default\",\"text_tokens\":%d,"
                        + "\"output_tokens\":%d}%n", BATCH_PROBE_GAP_S * g, promptTokens, answer));
            }
        }
        return sb.toString();
    }

    /** {@code requests} of the decode probe's, {@value #DECODE_PROBE_GAP_S} s apart. */
    static String decodeProbeTrace(long promptTokens, int requests) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < requests; i++) {
            sb.append(String.format(Locale.ROOT, "{\"arrival_s\":%.6f,\"app\":\"default\",\"text_tokens\":%d,"
                    + "\"output_tokens\":%d}%n", DECODE_PROBE_GAP_S * i, promptTokens, DECODE_PROBE_OUTPUT_TOKENS));
        }
        return sb.toString();
    }

    /**
     * The decode probe's mean speed against the profile (the batch probe's extra per sequence is measured against it;
     * the prediction charges its requests' 25th percentile, {@link #decodeProbeSpeed}): its steps' measured compute
     * summed over the profile's charge summed, over the steps that ran while no other executor computed (those that did
     * are charged the host-sharing slowdown apart), from a {@link StepRecorder#write} summary; 1 without such steps.
     * The probe keeps the executors decoding (one request in flight at a time, 32 reports each), as a loaded replay
     * does, where the idle probe's four decode steps a request ran 10% fast to 42% slow against the replay's. The first
     * {@value StepRecorder#AFTER_PREFILL_STEPS} steps after each prefill are left out where the summary has the rest
     * ({@code alone_steady_sum_compute_over_sum_simulated}): they pay to refill the caches and the simulation charges
     * them at the served costs' after-prefill ratio.
     *
     * <p>The sum, not the median of the steps (until 2026-12-06 what the prediction charged): a served decode step runs
     * slow now and then (compute over its charge at P90 1.3 to 1.4 of P50 in a quiet replay), so the steps' mean lies
     * 2% to 17% above their median, and a request's time per token is a sum over its steps, as an engine's busy time
     * (and so the queueing behind it) is. Charged at the median, five 1,000-request validations re-simulated came out
     * fast at TPOT P50 in four (-18.5% to +6.9%) and at E2E P90 in all five; at the sum, their mean absolute error over
     * the nine latency cells went from 8.9% to 7.9% and TPOT's from 15.6% to 12.7% (experiments/validation-tails.md,
     * section 11).
     */
    static double decodeScale(java.util.Map<String, Object> summary) {
        Object d = summary.get("decode_only");
        if (!(d instanceof java.util.Map<?, ?> decode)) {
            return 1;
        }
        Object steady = decode.get("alone_steady_sum_compute_over_sum_simulated");
        Object sum = steady != null ? steady : decode.get("alone_sum_compute_over_sum_simulated");
        if (!(sum instanceof Number s) || !(s.doubleValue() > 0) || Double.isInfinite(s.doubleValue())) {
            return 1;
        }
        return s.doubleValue();
    }

    /** The decode probe's requests that {@link #decodeProbeSpeed} needs before it takes their quantile. */
    static final int MIN_DECODE_PROBE_REQUESTS = 4;

    /** The quantile of the decode probe's requests' speeds charged ({@link #decodeProbeSpeed}). */
    static final double DECODE_PROBE_QUANTILE = 0.25;

    /**
     * The speed the prediction charges decodes at, from the decode probe's steps ({@code decode-probe-steps.csv}): each
     * request's steady decode-only steps (past the first {@code StepRecorder.AFTER_PREFILL_STEPS} after its prefill,
     * alone as the probe's summary counts them: others computing less than a tenth of the step), their summed compute
     * over their summed charge (a request's time per token is a sum over its steps), and over the requests the {@value
     * #DECODE_PROBE_QUANTILE} quantile (linear between order statistics): the probe's speed outside its slow spells, as
     * the prefill probe takes its tenth percentile where it met one ({@link #prefillScale}). The served costs'
     * replay-over-probe ratio of decodes is fitted on it. {@code fallback} (the probe's summed speed, {@link
     * #decodeScale}) with fewer than {@value #MIN_DECODE_PROBE_REQUESTS} requests.
     *
     * <p>Why not the sum over all its steps: the machine's speed moves at sub-second scale, and a spell of a second or
     * two within the probe's few seconds moved the sum by up to half (r27 of 2026-12-06, replay 1: its last twelve
     * requests ran at twice the first twelve's time, the sum charged 1.61 of the profile where the replay ran at 1.12).
     * Over the eighteen replays of r17 to r22, each estimate times its own replay-over-probe ratio fitted there,
     * against the replay's steady decode speed (log error): the sum 0.128 mean absolute (0.157 root mean square), the
     * requests' median 0.142, their trimmed mean 0.132, their 25th percentile 0.104 (0.127); on the fifteen replays of
     * r23 to r27, not in the fit, 0.095, 0.094, 0.098 and 0.077 (0.135 and 0.099 root mean square; at most 0.41 and
     * 0.21) (experiments/validation-tails.md, section 18).
     */
    static double decodeProbeSpeed(List<ServedCostsFit.Row> steps, double fallback) {
        List<Double> speeds = new ArrayList<>();
        double compute = 0;
        double charge = 0;
        for (ServedCostsFit.Row r : steps) {
            if (!r.decodeOnly()) {
                if (charge > 0) {
                    speeds.add(compute / charge);
                }
                compute = 0;
                charge = 0;
            } else if (r.afterPrefill() > StepRecorder.AFTER_PREFILL_STEPS && r.othersComputing() < 0.1
                    && r.simulatedMs() > 0) {
                compute += r.computeMs();
                charge += r.simulatedMs();
            }
        }
        if (charge > 0) {
            speeds.add(compute / charge);
        }
        if (speeds.size() < MIN_DECODE_PROBE_REQUESTS) {
            return fallback;
        }
        double[] v = speeds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return org.cornserve.simulator.config.ServedStepCosts.quantileAt(v, DECODE_PROBE_QUANTILE);
    }

    /**
     * The decode speed replay {@code k} of the validation output {@code run} is charged at: the build's rule ({@link
     * #decodeProbeSpeed}) on its kept decode probe's steps ({@code measured[-k]-probe/decode-probe-steps.csv}), so that
     * a run kept from before a change of the rule is judged by the new one; {@code kept} (the figure the run charged)
     * where its probe's steps were not kept. {@code validate --resimulate} and {@code TailReport probe-level} call it.
     */
    static double keptDecodeSpeed(Path run, int k, double kept) throws IOException {
        Path measured = replayDir(run.resolve("measured"), k);
        Path steps = probeDir(measured).resolve("decode-probe-steps.csv");
        return Files.isRegularFile(steps) ? decodeProbeSpeed(ServedCostsFit.read(steps), kept) : kept;
    }

    /**
     * The served costs of this machine embedded in the jar ({@code served-costs-cpu.json}, what {@code
     * --served-costs embedded} charges).
     */
    static InputStream embeddedServedCosts() {
        InputStream in = Validation.class.getResourceAsStream("served-costs-cpu.json");
        if (in == null) {
            throw new IllegalStateException("the embedded served-costs-cpu.json is missing from the jar");
        }
        return in;
    }

    /**
     * The speed the served engine's prefills ran at, against the profile: over the probe's requests, their prefill's
     * measured compute over the profile's charge for it, at the median; 1 without measured prefills. The probe runs
     * right before the replay, on the served executors, with synthesised prompts (none of the judged requests), so
     * the simulation is charged at the machine's speed of that minute rather than the profiler's: on this project's
     * VM the same profile point moved by up to a third from one minute to the next.
     *
     * <p>Where the ratios spread (the median more than {@value #PREFILL_SPREAD} above the tenth percentile), a slow
     * spell of the machine caught part of the probe, and the tenth percentile (the probe outside it) is charged
     * instead. Over ten served runs of 2026-12-05 (experiments/validation-tails.md, section 10) the profile alone
     * charged prefills 4% to 21% off the replay's own speed (mean 9.2%); the probe's median 1% to 7% off in eight,
     * but 24% and 25% in the two whose probe met a slow spell (spread 21% and 23%; the other eight 4% to 11%); with
     * the rule 1% to 7% in all ten (mean 2.8%). The threshold was chosen on those same ten runs. Decode is measured
     * apart, under load ({@link #decodeScale}): the idle probe's decode steps ran 10% fast to 42% slow against the
     * replay's.
     *
     * <p>Tried and not kept (2026-12-05): where the ratios spread, letting the decode probe's prefills (later, nearer
     * the replay) pick between the tenth percentile and the median. It fixed the one run it was drawn from (a slow
     * kind that went on into the replay) and charged the next two runs' prefills 20% and 22% slow, where the tenth
     * percentile was within 5% (experiments/validation-tails.md, section 11).
     */
    static double prefillScale(double[] computedMs, double[] profileMs) {
        if (computedMs == null || computedMs.length == 0) {
            return 1;
        }
        double[] ratio = new double[computedMs.length];
        for (int i = 0; i < ratio.length; i++) {
            if (!(computedMs[i] > 0) || !(profileMs[i] > 0)) {
                return 1;
            }
            ratio[i] = computedMs[i] / profileMs[i];
        }
        if (ratio.length == 1) {
            return ratio[0];
        }
        Arrays.sort(ratio);
        double median = median(ratio);
        double p10 = org.cornserve.simulator.config.ServedStepCosts.quantileAt(ratio, 0.10);
        return median - p10 > PREFILL_SPREAD * median ? p10 : median;
    }

    /** How far (a share of the median) the probe's median prefill ratio may lie above its tenth percentile. */
    static final double PREFILL_SPREAD = 0.15;

    /**
     * The measured compute of each probe request's prefill: the probe sends its requests one at a time, so its
     * prefill steps, in the order they ended, are its requests' in order, each of the request's prompt tokens; null
     * when the steps do not line up with the requests that way (then the profile's charge stands in).
     */
    static double[] probePrefillComputeMs(List<StepRecorder.ServedStep> steps, long[] promptTokens) {
        List<StepRecorder.ServedStep> prefills = steps.stream().filter(s -> s.step()
                instanceof org.cornserve.planner.schedule.batch.Step.LlmStep l && l.prefillTokens() > 0)
                .sorted(java.util.Comparator.comparingLong(StepRecorder.ServedStep::endNanos)).toList();
        if (prefills.size() != promptTokens.length) {
            return null;
        }
        double[] ms = new double[promptTokens.length];
        for (int i = 0; i < ms.length; i++) {
            var l = (org.cornserve.planner.schedule.batch.Step.LlmStep) prefills.get(i).step();
            if (l.prefillTokens() != promptTokens[i] || l.decodeSequences() > 0) {
                return null;
            }
            ms[i] = prefills.get(i).computeNanos() / 1e6;
        }
        return ms;
    }

    /**
     * The per-request overhead as a line in the prompt's tokens, from idle probes: the least-squares fit of served
     * TTFT less simulated TTFT against the prompt tokens, {@code {intercept ms, ms per token}}. The served overhead
     * grows with the prompt (tokenizing, building and moving it: experiments/validation-tails.md); where the fit's
     * slope is not positive (or the probes have one length), the median overhead ({@link #overheadMs}) and no slope.
     * The intercept is never below 0.
     */
    static double[] overheadLine(double[] tokens, double[] servedTtftMs, double[] simulatedTtftMs) {
        double median = overheadMs(servedTtftMs, simulatedTtftMs);
        org.apache.commons.math3.stat.regression.SimpleRegression fit =
                new org.apache.commons.math3.stat.regression.SimpleRegression();
        for (int i = 0; i < tokens.length; i++) {
            fit.addData(tokens[i], servedTtftMs[i] - simulatedTtftMs[i]);
        }
        double slope = fit.getSlope();
        if (!(slope > 0)) {
            return new double[] {median, 0};
        }
        return new double[] {Math.max(0, fit.getIntercept()), slope};
    }

    /**
     * The per-request overhead from idle probes: the median over requests of served TTFT less the simulated TTFT
     * (without overhead) of the same request, never below 0 (the simulator cannot take time away).
     */
    static double overheadMs(double[] servedTtftMs, double[] simulatedTtftMs) {
        if (servedTtftMs.length != simulatedTtftMs.length || servedTtftMs.length == 0) {
            throw new IllegalArgumentException("probe: " + servedTtftMs.length + " served against "
                    + simulatedTtftMs.length + " simulated times");
        }
        double[] d = new double[servedTtftMs.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = servedTtftMs[i] - simulatedTtftMs[i];
        }
        return Math.max(0, median(d));
    }

    /** The median of {@code values} (the mean of the middle two for an even count, Commons Math's); NaN for none. */
    static double median(double[] values) {
        return new org.apache.commons.math3.stat.descriptive.rank.Median().evaluate(values);
    }

    /** The probe's prompt lengths: the 25th, 50th and 75th percentile of the trace's text tokens (at least 1). */
    static long[] probeLengths(List<Long> textTokens) {
        if (textTokens.isEmpty()) {
            throw new IllegalArgumentException("probe: the trace has no requests");
        }
        long[] v = textTokens.stream().mapToLong(t -> Math.max(1, t)).sorted().toArray();
        int last = v.length - 1;
        return java.util.stream.LongStream.of(v[last / 4], v[last / 2], v[3 * last / 4]).distinct().toArray();
    }

    /** Requests of the prefill-shape probe, cycling through its {@link #shapeLengths}. */
    static final int SHAPE_PROBES = 12;

    /**
     * The prefill-shape probe's prompt lengths: the trace's 5th, 90th and 99th percentile of text tokens, at most
     * {@code longest} (a prompt of the profile's longest prefill point less the chat markup, so that each prefills in
     * one step), leaving out those the idle probe's quartiles already take.
     *
     * <p>Why: the idle probe's prefill speed is measured at the quartile lengths (99 to 295 tokens in the
     * 1,000-request validation), and the profile's shape beyond them stood as measured. One validation of 5 December
     * met a profile measured in a slow spell for long prompts (1,024 tokens: 291 ms, where the day's other profiles
     * had 208 to 245): its three replays ran prefills of 512 tokens and more at 0.74 to 0.91 of the profile and those
     * of 128 to 255 at 1.04 to 1.11, and the prediction put TTFT P90 25% and E2E P99 43% slow. Scaling the profile's
     * prefill points by the replay's own speed at each length (an oracle, to size the effect) brought its first
     * replay's TTFT P90 from +41.0% to -1.4% and E2E P99 from +71.1% to -8.0%.
     */
    static long[] shapeLengths(List<Long> textTokens, long longest, long[] quartiles) {
        if (textTokens.isEmpty()) {
            throw new IllegalArgumentException("probe: the trace has no requests");
        }
        long[] v = textTokens.stream().mapToLong(t -> Math.max(1, t)).sorted().toArray();
        int last = v.length - 1;
        java.util.Set<Long> taken = Arrays.stream(quartiles).boxed().collect(java.util.stream.Collectors.toSet());
        return java.util.stream.LongStream.of(v[last / 20], v[(int) (0.9 * last)], v[(int) (0.99 * last)])
                .map(t -> Math.max(1, Math.min(t, longest))).distinct().filter(t -> !taken.contains(t)).toArray();
    }

    /**
     * The prefill-shape probe's trace: {@code requests} (by default {@value #SHAPE_PROBES}) cycling through {@code
     * lengths}, one at a time:
     * each at least 0.25 s and four times the longer prefill charge of it and the one before it after that one, so
     * that the last request has finished (its prefill and its answer) and each prefill runs alone. (At four times its
     * own charge only, a short prompt came 0.25 s after a 1,006-token one whose prefill took 0.23 s, was prefilled
     * beside its decode, and the probe's prefills no longer lined up with its requests: two of r6's three replays.)
     */
    static String shapeProbeTrace(long[] lengths, java.util.function.LongToDoubleFunction prefillMs, int requests) {
        StringBuilder sb = new StringBuilder();
        double at = 0;
        double last = 0;
        for (int i = 0; i < requests; i++) {
            long t = lengths[i % lengths.length];
            double prefill = prefillMs.applyAsDouble(t + PROMPT_OVERHEAD_TOKENS);
            at += Math.max(0.25, 4 * Math.max(prefill, last) / 1e3);
            last = prefill;
            sb.append(String.format(Locale.ROOT, "{\"arrival_s\":%.6f,\"app\":\"default\",\"text_tokens\":%d,"
                    + "\"output_tokens\":%d}%n", at, t, PROBE_OUTPUT_TOKENS));
        }
        return sb.toString();
    }

    /**
     * The served prefill speed against the profile by prompt length: per distinct prompt length among the probes'
     * requests ({@code promptTokens}, the chat markup counted), {@link #prefillScale} of their measured compute over
     * the profile's charge (the median, or the tenth percentile where a slow spell spread them), as a {@link
     * PrefillScaleCurve}; null without measured prefills.
     */
    static org.cornserve.model.profile.PrefillScaleCurve prefillCurve(long[] promptTokens, double[] computedMs,
            double[] profileMs) {
        if (computedMs == null || computedMs.length == 0) {
            return null;
        }
        java.util.TreeMap<Long, List<double[]>> byLength = new java.util.TreeMap<>();
        for (int i = 0; i < promptTokens.length; i++) {
            byLength.computeIfAbsent(promptTokens[i], t -> new ArrayList<>()).add(new double[] {computedMs[i],
                profileMs[i]});
        }
        List<Long> tokens = new ArrayList<>();
        List<Double> scales = new ArrayList<>();
        byLength.forEach((t, pairs) -> {
            double scale = prefillScale(pairs.stream().mapToDouble(p -> p[0]).toArray(), pairs.stream().mapToDouble(
                    p -> p[1]).toArray());
            tokens.add(t);
            scales.add(scale);
        });
        // as validation.json keeps it: a re-judgment (validate --resimulate) reads back what the live run charged
        return new org.cornserve.model.profile.PrefillScaleCurve(tokens, scales).asWritten();
    }

    private static long[] concat(long[] a, long[] b) {
        return java.util.stream.LongStream.concat(Arrays.stream(a), Arrays.stream(b)).toArray();
    }

    private static double[] concat(double[] a, double[] b) {
        return java.util.stream.DoubleStream.concat(Arrays.stream(a), Arrays.stream(b)).toArray();
    }

    /** The probe trace: {@code requests} text requests cycling through {@code lengths}, {@code gapSeconds} apart. */
    static String probeTrace(long[] lengths, double gapSeconds, int requests) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < requests; i++) {
            sb.append(String.format(Locale.ROOT, "{\"arrival_s\":%.6f,\"app\":\"default\",\"text_tokens\":%d,"
                    + "\"output_tokens\":%d}%n", gapSeconds * (i + 1), lengths[i % lengths.length],
                    PROBE_OUTPUT_TOKENS));
        }
        return sb.toString();
    }

    /** Warm-up requests before the probes and the replay, by default ({@link #warmupTrace}). */
    public static final String WARMUP_REQUESTS = "600";
    public static final int WARMUP_REQUEST_COUNT = Integer.parseInt(WARMUP_REQUESTS);

    /** Answer tokens of a warm-up request: a prefill and two reports; every tenth answers at length (batched decodes). */
    static final int WARMUP_OUTPUT_TOKENS = 9;
    static final int WARMUP_LONG_OUTPUT_TOKENS = 64;
    static final double WARMUP_PREFILL_SPACING = 1.5;
    static final double WARMUP_EXTRA_SPACING_MS = 10;
    /** A warm-up request's prompt between two at the trace's quartile lengths: the per-request paths, cheaply. */
    static final long WARMUP_SHORT_PROMPT = 16;

    /**
     * The warm-up before the probes and the replay, written to {@code out}: {@code requests} synthetic streamed
     * requests, not the judged trace's own, every other one at the trace's quartile prompt lengths in turn
     * ({@link #probeLengths}) and the rest {@value #WARMUP_SHORT_PROMPT} tokens, each {@value #WARMUP_OUTPUT_TOKENS}
     * answer tokens (every tenth {@value #WARMUP_LONG_OUTPUT_TOKENS}, so that decodes batch), each arriving its
     * prefill's charge ({@code prefillMs}, ms by prompt tokens) times {@value #WARMUP_PREFILL_SPACING} plus {@value
     * #WARMUP_EXTRA_SPACING_MS} ms after the one before, whatever the machine's speed: below the capacity of a
     * server past its warm-up, so that the requests meet the server as the probes and the replay do. At 1.25 times
     * plus 5 ms a cold server fell behind at once and held a two-second queue through the warm-up (TTFT median 2.06
     * s; /tmp/s12/v2).
     *
     * <p>Why: the gateway and control plane serve each request through code the JIT compiles only after hundreds of
     * requests. In a 1,000-request validation after a 40-request warm-up (2026-12-05, /tmp/s12/v1) the replay's
     * requests that found the server idle spent, beyond their prefill's compute and the round trip, 3.9 ms at the
     * median over its first hundred requests, 2.5 ms over the next two hundred and 1.5 to 1.8 ms over its last five
     * hundred; the serving JVM compiled for 12.9 s during the replay; and the probes, run between the warm-up and the
     * replay, measured 7.05 ms (the decode probe's) and 9.33 ms (the idle probe's), charged to every request.
     */
    static String warmupTrace(long[] quartiles, int requests, java.util.function.LongToDoubleFunction prefillMs) {
        StringBuilder sb = new StringBuilder();
        double at = 0;
        for (int i = 0; i < requests; i++) {
            long prompt = i % 2 == 0 ? quartiles[(i / 2) % quartiles.length] : WARMUP_SHORT_PROMPT;
            int answer = i % 10 == 9 ? WARMUP_LONG_OUTPUT_TOKENS : WARMUP_OUTPUT_TOKENS;
            sb.append(String.format(Locale.ROOT, "{\"arrival_s\":%.6f,\"app\":\"default\",\"text_tokens\":%d,"
                    + "\"output_tokens\":%d}%n", at, prompt, answer));
            at += (WARMUP_PREFILL_SPACING * prefillMs.applyAsDouble(prompt + PROMPT_OVERHEAD_TOKENS)
                    + WARMUP_EXTRA_SPACING_MS) / 1e3;
        }
        return sb.toString();
    }

    /** {@link #warmupTrace} for a served plan and a judged JSONL trace, written to {@code out}; returns it. */
    public static Path writeWarmupTrace(ResolvedPlan plan, ProfileBook profiles, Path trace, int requests, Path out)
            throws IOException {
        String model = plan.plan().models().get(0);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, warmupTrace(probeLengths(textTokens(trace)), requests,
                tokens -> prefillMs(model, plan, profiles, tokens)));
        return out;
    }

    /** Calibration requests, by default ({@link #writeCalibrationTrace}). */
    public static final String CALIBRATION_REQUESTS = "300";
    /** Fewer calibration requests than this are not replayed (a few 10 s windows at the least). */
    static final int MIN_CALIBRATION_REQUESTS = 50;

    /**
     * The calibration replay's trace, written to {@code out}: the requests of {@code longer} (the trace cut as the
     * judged {@code slice} was, with more requests kept) after the slice's, at most {@code requests} of them, their
     * arrivals shifted so that the first comes at 0. Requests the judged replays never see, from the same window and
     * transforms, so of the trace's mix: what the sensed speed is calibrated on before the first replay, in place of
     * the synthetic warm-up.
     *
     * @return the requests written; 0 (nothing written) where {@code longer} holds fewer than {@value
     *     #MIN_CALIBRATION_REQUESTS} beyond the slice
     * @throws IllegalArgumentException where {@code longer} does not begin with the slice's requests, naming both files
     */
    static int writeCalibrationTrace(Path longer, Path slice, int requests, Path out) throws IOException {
        var jsonl = org.cornserve.traces.TraceFormat.byName("jsonl");
        var options = org.cornserve.traces.ReadOptions.defaults();
        List<org.cornserve.traces.TraceRecord> rest = new ArrayList<>();
        try (org.cornserve.traces.TraceReader judged = jsonl.open(slice, options);
                org.cornserve.traces.TraceReader more = jsonl.open(longer, options)) {
            long line = 0;
            for (org.cornserve.traces.TraceRecord a; (a = judged.read()) != null; ) {
                line++;
                org.cornserve.traces.TraceRecord b = more.read();
                if (b == null || b.arrivalNanos() != a.arrivalNanos() || !b.shape().equals(a.shape())) {
                    throw new IllegalArgumentException(longer + ":" + line + ": does not hold " + slice + "'s request "
                            + line + " (" + (b == null ? "it ends first" : "it differs") + "): the calibration"
                            + " requests must follow the judged slice in one cut of the trace");
                }
            }
            for (org.cornserve.traces.TraceRecord b; rest.size() < requests && (b = more.read()) != null; ) {
                rest.add(b);
            }
        }
        if (rest.size() < MIN_CALIBRATION_REQUESTS) {
            return 0;
        }
        long first = rest.get(0).arrivalNanos();
        try (var w = org.cornserve.traces.jsonl.JsonlTraceWriter.create(out)) {
            for (org.cornserve.traces.TraceRecord r : rest) {
                w.write(r.withArrivalNanos(r.arrivalNanos() - first));
            }
        }
        return rest.size();
    }

    /** The text tokens of a JSONL trace's records. */
    private static List<Long> textTokens(Path trace) throws IOException {
        List<Long> out = new ArrayList<>();
        try (org.cornserve.traces.TraceReader reader = org.cornserve.traces.TraceFormat.byName("jsonl").open(trace,
                org.cornserve.traces.ReadOptions.defaults())) {
            for (org.cornserve.traces.TraceRecord r; (r = reader.read()) != null; ) {
                out.add((long) r.shape().textTokens());
            }
        }
        return out;
    }

    /** Each request's TTFT from a replay's {@code requests.csv}, by request id; every one must have completed. */
    static double[] servedTtftMs(Path requestsCsv, int count) throws IOException {
        List<String> lines = Files.readAllLines(requestsCsv);
        List<String> header = lines.isEmpty() ? List.of() : List.of(lines.get(0).split(",", -1));
        int id = header.indexOf("request_id");
        int st = header.indexOf("status");
        int ttft = header.indexOf("ttft_ms");
        if (id < 0 || st < 0 || ttft < 0) {
            throw new IllegalArgumentException(requestsCsv + ":1: needs request_id, status and ttft_ms columns");
        }
        double[] out = new double[count];
        Arrays.fill(out, Double.NaN);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (!f[st].equals("completed")) {
                throw new IllegalStateException(requestsCsv + ":" + (i + 1) + ": probe request " + f[id] + " "
                        + f[st] + ", not completed");
            }
            out[Integer.parseInt(f[id])] = Double.parseDouble(f[ttft]);
        }
        for (int i = 0; i < count; i++) {
            if (Double.isNaN(out[i])) {
                throw new IllegalStateException(requestsCsv + ": probe request " + i + " has no row");
            }
        }
        return out;
    }

    /**
     * What a served plan measured besides the replay's requests.
     *
     * @param overheadMs the per-request overhead: idle streamed probes' served TTFT less the simulator's TTFT of the
     *     same requests
     * @param overheadMsPerToken the per-request overhead's growth per prompt token (its fixed part is then
     *     {@code overheadMs}, the fit's intercept; see {@link #overheadLine}), 0 for none
     * @param servedCosts served step costs charged on top of the profiles ({@code simulate --served-costs}), or null
     * @param stepOverheadMs the control plane's round trip per LLM step (busy less compute) on the idle probes'
     *     steps, which the simulator charges per step as the runtime runs them ({@link #simulateArgs})
     * @param steps the served LLM steps' measured compute over the simulator's charge, by kind of step
     * @param session the served runtime's session id (its shared-memory files are named after it), or null
     * @param hostLoad the outside load the measured replay ran beside ({@link HostLoad#NONE} when not watched)
     * @param prefillComputeScale the speed the served engine's prefills ran at just before the replay, against the
     *     profile: the median over the idle probes' prefills of their measured compute over the profile's charge
     *     ({@link #prefillScale}); 1 when they could not be told apart
     * @param decodeComputeScale the speed its decode steps ran at just before the replay, against the profile: the
     *     median over the decode probe's steps ({@link #decodeScale}); 1 without them
     */
    public record Served(double overheadMs, double stepOverheadMs, java.util.Map<String, Object> steps,
            String session, Path servedCosts, double overheadMsPerToken, HostLoad hostLoad,
            double prefillComputeScale, double decodeComputeScale, double extraMsPerSequence,
            org.cornserve.model.profile.PrefillScaleCurve prefillCurve) {
        public Served {
            hostLoad = hostLoad == null ? HostLoad.NONE : hostLoad;
            for (double scale : new double[] {prefillComputeScale, decodeComputeScale}) {
                if (!(scale > 0) || Double.isInfinite(scale)) {
                    throw new IllegalArgumentException("served: a compute scale must be positive and finite, got "
                            + scale);
                }
            }
            if (!Double.isNaN(extraMsPerSequence) && (!(extraMsPerSequence >= 0)
                    || Double.isInfinite(extraMsPerSequence))) {
                throw new IllegalArgumentException("served: the extra ms per sequence must be >= 0 and finite (or"
                        + " NaN, not measured), got " + extraMsPerSequence);
            }
        }

        /** A served run whose batch probe measured no extra per sequence (the served costs' own is charged). */
        public Served(double overheadMs, double stepOverheadMs, java.util.Map<String, Object> steps,
                String session, Path servedCosts, double overheadMsPerToken, HostLoad hostLoad,
                double prefillComputeScale, double decodeComputeScale) {
            this(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                    prefillComputeScale, decodeComputeScale, Double.NaN);
        }

        /** A served run whose probes measured no prefill speed by prompt length. */
        public Served(double overheadMs, double stepOverheadMs, java.util.Map<String, Object> steps,
                String session, Path servedCosts, double overheadMsPerToken, HostLoad hostLoad,
                double prefillComputeScale, double decodeComputeScale, double extraMsPerSequence) {
            this(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                    prefillComputeScale, decodeComputeScale, extraMsPerSequence, null);
        }

        public Served(double overheadMs, double stepOverheadMs, java.util.Map<String, Object> steps,
                String session, Path servedCosts, double overheadMsPerToken, HostLoad hostLoad) {
            this(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad, 1, 1);
        }

        public Served(double overheadMs, double stepOverheadMs, java.util.Map<String, Object> steps, String session) {
            this(overheadMs, stepOverheadMs, steps, session, null, 0, HostLoad.NONE);
        }

        /** This served run with served step costs from {@code file} charged on top (null: none). */
        public Served withServedCosts(Path file) {
            return new Served(overheadMs, stepOverheadMs, steps, session, file, overheadMsPerToken, hostLoad,
                    prefillComputeScale, decodeComputeScale, extraMsPerSequence, prefillCurve);
        }

        /**
         * What the probes measured, as {@code validation.json} names it: the overheads, the speeds against the
         * profile, and the extra per sequence and the prefill's speed by length where measured.
         */
        public java.util.Map<String, Object> probedFigures() {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("request_overhead_ms", overheadMs);
            m.put("request_overhead_ms_per_token", overheadMsPerToken);
            m.put("step_overhead_ms", stepOverheadMs);
            m.put("prefill_compute_scale", prefillComputeScale);
            m.put("decode_compute_scale", decodeComputeScale);
            if (!Double.isNaN(extraMsPerSequence)) {
                m.put("extra_ms_per_sequence", extraMsPerSequence);
            }
            if (prefillCurve != null) {
                m.put("prefill_compute_scale_at", prefillCurve.toString());
            }
            return m;
        }

        /** This served run with another round trip per LLM step, in ms (>= 0). */
        public Served withStepOverheadMs(double ms) {
            if (!(ms >= 0) || Double.isInfinite(ms)) {
                throw new IllegalArgumentException("served: the round trip per step must be >= 0 and finite, got "
                        + ms);
            }
            return new Served(overheadMs, ms, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                    prefillComputeScale, decodeComputeScale, extraMsPerSequence, prefillCurve);
        }

        /** This served run with another prefill curve (the probes' of several replays pooled: {@link #meanCurve}). */
        public Served withPrefillCurve(org.cornserve.model.profile.PrefillScaleCurve curve) {
            return new Served(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                    prefillComputeScale, decodeComputeScale, extraMsPerSequence, curve);
        }

        /**
         * This served run for a simulation whose {@link #speedTrace speed trace} sets the compute's level: no scale,
         * the prefill's shape by prompt length ({@link Validation#prefillShape}; null: none) kept.
         */
        public Served atSpeedTrace(org.cornserve.model.profile.PrefillScaleCurve prefillShape) {
            return new Served(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad, 1,
                    1, extraMsPerSequence, prefillShape);
        }

        /** This served run with its compute charged at the profile's speed (for a {@link #speedTrace} to set it). */
        public Served atProfileSpeed() {
            return new Served(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad, 1,
                    1, extraMsPerSequence);
        }

        /**
         * This served run as the prediction charges it: the probes' decode speed times the served costs'
         * replay-over-probe ratio of decodes ({@link
         * org.cornserve.simulator.config.ServedStepCosts#replayOverProbeDecode}), and where its prefill curve holds
         * the served steps' shape ({@code servedShape}, {@link Validation#predictionCurve}) the prefill speed times
         * theirs ({@link org.cornserve.simulator.config.ServedStepCosts#replayOverProbePrefill}: it was fitted on
         * prefills charged so; on the probes' own curve, whose long prompts run slow, it put the tails of two of three
         * runs 38% and 47% high, experiments/validation-tails.md, section 18); itself without served costs or
         * ratios. Only the simulation as probed: the speed-trace simulations take their level from a trace.
         */
        public Served asProbed(boolean servedShape) throws IOException {
            double[] ratio = replayOverProbe();
            if (!servedShape) {
                ratio[0] = 0;
            }
            if (ratio[0] == 0 && ratio[1] == 0) {
                return this;
            }
            var curve = prefillCurve == null ? null : new org.cornserve.model.profile.PrefillScaleCurve(
                    prefillCurve.tokens(), prefillCurve.scales().stream()
                            .map(x -> org.cornserve.simulator.config.ServedStepCosts.replayOverProbe(ratio[0], x))
                            .toList());
            return new Served(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                    org.cornserve.simulator.config.ServedStepCosts.replayOverProbe(ratio[0], prefillComputeScale),
                    org.cornserve.simulator.config.ServedStepCosts.replayOverProbe(ratio[1], decodeComputeScale),
                    extraMsPerSequence, curve);
        }

        /** This served run with this extra per sequence (NaN: the served costs'). */
        public Served withExtraMsPerSequence(double extra) {
            return new Served(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                    prefillComputeScale, decodeComputeScale, extra, prefillCurve);
        }

        /** This served run with its prefills and decodes charged at these scales (its prefill curve kept). */
        public Served withComputeScales(double prefill, double decode) {
            return new Served(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                    prefill, decode, extraMsPerSequence, prefillCurve);
        }

        /**
         * The served costs' ratios of a replay's prefill and decode speeds over the served run's before it ({@link
         * ServedBefore}): over a warm-up's later half ({@code warmup}, the demo's) or over a served replay of the
         * trace's kind (validate's); each 0 where off, both 0 without served costs.
         */
        public double[] replayOverServedBefore(boolean warmup) throws IOException {
            if (servedCosts == null) {
                return new double[2];
            }
            var costs = org.cornserve.cli.simulate.SimulateCommand.readServedCosts(servedCosts);
            return warmup ? new double[] {costs.replayOverWarmupPrefill(), costs.replayOverWarmupDecode()}
                    : new double[] {costs.replayOverServedBeforePrefill(), costs.replayOverServedBeforeDecode()};
        }

        /**
         * The served costs' weights of the served run before the replay against the probes, prefills' and decodes'
         * ({@link org.cornserve.simulator.config.ServedBeforeWeights#of}): a warm-up's ({@code warmup}, the demo's) or
         * validate's run before; the defaults without served costs.
         */
        public double[] servedBeforeWeights(boolean warmup) throws IOException {
            var weights = servedCosts == null ? org.cornserve.simulator.config.ServedBeforeWeights.DEFAULT
                    : org.cornserve.cli.simulate.SimulateCommand.readServedCosts(servedCosts).servedBeforeWeights();
            return weights.of(warmup);
        }

        /**
         * The served costs' replay-over-probe ratios of prefills and decodes, each 0 where off; both 0 without served
         * costs.
         */
        public double[] replayOverProbe() throws IOException {
            if (servedCosts == null) {
                return new double[2];
            }
            var costs = org.cornserve.cli.simulate.SimulateCommand.readServedCosts(servedCosts);
            return new double[] {costs.replayOverProbePrefill(), costs.replayOverProbeDecode()};
        }

        /**
         * The extra per iteration per delivered sequence beyond the first that the simulation charges: the batch
         * probe's where it measured one and served costs are charged, else the served costs' own; 0 without them.
         */
        public double chargedExtraMsPerSequence() throws IOException {
            if (servedCosts == null) {
                return 0;
            }
            return Double.isNaN(extraMsPerSequence)
                    ? org.cornserve.cli.simulate.SimulateCommand.readServedCosts(servedCosts).extraMsPerSequence()
                    : extraMsPerSequence;
        }

        /** The served costs' after-prefill ratio of prefills the simulation charges; 0 (none) without them. */
        public double chargedPrefillAfterPrefillRatio() throws IOException {
            return servedCosts == null ? 0
                    : org.cornserve.cli.simulate.SimulateCommand.readServedCosts(servedCosts)
                            .prefillAfterPrefillRatio();
        }

        /**
         * Passes of the slice a prediction simulates: the served costs' {@code prediction_passes} where they draw
         * something ({@link org.cornserve.simulator.config.ServedStepCosts#draws}), else 1 (passes without draws
         * would all be the same).
         */
        public int predictionPasses() throws IOException {
            if (servedCosts == null) {
                return 1;
            }
            org.cornserve.simulator.config.ServedStepCosts costs = org.cornserve.cli.simulate.SimulateCommand
                    .readServedCosts(servedCosts);
            return costs.draws() ? costs.passes() : 1;
        }

        /**
         * {@link #simulateArgs()} for a prediction: the slice simulated {@link #predictionPasses()} times back to back
         * ({@code --repeat}), each pass drawing anew; the prediction reads each percentile as the median over the
         * passes of each pass's own ({@link PassPercentiles}).
         */
        public List<String> predictionArgs() throws IOException {
            List<String> args = new ArrayList<>(simulateArgs());
            int passes = predictionPasses();
            if (passes > 1) {
                args.addAll(List.of("--repeat", Integer.toString(passes)));
            }
            return args;
        }

        /**
         * The {@code simulate} options that charge what this served run measured: the per-request overhead, and the
         * per-step round trip at the runtime's decode iterations per report; and the served step costs, if any.
         */
        public List<String> simulateArgs() {
            List<String> args = new ArrayList<>(List.of("--request-overhead-ms", String.format(Locale.ROOT, "%.4f",
                    overheadMs), "--step-overhead-ms", String.format(Locale.ROOT, "%.4f", stepOverheadMs),
                    "--tokens-per-report", Long.toString(SERVED_OPTIONS.maxRunIterations()),
                    "--prompt-overhead-tokens", Integer.toString(PROMPT_OVERHEAD_TOKENS),
                    // the round trip measured here holds what the profiler counted as overhead: charged once
                    "--compute-only-profiles"));
            if (servedCosts != null) {
                args.addAll(List.of("--served-costs", servedCosts.toString()));
                if (!Double.isNaN(extraMsPerSequence)) {
                    args.addAll(List.of("--extra-ms-per-sequence", String.format(Locale.ROOT, "%.4f",
                            extraMsPerSequence)));
                }
            }
            if (overheadMsPerToken > 0) {
                args.addAll(List.of("--request-overhead-ms-per-token", String.format(Locale.ROOT, "%.6f",
                        overheadMsPerToken)));
            }
            if (prefillCurve != null) {
                // the speed at each probed length stands in for the one scale
                args.addAll(List.of("--prefill-compute-scale-at", prefillCurve.toString()));
            } else if (prefillComputeScale != 1) {
                args.addAll(List.of("--prefill-compute-scale", String.format(Locale.ROOT, "%.4f",
                        prefillComputeScale)));
            }
            if (decodeComputeScale != 1) {
                args.addAll(List.of("--decode-compute-scale", String.format(Locale.ROOT, "%.4f",
                        decodeComputeScale)));
            }
            return List.copyOf(args);
        }
    }

    /**
     * What the prediction charges on top of the probes' speeds, for the tables' headers: {@code ", charged x P and
     * x D (a replay over its probes, served costs)"}, or empty without ratios.
     */
    static String replayOverProbeNote(Served served, boolean servedShape) throws IOException {
        double[] ratio = served.replayOverProbe();
        if (!servedShape) {
            ratio[0] = 0;
        }
        if (ratio[0] == 0 && ratio[1] == 0) {
            return "";
        }
        return String.format(Locale.ROOT, ", charged x%.3f and x%.3f (a loaded replay over its idle probes, served"
                + " costs)", ratio[0] == 0 ? 1 : ratio[0], ratio[1] == 0 ? 1 : ratio[1]);
    }

    /** The {@code --served-costs} default of validate and demo: this machine's costs, embedded. */
    public static final String EMBEDDED_SERVED_COSTS = "embedded";

    /**
     * The served step costs file a validation charges: {@code none} for none (null), {@value #EMBEDDED_SERVED_COSTS}
     * for this machine's CPU executors' measured costs (a classpath resource, written to {@code dir/served-costs.json};
     * where they come from is in its {@code source}), or a file of them (checked now, so a bad one fails before
     * serving).
     */
    public static Path servedCosts(String option, Path dir) throws IOException {
        if (option == null || option.equals("none")) {
            return null;
        }
        if (option.equals(EMBEDDED_SERVED_COSTS)) {
            Path file = dir.resolve("served-costs.json");
            try (var in = embeddedServedCosts()) {
                Files.createDirectories(dir);
                Files.write(file, in.readAllBytes());
            }
            return file;
        }
        Path file = Path.of(option);
        org.cornserve.cli.simulate.SimulateCommand.readServedCosts(file);
        return file;
    }

    /**
     * Prompt tokens the served runtime prefills beyond a replayed request's text tokens: the chat endpoint's markup
     * around the one user message the replay sends, and the begin-of-sequence token (18 for the tiny models' byte
     * tokenizer). Left out, a 1,021-token prompt was simulated as one 1,024-token chunk where the server ran two
     * (1,039 tokens), and its first token a whole prefill step early.
     */
    static final int PROMPT_OVERHEAD_TOKENS = org.cornserve.runtime.control.RequestBuilder.textPromptTokens(
            org.cornserve.runtime.gateway.ChatPrompts.singleMessage("user", ""));

    /** The runtime's settings a validation serves with: sequences end at the traced length. */
    static final RuntimeOptions SERVED_OPTIONS = RuntimeOptions.defaults().withIgnoreEos(true);

    /**
     * One line per kind of served LLM step: how many, and their measured compute over the simulator's charge for the
     * same step at P50, P90 and P99 (1.0: the profile times served steps exactly; above: served steps ran slower,
     * as under CPU contention).
     */
    @SuppressWarnings("unchecked")
    static String stepsTable(Served served) {
        StringBuilder sb = new StringBuilder();
        served.steps().forEach((kind, v) -> {
            var m = (java.util.Map<String, Object>) v;
            var q = (java.util.Map<String, Double>) m.get("compute_over_simulated");
            if (q.isEmpty()) {
                return;
            }
            sb.append(String.format(Locale.ROOT, "served %-12s steps: %4d; measured compute / simulated: P50 %.2f,"
                    + " P90 %.2f, P99 %.2f%n", kind.replace('_', ' '), (Integer) m.get("steps"), q.get("p50"),
                    q.get("p90"), q.get("p99")));
            sb.append(String.format(Locale.ROOT, "  with host sharing (as simulated): P50 %s, P90 %s, P99 %s;"
                    + " ran alone (%d): P50 %s, P90 %s; overlapped (%d): P50 %s, P90 %s (x%s at P50)%n",
                    q2(m, "compute_over_simulated_shared", "p50"), q2(m, "compute_over_simulated_shared", "p90"),
                    q2(m, "compute_over_simulated_shared", "p99"), (Integer) m.get("steps_alone"),
                    q2(m, "alone_compute_over_simulated", "p50"), q2(m, "alone_compute_over_simulated", "p90"),
                    (Integer) m.get("steps_overlapped"), q2(m, "overlapped_compute_over_simulated", "p50"),
                    q2(m, "overlapped_compute_over_simulated", "p90"), m.containsKey("served_overlap_slowdown_p50")
                            ? String.format(Locale.ROOT, "%.2f", (Double) m.get("served_overlap_slowdown_p50")) : "-"));
            if (m.containsKey("steps_under_outside_load")) {
                sb.append(String.format(Locale.ROOT, "  without outside load (%d): P50 %s, P90 %s, P99 %s; under"
                        + " outside load (%d): P50 %s, P90 %s, P99 %s%n", (Integer) m.get("steps_without_outside_load"),
                        q2(m, "without_outside_load_compute_over_simulated", "p50"),
                        q2(m, "without_outside_load_compute_over_simulated", "p90"),
                        q2(m, "without_outside_load_compute_over_simulated", "p99"),
                        (Integer) m.get("steps_under_outside_load"),
                        q2(m, "under_outside_load_compute_over_simulated", "p50"),
                        q2(m, "under_outside_load_compute_over_simulated", "p90"),
                        q2(m, "under_outside_load_compute_over_simulated", "p99")));
            }
        });
        return sb.toString();
    }

    /**
     * The outside load the replay ran beside and, when it touched some requests and not others, the comparison on
     * those it did not touch ({@code quietRows}).
     */
    static String hostTable(Served served, List<Row> quietRows) {
        StringBuilder sb = new StringBuilder(served.hostLoad().line());
        if (!quietRows.isEmpty()) {
            Object n = served.hostLoad().summary().get("requests");
            long all = n instanceof Number x ? x.longValue() : 0;
            sb.append(String.format(Locale.ROOT, "on the %d requests that lived through none of it (the same ids on"
                    + " both sides):%n", all - served.hostLoad().loadedRequests().size()));
            sb.append(table(quietRows));
        }
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    private static String q2(java.util.Map<String, Object> kind, String key, String quantile) {
        var q = (java.util.Map<String, Double>) kind.get(key);
        Double v = q == null ? null : q.get(quantile);
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    /**
     * The simulator's TTFT without overhead of a request of {@code tokens} prompt tokens on an idle server: one
     * prefill on the replica hosting the model's LLM.
     */
    static double prefillMs(String model, ResolvedPlan plan, ProfileBook profiles, long tokens) {
        for (ResolvedDeployment rd : plan.deployments()) {
            for (UnitTask t : rd.tasks()) {
                if (t.id().startsWith(model + "/llm")) {
                    return llmCost(rd, t, profiles).iterationSeconds(tokens, tokens * (tokens + 1) / 2, 0, 0) * 1e3;
                }
            }
        }
        return 0;
    }

    /**
     * The most prompt tokens the model's LLM profile measured one prefill at (its largest prefill point); unbounded
     * without a measured profile.
     */
    static long longestPrefillPoint(String model, ResolvedPlan plan, ProfileBook profiles) {
        for (ResolvedDeployment rd : plan.deployments()) {
            for (UnitTask t : rd.tasks()) {
                if (t.id().startsWith(model + "/llm")) {
                    return profiles.find(t.id(), rd.hardware().name(), rd.deployment().devicesPerReplica())
                            .flatMap(p -> p.prefill().stream().map(Profile.PrefillPoint::tokens).max(Long::compare))
                            .orElse(Long.MAX_VALUE);
                }
            }
        }
        return Long.MAX_VALUE;
    }

    /** {@code costOf} asked once per (deployment, task): building a profile's cost model is not free. */
    private static java.util.function.BiFunction<Integer, Integer, LlmCost> memo(
            java.util.function.BiFunction<Integer, Integer, LlmCost> costOf) {
        java.util.Map<java.util.List<Integer>, java.util.Optional<LlmCost>> built = new java.util.HashMap<>();
        return (d, t) -> built.computeIfAbsent(java.util.List.of(d, t),
                k -> java.util.Optional.ofNullable(costOf.apply(d, t))).orElse(null);
    }

    /**
     * The simulator's cost model of an LLM task on a deployment's replica: its measured profile where the book has
     * one, else the roofline; null for a task that is not an LLM.
     */
    static LlmCost llmCost(ResolvedDeployment rd, UnitTask t, ProfileBook profiles) {
        int devices = rd.deployment().devicesPerReplica();
        if (!(new RooflineTaskCosts(rd.hardware()).cost(t, LlmParallelism.tensor(devices)) instanceof TaskCost.Llm est)) {
            return null;
        }
        LlmCost roofline = est.cost();
        return profiles.find(t.id(), rd.hardware().name(), devices)
                .map((Profile p) -> ProfileCosts.llm(p, roofline, null)).orElse(roofline);
    }

    /** Files under /dev/shm of the served runtime's session (what a run must not leave behind); 0 without one. */
    public static long sharedMemoryFiles(String session) {
        if (session == null) {
            return 0;
        }
        String prefix = SharedMemorySidecar.sessionPrefix(session);
        try (Stream<Path> s = Files.list(SharedMemorySidecar.DEV_SHM)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** validation.json's field for the machine the replays were served on. */
    static final String MACHINE_FIELD = "machine";

    /** This machine's CPU ({@link CpuInfo#record}); a JSON null where {@code /proc/cpuinfo} cannot be read. */
    static JsonNode thisMachine() {
        return CpuInfo.detect().<JsonNode>map(c -> Json.mapper().valueToTree(c.record()))
                .orElse(com.fasterxml.jackson.databind.node.NullNode.getInstance());
    }

    /**
     * The machine a kept run was served on, as its {@code validation.json} recorded it; a text saying so where it
     * recorded none (a run of a build before it was recorded) or cannot be read.
     */
    static JsonNode keptMachine(Path keptValidationJson) {
        try {
            JsonNode m = Json.mapper().readTree(keptValidationJson.toFile()).path(MACHINE_FIELD);
            if (m.isObject()) {
                return m;
            }
        } catch (IOException | RuntimeException e) {
            // recorded as unknown below
        }
        return com.fasterxml.jackson.databind.node.TextNode.valueOf("not recorded in " + keptValidationJson);
    }

    /**
     * A warning where the profiles in {@code profileFile} were measured on a machine other than this one (another
     * CPU generation or vector width runs the same kernels at another speed, so the simulation would charge the
     * other machine's costs); empty where they match, or either is unknown.
     */
    static java.util.Optional<String> profileMachineWarning(Path profileFile) {
        java.util.Optional<String> here = CpuInfo.detect().map(CpuInfo::identity);
        java.util.Optional<String> there;
        try {
            there = Json.mapper().readValue(profileFile.toFile(), org.cornserve.model.profile.ProfileSet.class)
                    .machineIdentity();
        } catch (IOException | RuntimeException e) {
            there = java.util.Optional.empty();
        }
        if (here.isEmpty() || there.isEmpty() || here.get().equals(there.get())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("warning: " + profileFile + " was measured on " + there.get()
                + "; this machine is " + here.get() + ": its costs need not hold here (leave --profiles out to"
                + " measure them on this machine)");
    }

    /** Writes {@code validation.json}. */
    static void write(Path file, List<Row> rows, Served served, Path profiles) throws IOException {
        write(file, rows, List.of(), served, profiles);
    }

    /**
     * Writes {@code validation.json}, with {@code quietRows} ({@link HostLoad#quietRows}: the comparison on the
     * requests that lived through no outside load) under {@code rows_without_outside_load} when there are any.
     */
    static void write(Path file, List<Row> rows, List<Row> quietRows, Served served, Path profiles)
            throws IOException {
        write(file, rows, quietRows, served, profiles, java.util.Map.of());
    }

    /**
     * As above, with more top-level fields ({@code extra}: name to value, written as JSON). The file records the
     * machine served on under {@value #MACHINE_FIELD}: this one ({@link #thisMachine}) unless {@code extra} names
     * another (a kept run judged again, {@link #keptMachine}).
     */
    static void write(Path file, List<Row> rows, List<Row> quietRows, Served served, Path profiles,
            java.util.Map<String, ?> extra) throws IOException {
        var root = Json.mapper().createObjectNode();
        if (!extra.containsKey(MACHINE_FIELD)) {
            root.set(MACHINE_FIELD, thisMachine());
        }
        root.setAll((com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().valueToTree(
                served.probedFigures()));
        if (served.session() != null) {
            root.put("runtime_session", served.session());
        }
        root.set("served_steps", Json.mapper().valueToTree(served.steps()));
        if (served.servedCosts() != null) {
            root.set("served_step_costs", Json.mapper().valueToTree(
                    org.cornserve.cli.simulate.SimulateCommand.readServedCosts(served.servedCosts())));
        }
        root.set("host_load", Json.mapper().valueToTree(served.hostLoad().summary()));
        root.put("profiles", profiles == null ? "estimated (roofline)" : profiles.toString());
        root.set("rows", Json.mapper().valueToTree(rows));
        if (!quietRows.isEmpty()) {
            root.set("rows_without_outside_load", Json.mapper().valueToTree(quietRows));
        }
        extra.forEach((name, value) -> root.set(name, Json.mapper().valueToTree(value)));
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }
}
