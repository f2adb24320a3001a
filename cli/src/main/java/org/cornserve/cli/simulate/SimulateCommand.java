package org.cornserve.cli.simulate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.planner.schedule.TaskConfig;
import org.cornserve.planner.schedule.scale.ScalingPolicies;
import org.cornserve.simulator.config.ServedStepCosts;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.SimDeployment;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.engine.ScalingReport;
import org.cornserve.simulator.engine.SimScaling;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.ResultWriter;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.simulator.plan.MonolithicPlans;
import org.cornserve.simulator.plan.PlanScaling;
import org.cornserve.simulator.plan.PlanSimConfigs;
import org.cornserve.simulator.plan.TraceWorkload;
import org.cornserve.simulator.workload.ReadAhead;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceSource;
import org.cornserve.traces.transform.Transforms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cornserve simulate}: runs a deployment plan on a trace in the discrete-event simulator. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Simulate a deployment plan on a workload trace (discrete-event, profile-timed).",
            "Writes summary.json, requests.csv, queues.csv, plan.json and config.json to --out.",
            "Give a plan file (--plan), or build a monolithic plan with --model, --hardware, --gpus and"
                + " --strategy monolithic."})
public final class SimulateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--plan", paramLabel = "PLAN.json", description = "deployment plan file")
    Path plan;

    @Option(names = "--model", description = "with --hardware, --gpus and --strategy: the model to serve")
    String model;

    @Option(names = "--hardware", description = "hardware of the built plan (e.g. h100-sxm)")
    String hardware;

    @Option(names = "--gpus", description = "devices of the built plan")
    Integer gpus;

    @Option(names = "--strategy", description = "plan to build: monolithic")
    String strategy;

    @Option(names = "--trace", required = true, paramLabel = "TRACE", description = "trace file (or ServeGen folder)")
    Path trace;

    @Option(names = "--trace-format", description = "trace format: azure-llm, azure-mm, mooncake, burstgpt, servegen, jsonl; default from the name"
            + " (.jsonl: jsonl, .csv: azure-llm, a folder: servegen)")
    String traceFormat;

    @Option(names = "--window", paramLabel = "START:END", description = "servegen: seconds of the day to generate")
    String window;

    @Option(names = "--app", description = "give every record this app (a model name routes it to that model)")
    String app;

    @Option(names = "--rate", paramLabel = "RPS", description = "rescale arrivals to this many requests per second")
    Double rate;

    @Option(names = "--repeat", defaultValue = "1", paramLabel = "N", description = "replay the trace N times back to back")
    int repeat;

    @Option(names = "--limit", paramLabel = "N", description = "use only the first N requests of the trace (of each pass with --repeat)")
    Long limit;

    @Option(names = "--slo", paramLabel = "ttft=MS,tpot=MS,e2e=MS", description = "latency targets of every app; speech responses"
            + " also: ttfa=MS (time to first audio), speech_rtf=R (max real-time factor after the first audio),"
            + " speech_slack=MS (allowance, default 2000)")
    String slo;

    @Option(names = "--seed", description = "seed of everything random (default: the plan's seed)")
    Long seed;

    @Option(names = "--share-links", description = "concurrent transfers on one link share its bandwidth fairly"
            + " (processor sharing); without it each transfer gets the whole link")
    boolean shareLinks;

    @Option(names = "--max-concurrency", defaultValue = "0", paramLabel = "C", description = {"a closed-loop client of"
            + " C slots, as vllm bench serve --max-concurrency: a request issued while C are in flight is sent when"
            + " one ends (in issue order), its latencies counted from the send; the trace's arrivals are the issue"
            + " times (0: open loop, each request sent at its arrival; default)"})
    int maxConcurrency;

    @Option(names = "--admission-bound", defaultValue = "0", paramLabel = "N",
            description = "reject requests beyond N outstanding invocations per deployment (0: never)")
    int admissionBound;

    @picocli.CommandLine.Mixin
    org.cornserve.cli.catalog.HardwareFileOption hardwareFile = new org.cornserve.cli.catalog.HardwareFileOption();

    @picocli.CommandLine.Mixin
    org.cornserve.cli.catalog.ProfilesOption profiles = new org.cornserve.cli.catalog.ProfilesOption();

    @Option(names = "--request-overhead-ms", defaultValue = "0", paramLabel = "MS", description = "the serving"
            + " system's fixed cost per request outside its engines (gateway, request building, response), added"
            + " before the scheduler sees a request; 'cornserve validate' measures it on the runtime (default 0)")
    double requestOverheadMs;

    @Option(names = "--prompt-overhead-tokens", defaultValue = "0", paramLabel = "N", description = "tokens the"
            + " server adds to every prompt that the trace's text tokens do not count (a chat template's role markers"
            + " and begin-of-sequence token): each request prefills N more; 'cornserve validate' passes the runtime's"
            + " (default 0)")
    int promptOverheadTokens;

    @Option(names = "--request-overhead-ms-per-token", defaultValue = "0", paramLabel = "MS", description = "the"
            + " serving system's per-request cost per prompt (input) token, on top of --request-overhead-ms; 'cornserve"
            + " validate' fits both to its probe's prompts of three lengths (default 0)")
    double requestOverheadMsPerToken;

    /** The control plane's round trip per engine step, charged per report as a live runtime makes them. */
    @Option(names = "--step-overhead-ms", defaultValue = "0", paramLabel = "MS", description = {"the serving system's"
            + " round trip around each LLM step outside the engine (command, report, event loop), charged per step as"
            + " the runtime runs them: each prefill or mixed iteration, each --tokens-per-report decode iterations;"
            + " 'cornserve validate' measures it on the runtime (default 0)"})
    double stepOverheadMs;

    /** As {@code serve --tokens-per-report}: decode iterations per report. */
    @Option(names = "--tokens-per-report", defaultValue = "1", paramLabel = "N", description = {"decode iterations a"
            + " live engine runs per report ('serve --tokens-per-report'), each paying --step-overhead-ms (default 1)"})
    long iterationsPerReport;

    /** Measured LLM profiles as compute alone, for a simulation that charges the served round trip apart. */
    @Option(names = "--compute-only-profiles", description = {"charge measured LLM profiles' compute alone (each"
            + " latency less the profile's cpu_overhead_ms, the profiler's wall less compute per iteration), for use"
            + " with a --step-overhead-ms measured on the runtime, which already holds that time: charging both counts"
            + " the round trip twice ('cornserve validate' and 'demo' pass it)"})
    boolean computeOnlyProfiles;

    /** Measured LLM profiles' prefills at the speed a served engine ran them just before a replay. */
    @Option(names = "--prefill-compute-scale", defaultValue = "1", paramLabel = "X", description = {"multiply measured"
            + " LLM profiles' prefill latencies by X (> 0; default 1): 'cornserve validate' and 'demo' pass the speed"
            + " their probe's prefills ran at on the served engine, against the profile, just before the replay"})
    double prefillComputeScale;

    /** Measured LLM profiles' prefills at the speeds a served engine ran them at a few lengths just before a replay. */
    @Option(names = "--prefill-compute-scale-at", paramLabel = "T=X[,T=X...]", description = {"multiply each measured"
            + " LLM profile's prefill point of T tokens by X, linear between the given token counts and the end's"
            + " beyond them, on top of --prefill-compute-scale: 'cornserve validate' and 'demo' pass the speeds their"
            + " probes' prefills ran at on the served engine at the slice's short, middle and long prompt lengths"})
    String prefillComputeScaleAt;

    private org.cornserve.model.profile.PrefillScaleCurve curve;

    /** Measured LLM profiles' decodes at the speed a served engine ran them just before a replay. */
    @Option(names = "--decode-compute-scale", defaultValue = "1", paramLabel = "X", description = {"multiply measured"
            + " LLM profiles' decode latencies by X (> 0; default 1): 'cornserve validate' and 'demo' pass the speed"
            + " their decode probe's steps ran at on the served engine, against the profile, just before the replay"})
    double decodeComputeScale;

    /** Measured LLM profiles' decodes at the speeds a served engine ran them at by the sequences in a step. */
    @Option(names = "--decode-compute-scale-at", paramLabel = "B=X[,B=X...]", description = {"multiply each measured"
            + " LLM profile's decode point of B sequences by X, linear between the given counts and the end's beyond"
            + " them, on top of --decode-compute-scale: 'cornserve validate' passes the served steps' decode speed by"
            + " the sequences in a step, as a shape, to its speed-trace simulations"})
    String decodeComputeScaleAt;

    private org.cornserve.model.profile.PrefillScaleCurve decodeCurve;

    /** Served-run cost terms beyond the profile, as 'validate' measures them (validation.json's served_step_costs). */
    @Option(names = "--served-costs", paramLabel = "FILE", description = {"a JSON file of served step costs"
            + " ({extra_ms_per_sequence, compute_ratio, round_trip_ms, round_trip_tail_ms, after_prefill_compute_ratio,"
            + " prefill_after_prefill_ratio, host_slowdown_by_busy_executors, step_excess, seed, source;"
            + " replay_over_probe_*,"
            + " replay_over_served_before_* and replay_over_warmup_* are validate's and demo's}, or a validation.json"
            + " holding"
            + " them as served_step_costs) charged on every LLM step beyond its profile (default: none)"})
    Path servedCostsFile;

    private ServedStepCosts served = ServedStepCosts.NONE;

    /** The served costs' extra per sequence as a served engine ran it just before a replay. */
    @Option(names = "--extra-ms-per-sequence", paramLabel = "MS", description = {"charge every LLM iteration MS ms"
            + " (>= 0) per sequence it delivers a token to beyond the first, in place of the --served-costs file's"
            + " extra_ms_per_sequence (with no file: the only served cost); 'cornserve validate' and 'demo' pass what"
            + " their batch probe's decode steps of several sequences cost beyond the profile, just before the replay"})
    Double extraMsPerSequence;

    @Option(names = "--step-log", paramLabel = "FILE", description = {"write every LLM step as the simulation"
            + " started it to FILE (CSV: start_ms, deployment, replica, task, prefill_tokens, prefill_context_tokens"
            + " (the attention context summed over the step's prefill tokens), decode_sequences, decode_context_tokens,"
            + " iterations, planned_ms): the simulated side of a served replay's steps.csv, to see where a tail comes"
            + " from"})
    Path stepLogFile;

    /** The machine's speed over time, as 'validate' measured it on a served replay's steps. */
    @Option(names = "--speed-trace", paramLabel = "FILE", description = {"a JSON file of the machine's speed over time"
            + " ({window_seconds, prefill: [...], decode: [...], source}: per window, LLM compute over the profile's"
            + " charge): each LLM step computes at its window's speed when it starts (times --prefill-compute-scale"
            + " or --decode-compute-scale; leave those at 1 for a trace of absolute speeds); 'cornserve validate'"
            + " writes one from the served replay's steps (served-speed.json) to tell the machine's drift from the"
            + " model's error; the served costs' step_excess is not drawn then (the windows' means hold the run's"
            + " waits)"})
    Path speedTraceFile;

    private org.cornserve.simulator.config.SpeedTrace speedTrace;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    @Override
    public Integer call() throws Exception {
        ModelCatalog models = ModelCatalog.builtIn();
        HardwareCatalog hardwareCatalog = hardwareFile.catalog();
        DeploymentPlan deploymentPlan = loadPlan(models, hardwareCatalog);
        ResolvedPlan resolved = new PlanValidator(models, hardwareCatalog).validate(deploymentPlan);
        long runSeed = seed != null ? seed : deploymentPlan.seed();
        Slo targets = slo == null ? Slo.NONE : Slo.parse(slo);
        if (!(prefillComputeScale > 0) || Double.isInfinite(prefillComputeScale)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--prefill-compute-scale must be"
                    + " positive and finite, got " + prefillComputeScale);
        }
        if (!(decodeComputeScale > 0) || Double.isInfinite(decodeComputeScale)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--decode-compute-scale must be"
                    + " positive and finite, got " + decodeComputeScale);
        }
        if (extraMsPerSequence != null && (!(extraMsPerSequence >= 0) || Double.isInfinite(extraMsPerSequence))) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--extra-ms-per-sequence must be"
                    + " >= 0 and finite, got " + extraMsPerSequence);
        }
        org.cornserve.model.profile.ProfileBook book = computeOnlyProfiles ? profiles.book().computeOnly()
                : profiles.book();
        curve = curveOption("--prefill-compute-scale-at", prefillComputeScaleAt);
        decodeCurve = curveOption("--decode-compute-scale-at", decodeComputeScaleAt);
        // each measured prefill point by its tokens, each decode point by its batch (the scales alone without curves)
        org.cornserve.model.profile.ProfileBook scaled = book.withComputeScale(
                t -> prefillComputeScale * (curve == null ? 1 : curve.applyAsDouble(t)),
                b -> decodeComputeScale * (decodeCurve == null ? 1 : decodeCurve.applyAsDouble(b)));
        // read once: a served host slowdown in them replaces the profiles' (measured without the serving system)
        served = servedCosts();
        scaled = scaled.withHostSlowdown(served.hostSlowdownByBusyExecutors());
        SimConfig config = PlanSimConfigs.of(resolved, hardwareCatalog, runSeed, targets, admissionBound, scaled,
                profiles.fallbacks());
        if (shareLinks) {
            config = config.withNetwork(config.network().withFairShare(true));
        }
        profiles.describe(resolved, spec.commandLine().getErr());

        TraceFormat format = traceFormat != null ? TraceFormat.byName(traceFormat) : guessFormat(trace);
        ReadOptions options = ReadOptions.defaults().withSeed(runSeed);
        if (app != null) {
            options = options.withApp(app);
        }
        if (window != null) {
            double[] w = window(window);
            options = options.withWindow(w[0], w[1]);
        }
        TraceSource source = format.source(trace, options);
        if (rate != null) {
            source = Transforms.rescaleToRate(source, rate);
        }
        if (limit != null) {
            source = Transforms.first(source, limit);
        }
        source = Transforms.addPromptTokens(source, promptOverheadTokens);
        SimScaling scaling = PlanScaling.of(resolved, hardwareCatalog, ScalingPolicies.DEFAULT_TOLERANCE,
                SimScaling.DEFAULT_INTERVAL_NANOS);
        if (extraMsPerSequence != null) {
            served = served.withExtraMsPerSequence(extraMsPerSequence, String.format(java.util.Locale.ROOT,
                    "extra_ms_per_sequence: %.4f from --extra-ms-per-sequence.", extraMsPerSequence));
        }
        speedTrace = speedTraceFile == null ? null : readSpeedTrace(speedTraceFile);
        if (speedTrace != null) {
            served = served.withoutStepExcess(); // a served run's speed window by window: its waits are in the means
        }
        SimResult result;
        Simulator simulator;
        // the trace is read, parsed and turned into requests on a second thread while the event loop runs
        try (TraceWorkload workload = new TraceWorkload(source, repeat, resolved);
                ReadAhead<SimRequest> requests = new ReadAhead<>(workload);
                StepLog stepLog = stepLogFile == null ? null : StepLog.open(stepLogFile)) {
            simulator = new Simulator(config, true, null, scaling,
                    resolved.plan().asyncSchedulingOrDefault()).withStepOverhead(Math.round(stepOverheadMs * 1e6),
                    iterationsPerReport).withServedCosts(served).withRequestOverheadPerToken(requestOverheadMsPerToken
                            * 1e6);
            if (speedTrace != null) {
                simulator.withSpeedTrace(speedTrace);
            }
            simulator.withMaxConcurrency(maxConcurrency);
            if (stepLog != null) {
                simulator.withStepLog(stepLog);
            }
            result = simulator.run(requests, Math.round(requestOverheadMs * 1e6));
            if (stepLog != null) {
                stepLog.check();
            }
        }
        Files.createDirectories(out);
        ResultWriter.write(result, out);
        writeScaling(simulator.scalingReport(), config, out);
        deploymentPlan.write(out.resolve("plan.json"));
        JSON.writeValue(out.resolve("config.json").toFile(), resolvedConfig(format, runSeed, targets, config));
        spec.commandLine().getOut().printf(Locale.ROOT,
                "%d requests: %d completed, %d rejected over %.1f simulated s; throughput %.2f req/s, goodput %.2f"
                        + " req/s, SLO attainment %.3f; TTFT p50 %.1f p99 %.1f ms; TPOT p50 %.2f p99 %.2f ms;"
                        + " %d events in %.2f wall s; results in %s%n",
                result.requests(), result.completed(), result.rejected(), result.simulatedSeconds(),
                result.throughputRps(), result.goodputRps(), result.sloAttainment(), result.ttftMs().p50(),
                result.ttftMs().p99(), result.tpotMs().p50(), result.tpotMs().p99(), result.events(),
                result.wallSeconds(), out);
        profiles.reportFallbacks(spec.commandLine().getErr());
        if (result.speech() != null) {
            var sp = result.speech();
            spec.commandLine().getOut().printf(Locale.ROOT,
                    "speech: %d requests, %d completed, attainment %.3f; time to first audio p50 %.1f p99 %.1f ms;"
                            + " real-time factor after first audio p50 %.3f p99 %.3f%n",
                    sp.count(), sp.completed(), sp.attainment(), sp.ttfaMs().p50(), sp.ttfaMs().p99(), sp.rtf().p50(),
                    sp.rtf().p99());
        }
        return 0;
    }

    /** {@code scaling.json}: GPU-hours, device-seconds per deployment, replicas started and stopped, each change. */
    private static void writeScaling(ScalingReport report, SimConfig config, Path out) throws java.io.IOException {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("gpu_hours", report.gpuHours());
        Map<String, Double> perDeployment = new LinkedHashMap<>();
        for (int d = 0; d < config.deployments().size(); d++) {
            perDeployment.put(config.deployments().get(d).deployment().name(), report.deviceSeconds()[d]);
        }
        s.put("device_seconds", perDeployment);
        s.put("scale_ups", report.scaleUps());
        s.put("scale_downs", report.scaleDowns());
        List<Map<String, Object>> changes = new ArrayList<>();
        for (ScalingReport.Change c : report.changes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time_s", c.timeNanos() / 1e9);
            m.put("deployment", config.deployments().get(c.deployment()).deployment().name());
            m.put("replica", c.replica());
            m.put("change", c.kind().name().toLowerCase(Locale.ROOT));
            changes.add(m);
        }
        s.put("changes", changes);
        JSON.writeValue(out.resolve("scaling.json").toFile(), s);
    }

    private DeploymentPlan loadPlan(ModelCatalog models, HardwareCatalog hardwareCatalog) {
        boolean shortcut = model != null || hardware != null || gpus != null || strategy != null;
        if (plan != null && shortcut) {
            throw new IllegalArgumentException("give either --plan or --model/--hardware/--gpus/--strategy, not both");
        }
        if (plan != null) {
            return DeploymentPlan.read(plan);
        }
        if (model == null || hardware == null || gpus == null || strategy == null) {
            throw new IllegalArgumentException("give --plan PLAN.json, or all of --model, --hardware, --gpus and"
                    + " --strategy monolithic");
        }
        if (!strategy.equalsIgnoreCase("monolithic")) {
            throw new IllegalArgumentException("--strategy " + strategy + " is not built here; known: monolithic"
                    + " (write other plans as JSON, or make them with the planner)");
        }
        return MonolithicPlans.build(models, hardwareCatalog, model, hardware, gpus, seed != null ? seed : 1);
    }

    /** The --served-costs file's costs (a bare object, or a validation.json's served_step_costs); none without one. */
    ServedStepCosts servedCosts() throws java.io.IOException {
        return servedCostsFile == null ? ServedStepCosts.NONE : readServedCosts(servedCostsFile);
    }

    /** Served step costs from a JSON file: a bare object, or a validation.json's {@code served_step_costs}. */
    public static ServedStepCosts readServedCosts(Path file) throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode root = JSON.readTree(file.toFile());
        com.fasterxml.jackson.databind.JsonNode node = root.has("served_step_costs") ? root.get("served_step_costs")
                : root;
        try {
            return JSON.treeToValue(node, ServedStepCosts.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": not served step costs (" + e.getMessage() + ")", e);
        }
    }

    /** The curve an option gives ({@code T=X,...}), null without one; a bad one is refused naming the option. */
    private org.cornserve.model.profile.PrefillScaleCurve curveOption(String option, String text) {
        try {
            return text == null ? null : org.cornserve.model.profile.PrefillScaleCurve.parse(text);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }

    /** A speed trace from a JSON file ({@link org.cornserve.simulator.config.SpeedTrace}). */
    public static org.cornserve.simulator.config.SpeedTrace readSpeedTrace(Path file) throws java.io.IOException {
        try {
            return JSON.readValue(file.toFile(), org.cornserve.simulator.config.SpeedTrace.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": not a speed trace (" + e.getMessage() + ")", e);
        }
    }

    static TraceFormat guessFormat(Path trace) {
        String name = trace.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(trace)) {
            return TraceFormat.SERVEGEN;
        }
        if (name.endsWith(".jsonl")) {
            return TraceFormat.JSONL;
        }
        if (name.endsWith(".csv")) {
            return TraceFormat.AZURE_LLM;
        }
        throw new IllegalArgumentException("cannot tell the format of trace " + trace + "; give --trace-format ("
                + TraceFormat.names() + ")");
    }

    static double[] window(String text) {
        int colon = text.indexOf(':');
        try {
            double start = Double.parseDouble(text.substring(0, colon).trim());
            double end = Double.parseDouble(text.substring(colon + 1).trim());
            return new double[] {start, end};
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--window wants START:END in seconds, got '" + text + "'");
        }
    }

    private Map<String, Object> resolvedConfig(TraceFormat format, long runSeed, Slo targets, SimConfig config) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("plan", plan != null ? plan.toString() : null);
        c.put("trace", trace.toString());
        c.put("trace_format", format.formatName());
        c.put("window", window);
        c.put("app", app);
        c.put("rate_rps", rate);
        c.put("repeat", repeat);
        c.put("limit", limit);
        c.put("seed", runSeed);
        c.put("slo", targets);
        c.put("max_concurrency", maxConcurrency);
        c.put("admission_bound", admissionBound);
        c.put("request_overhead_ms", requestOverheadMs);
        c.put("request_overhead_ms_per_token", requestOverheadMsPerToken);
        c.put("step_overhead_ms", stepOverheadMs);
        c.put("compute_only_profiles", computeOnlyProfiles);
        c.put("prefill_compute_scale", prefillComputeScale);
        if (curve != null) {
            c.put("prefill_compute_scale_at", curve.toString());
        }
        c.put("decode_compute_scale", decodeComputeScale);
        if (decodeCurve != null) {
            c.put("decode_compute_scale_at", decodeCurve.toString());
        }
        c.put("prompt_overhead_tokens", promptOverheadTokens);
        c.put("tokens_per_report", iterationsPerReport);
        c.put("served_step_costs", served);
        if (speedTrace != null) {
            c.put("speed_trace", speedTraceFile.toString());
        }
        c.put("network", config.network());
        List<Map<String, Object>> deployments = new ArrayList<>();
        for (SimDeployment sd : config.deployments()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", sd.deployment().name());
            d.put("replicas", sd.deployment().replicas());
            d.put("devices_per_replica", sd.devicesPerReplica());
            d.put("router", sd.deployment().router());
            d.put("router_seed", sd.deployment().routerSeed());
            d.put("replica_nodes", sd.replicaNodes());
            List<Map<String, Object>> tasks = new ArrayList<>();
            for (TaskConfig t : sd.deployment().tasks()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("task", t.taskKey());
                switch (t) {
                    case TaskConfig.Batch b -> {
                        m.put("batching", "items");
                        m.put("settings", b.batching());
                    }
                    case TaskConfig.Llm l -> {
                        m.put("batching", "continuous");
                        m.put("phase", l.phase());
                        m.put("settings", l.batching());
                    }
                    case TaskConfig.Diffusion g -> {
                        m.put("batching", "diffusion-steps");
                        m.put("settings", g.batching());
                    }
                }
                tasks.add(m);
            }
            d.put("tasks", tasks);
            deployments.add(d);
        }
        c.put("deployments", deployments);
        return c;
    }
}
