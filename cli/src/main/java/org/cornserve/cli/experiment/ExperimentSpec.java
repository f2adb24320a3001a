package org.cornserve.cli.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An experiment, as a JSON file ({@code cornserve experiment run SPEC}): what to serve (plan files, or models planned
 * with strategies on a planning window of the trace), the trace and its transforms, a rate sweep, SLOs, the engine
 * (the simulator, the real runtime on this machine, or both), seeds, and the statistics. Every field but
 * {@code name} and {@code trace} has a default; an unknown field is an error naming it.
 *
 * @param name the experiment's name
 * @param plans plan files (relative to the spec's folder), each a case
 * @param models models to plan (with {@code hardware}, {@code devices} and {@code strategies})
 * @param hardware hardware kind of planned cases (default {@code cpu})
 * @param devices devices of planned cases (default 2)
 * @param strategies planner strategies (default {@code cornserve} and {@code monolithic-fixed})
 * @param trace the workload and its transforms
 * @param rates request rates to sweep, requests per second (default: the trace's own rate, as {@code [0]})
 * @param slo latency targets, {@code ttft=MS,tpot=MS,e2e=MS} (default {@code ttft=500,tpot=50})
 * @param engine {@code simulator}, {@code runtime} or {@code both} (default simulator)
 * @param seeds seeds (default 1, 2, 3): trace generation, routers, and the measured window's start
 * @param confidence confidence of the intervals over seeds (default 0.95)
 * @param profiles profile files for the simulator (default none: roofline estimates)
 * @param runtimeDevices device slots the runtime serves on (default {@code cpu:2})
 * @param warmupRequests synthetic requests sent unmeasured before each runtime case (default 600, {@link
 *     org.cornserve.cli.validate.ProbeTraces#warmupTrace})
 * @param probeScale the share (0 to 1] of each probe's requests a runtime case sends before its replay (default 1,
 *     {@code validate --probe-scale})
 * @param quietWaitS seconds a runtime case waits at most for a quiet host before its probes and its replay (default
 *     20, {@code validate --quiet-wait-s})
 * @param variants workload variants, each a trace of its own (a sensitivity sweep); every case runs on each
 * @param measureProfiles measure the tasks' profiles on real executors on this machine's CPU slots before planning
 *     and serving, and plan, simulate and serve with them (default: true where the engine serves, {@code runtime} or
 *     {@code both}, on {@code cpu} hardware with no {@code profiles} given; kept in {@code profiles/} of the output
 *     folder and reused by a rerun)
 * @param servedCosts what a case of engine {@code both} charges beyond the profiles when it simulates the served
 *     replay as predicted before it ran (as {@code validate --served-costs}: {@code embedded}, the default, {@code
 *     none}, or a file relative to the spec's folder)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@com.fasterxml.jackson.annotation.JsonIgnoreProperties({"kind"}) // read by `experiment run` to pick the runner
public record ExperimentSpec(
        @JsonProperty(value = "name", required = true) String name,
        @JsonProperty("plans") List<String> plans,
        @JsonProperty("models") List<String> models,
        @JsonProperty("hardware") String hardware,
        @JsonProperty("devices") Integer devices,
        @JsonProperty("strategies") List<String> strategies,
        @JsonProperty(value = "trace", required = true) TraceSpec trace,
        @JsonProperty("rates") List<Double> rates,
        @JsonProperty("slo") String slo,
        @JsonProperty("engine") String engine,
        @JsonProperty("seeds") List<Long> seeds,
        @JsonProperty("confidence") Double confidence,
        @JsonProperty("profiles") List<String> profiles,
        @JsonProperty("runtime_devices") String runtimeDevices,
        @JsonProperty("warmup_requests") Integer warmupRequests,
        @JsonProperty("probe_scale") Double probeScale,
        @JsonProperty("quiet_wait_s") Double quietWaitS,
        @JsonProperty("variants") List<Variant> variants,
        @JsonProperty("measure_profiles") Boolean measureProfiles,
        @JsonProperty("served_costs") String servedCosts) {

    static final Set<String> ENGINES = Set.of("simulator", "runtime", "both");

    /**
     * A workload variant: its name and its trace (fields it leaves out come from the experiment's trace).
     *
     * @param name letters, digits, '.', '_' or '-'
     * @param trace the variant's trace
     */
    public record Variant(@JsonProperty(value = "name", required = true) String name,
            @JsonProperty(value = "trace", required = true) TraceSpec trace) {
        public Variant {
            if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("experiment spec: a variant's 'name' must be letters, digits, '.',"
                        + " '_' or '-', got " + name);
            }
            if (trace == null) {
                throw new IllegalArgumentException("experiment spec: variant '" + name + "' needs a 'trace'");
            }
        }
    }

    /**
     * The trace: a file, its format, the planning and measured windows (seconds of the trace, disjoint), a cap on
     * requests, and a token scale.
     *
     * @param path trace file, relative to the spec's folder or to the folder holding {@code shared/traces}; or
     * @param generate arguments of {@code cornserve trace generate} (e.g. {@code ["mm", "--rate", "20", "--duration",
     *     "1500", "--image-share", "0.5"]}) making the trace instead of a file
     * @param format trace format (default: from the name)
     * @param planWindow seconds the planner sees, {@code START:END} (default {@code 0:300})
     * @param window seconds measured, {@code START:END} (default {@code 600:900})
     * @param maxRequests at most this many measured requests per case (default: all)
     * @param scaleTokens text and output tokens times this (default 1)
     */
    public record TraceSpec(
            @JsonProperty("path") String path,
            @JsonProperty("generate") List<String> generate,
            @JsonProperty("format") String format,
            @JsonProperty("plan_window") String planWindow,
            @JsonProperty("window") String window,
            @JsonProperty("max_requests") Long maxRequests,
            @JsonProperty("scale_tokens") Double scaleTokens) {

        public TraceSpec {
            if ((path == null || path.isBlank()) == (generate == null || generate.isEmpty())) {
                throw new IllegalArgumentException("experiment spec: a trace needs either 'path' or 'generate'");
            }
        }

        TraceSpec resolved() {
            String f = format != null ? format : generate != null || !path.endsWith(".csv") ? "jsonl" : "azure-llm";
            return new TraceSpec(path, generate, f, planWindow != null ? planWindow : "0:300", window != null ? window
                    : "600:900", maxRequests, scaleTokens != null ? scaleTokens : 1.0);
        }

        /** This trace's settings over {@code base}'s: the variant's own fields win. */
        TraceSpec over(TraceSpec base) {
            return new TraceSpec(path, generate, format, planWindow != null ? planWindow : base.planWindow(),
                    window != null ? window : base.window(), maxRequests != null ? maxRequests : base.maxRequests(),
                    scaleTokens != null ? scaleTokens : base.scaleTokens()).resolved();
        }
    }

    public ExperimentSpec {
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("experiment spec: 'name' must be letters, digits, '.', '_' or '-', got "
                    + name);
        }
        if (trace == null) {
            throw new IllegalArgumentException("experiment spec: 'trace' is required");
        }
        if (engine != null && !ENGINES.contains(engine.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("experiment spec: 'engine' must be simulator, runtime or both, got '"
                    + engine + "'");
        }
        if ((plans == null || plans.isEmpty()) && (models == null || models.isEmpty())) {
            throw new IllegalArgumentException("experiment spec: give 'plans' (plan files) or 'models' (to plan)");
        }
        if (rates != null && rates.stream().anyMatch(r -> r == null || r < 0)) {
            throw new IllegalArgumentException("experiment spec: 'rates' must be >= 0 (0: the trace's own rate)");
        }
        if (confidence != null && !(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("experiment spec: 'confidence' must be in (0, 1), got " + confidence);
        }
        if (Boolean.TRUE.equals(measureProfiles) && profiles != null && !profiles.isEmpty()) {
            throw new IllegalArgumentException("experiment spec: give 'profiles' or 'measure_profiles', not both");
        }
        if (Boolean.TRUE.equals(measureProfiles) && hardware != null && !hardware.equals("cpu")) {
            throw new IllegalArgumentException("experiment spec: 'measure_profiles' measures on this machine's CPU"
                    + " slots; 'hardware' is " + hardware);
        }
        if (probeScale != null && !(probeScale > 0 && probeScale <= 1)) {
            throw new IllegalArgumentException("experiment spec: 'probe_scale' must be in (0, 1], got " + probeScale);
        }
        if (quietWaitS != null && !(quietWaitS >= 0 && quietWaitS <= 3600)) {
            throw new IllegalArgumentException("experiment spec: 'quiet_wait_s' must be in [0, 3600], got "
                    + quietWaitS);
        }
        if (servedCosts != null && servedCosts.isBlank()) {
            throw new IllegalArgumentException("experiment spec: 'served_costs' must be embedded, none or a file");
        }
    }

    /** This spec with every default filled in (what {@code spec.resolved.json} holds). */
    public ExperimentSpec resolved() {
        boolean planned = models != null && !models.isEmpty();
        return new ExperimentSpec(name, plans == null ? List.of() : plans, planned ? models : List.of(),
                hardware != null ? hardware : "cpu", devices != null ? devices : 2,
                strategies != null ? strategies : planned ? List.of("cornserve", "monolithic-fixed") : List.of(),
                trace.resolved(), rates != null ? rates : List.of(0.0), slo != null ? slo : "ttft=500,tpot=50",
                engine != null ? engine.toLowerCase(Locale.ROOT) : "simulator", seeds != null ? seeds
                        : List.of(1L, 2L, 3L), confidence != null ? confidence : 0.95, profiles != null ? profiles
                        : List.of(), runtimeDevices != null ? runtimeDevices : "cpu:2", warmupRequests != null
                        ? warmupRequests : org.cornserve.cli.validate.ProbeTraces.WARMUP_REQUEST_COUNT,
                probeScale != null ? probeScale : 1.0, quietWaitS != null ? quietWaitS : org.cornserve.cli.validate.Validation.QUIET_MAX_MS / 1e3, variants == null || variants.isEmpty() ? List.of()
                        : variants.stream().map(v -> new Variant(v.name(), v.trace().over(trace))).toList(),
                measureProfiles != null ? measureProfiles : (profiles == null || profiles.isEmpty())
                        && engine != null && !engine.equalsIgnoreCase("simulator")
                        && (hardware == null || hardware.equals("cpu")),
                servedCosts != null ? servedCosts : org.cornserve.cli.validate.Validation.EMBEDDED_SERVED_COSTS);
    }
}
