package org.cornserve.experiments.headline;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cornserve.model.json.Json;

/**
 * The headline experiment as a JSON file: for each case (a model or a set of models served together) on
 * each cluster size and each workload, every strategy's plan; then each plan's capacity at the SLO and its
 * tail latency at a load all of them serve.
 *
 * @param name experiment name
 * @param seed seed of trace generation, request routing, workload mixes and planning
 * @param hardware catalog hardware of every cluster
 * @param gpus cluster sizes
 * @param attainment SLO attainment target
 * @param strategies strategy names, compared in this order
 * @param requestsPerRun fewest requests simulated per run (the trace's first requests, rescaled to the rate)
 * @param runSeconds arrivals simulated per run, in seconds at the run's rate (more requests at higher rates,
 *     so that a run reaches steady state rather than absorbing a short burst)
 * @param maxRequestsPerRun most requests simulated per run
 * @param planningSamples requests in the planner's workload mix
 * @param capacityTolerance relative width at which the capacity bisection stops
 * @param workloads named traces
 * @param cases what is planned
 */
public record HeadlineSpec(
        @JsonProperty(value = "name", required = true) String name,
        @JsonProperty(value = "seed", required = true) long seed,
        @JsonProperty(value = "hardware", required = true) String hardware,
        @JsonProperty(value = "gpus", required = true) List<Integer> gpus,
        @JsonProperty("attainment") double attainment,
        @JsonProperty(value = "strategies", required = true) List<String> strategies,
        @JsonProperty("requests_per_run") int requestsPerRun,
        @JsonProperty("run_seconds") double runSeconds,
        @JsonProperty("max_requests_per_run") int maxRequestsPerRun,
        @JsonProperty("planning_samples") int planningSamples,
        @JsonProperty("capacity_tolerance") double capacityTolerance,
        @JsonProperty(value = "workloads", required = true) Map<String, TraceSpec> workloads,
        @JsonProperty(value = "cases", required = true) List<CaseSpec> cases) {

    public HeadlineSpec {
        attainment = attainment == 0 ? 0.9 : attainment;
        requestsPerRun = requestsPerRun == 0 ? 3000 : requestsPerRun;
        runSeconds = runSeconds == 0 ? 60 : runSeconds;
        maxRequestsPerRun = maxRequestsPerRun == 0 ? 20000 : maxRequestsPerRun;
        planningSamples = planningSamples == 0 ? 400 : planningSamples;
        capacityTolerance = capacityTolerance == 0 ? 0.05 : capacityTolerance;
        if (gpus.isEmpty() || strategies.isEmpty() || cases.isEmpty()) {
            throw new IllegalArgumentException("experiment " + name + ": gpus, strategies and cases must be non-empty");
        }
        if (requestsPerRun < 100) {
            throw new IllegalArgumentException("experiment " + name + ": requests_per_run must be >= 100");
        }
        gpus = List.copyOf(gpus);
        strategies = List.copyOf(strategies);
        workloads = Map.copyOf(workloads);
        cases = List.copyOf(cases);
        for (CaseSpec c : cases) {
            for (WorkloadUse w : c.workloads()) {
                if (!workloads.containsKey(w.workload())) {
                    throw new IllegalArgumentException("experiment " + name + ", case " + c.name() + ": unknown workload '"
                            + w.workload() + "'; known: " + workloads.keySet());
                }
            }
        }
    }

    /**
     * A trace source.
     *
     * @param format trace format name ({@code servegen}, {@code azure-llm}, ...)
     * @param path file or folder, relative to the folder holding {@code shared/traces} when not absolute
     * @param windowS for ServeGen: the generated window [start, end) in seconds
     */
    public record TraceSpec(
            @JsonProperty(value = "format", required = true) String format,
            @JsonProperty(value = "path", required = true) String path,
            @JsonProperty("window_s") List<Double> windowS) {}

    /**
     * One model (or models served together) and its workloads.
     *
     * @param name case name
     * @param models catalog models
     * @param slo targets, {@code ttft=MS,tpot=MS,e2e=MS,ttfa=MS,speech_rtf=R,speech_slack=MS} (see {@link Slo#parse})
     * @param workloads the workloads it runs
     * @param runSeconds this case's {@code run_seconds} for capacity and equal-load runs, 0 for the experiment's
     *     (longer for streamed speech, whose streams last tens of seconds: a run must outlast them to load the
     *     talker as a steady state would; runs past the trace's end replay it back to back)
     * @param maxRequestsPerRun this case's {@code max_requests_per_run}, 0 for the experiment's
     */
    public record CaseSpec(
            @JsonProperty(value = "name", required = true) String name,
            @JsonProperty(value = "models", required = true) List<String> models,
            @JsonProperty(value = "slo", required = true) String slo,
            @JsonProperty(value = "workloads", required = true) List<WorkloadUse> workloads,
            @JsonProperty("run_seconds") double runSeconds,
            @JsonProperty("max_requests_per_run") int maxRequestsPerRun) {
        public CaseSpec {
            if (!(runSeconds >= 0) || maxRequestsPerRun < 0) {
                throw new IllegalArgumentException("case " + name + ": run_seconds and max_requests_per_run must be >= 0"
                        + " (0 = the experiment's)");
            }
        }

        /** A case with the experiment's run lengths. */
        public CaseSpec(String name, List<String> models, String slo, List<WorkloadUse> workloads) {
            this(name, models, slo, workloads, 0, 0);
        }
    }

    /**
     * A workload as one case uses it.
     *
     * @param workload name in {@code workloads}
     * @param audioOutputShare share of requests (seeded) that also ask for speech back
     * @param imageGeneration true to turn every request into text-to-image generation (its text as prompt)
     */
    public record WorkloadUse(
            @JsonProperty(value = "workload", required = true) String workload,
            @JsonProperty("audio_output_share") double audioOutputShare,
            @JsonProperty("image_generation") boolean imageGeneration) {
        public WorkloadUse {
            if (!(audioOutputShare >= 0 && audioOutputShare <= 1)) {
                throw new IllegalArgumentException("audio_output_share must be in [0, 1], got " + audioOutputShare);
            }
        }

        public String label() {
            return workload + (audioOutputShare > 0 ? "+speech" + Math.round(audioOutputShare * 100) : "")
                    + (imageGeneration ? "+t2i" : "");
        }
    }

    /** Requests of a run at {@code rateRps}: {@code runSeconds} of arrivals within the per-run bounds. */
    public int requestsAt(double rateRps) {
        return (int) Math.max(requestsPerRun, Math.min(maxRequestsPerRun, Math.ceil(rateRps * runSeconds)));
    }

    /** Requests of a run of case {@code c} at {@code rateRps}, with the case's run length where it sets one. */
    public int requestsAt(CaseSpec c, double rateRps) {
        double seconds = c.runSeconds() > 0 ? c.runSeconds() : runSeconds;
        int most = c.maxRequestsPerRun() > 0 ? c.maxRequestsPerRun() : maxRequestsPerRun;
        return (int) Math.max(requestsPerRun, Math.min(most, Math.ceil(rateRps * seconds)));
    }

    public static HeadlineSpec read(Path file) {
        return Json.read(file, HeadlineSpec.class);
    }
}
