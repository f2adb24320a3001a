package org.cornserve.cli.validate;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.cornserve.cli.CornserveMain;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.profile.ProfileBook;
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
 * runtime's overheads and speeds measured by probes) and served for real by the same plan (gateway and control plane
 * in this JVM, executor processes), replayed open-loop. This class serves and replays ({@link #serveAndReplay}),
 * measures the plan's profiles and runs {@code cornserve} command lines in this JVM; the probes are {@link Probes} and
 * {@link ProbeTraces}, the rows and tables {@link Comparison}, the served steps' speed {@link SpeedTraces} and {@link
 * SpeedDiagnosis}, the file {@link ValidationFile}. Used by {@code cornserve validate}, {@code cornserve demo} and the
 * experiments that run on both engines.
 */
public final class Validation {
    private Validation() {
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

    /** Replays the JSONL {@code trace} on the server at {@code url} into {@code out} ({@code cornserve replay}). */
    static void replay(String url, String model, Path trace, Path out) {
        cornserve(quiet(), quiet(), "replay", "--url", url, "--app", model, "--trace", trace.toString(),
                "--trace-format", "jsonl", "--out", out.toString());
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
     * (requests of the trace outside the judged slice, {@link ProbeTraces#writeCalibrationTrace}; null for none) is
     * replayed after the warm-up, not judged, its steps in {@code dir-calibration/steps.csv}: the sensed-speed
     * prediction's calibration on the trace's own mix of requests ({@link SpeedDiagnosis#sensorCalibration}). {@code
     * how.probes()} says how many requests each probe sends ({@link ProbeCounts#DEFAULT} unless {@code validate
     * --probe-scale}); before the calibration replay and each replay's probes and replay it waits up to {@code
     * how.quietMaxMs()} for a quiet host ({@link #QUIET_MAX_MS} unless {@code validate --quiet-wait-s}; 0: after one
     * half-second reading).
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
                Probes.Probed probed = Probes.probe(gateway.url(), model, plan, profiles, trace,
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
        replay(url, model, trace, out);
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

    /** Writes a recorder's served LLM steps against the simulator's charge to {@code csv}; returns their summary. */
    static java.util.Map<String, Object> writeSteps(StepRecorder steps, ResolvedPlan plan,
            ProfileBook profiles, Path csv) throws IOException {
        return writeSteps(steps, plan, profiles, null, csv);
    }

    static java.util.Map<String, Object> writeSteps(StepRecorder steps, ResolvedPlan plan,
            ProfileBook profiles, HostCpuMonitor.Samples host, Path csv) throws IOException {
        return StepRecorder.write(steps.served(), ProfileCharges.costsOf(plan, profiles),
                profiles.hostSlowdown(plan.deployments().get(0).hardware().name()), host, csv);
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

    /** The median of {@code values} (the mean of the middle two for an even count, Commons Math's); NaN for none. */
    static double median(double[] values) {
        return new org.apache.commons.math3.stat.descriptive.rank.Median().evaluate(values);
    }

    /**
     * What the prediction charges on top of the probes' speeds, for the tables' headers: {@code ", charged x P and
     * x D (a replay over its probes, served costs)"}, or empty without ratios.
     */
    static String replayOverProbeNote(Served served, boolean servedShape) {
        return replayOverProbeNote(served, servedShape, false);
    }

    /** As above, the decodes' ratio after a warm-up where {@code afterWarmup} ({@link Served#replayOverProbe}). */
    static String replayOverProbeNote(Served served, boolean servedShape, boolean afterWarmup) {
        double[] ratio = served.replayOverProbe(afterWarmup);
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

}
