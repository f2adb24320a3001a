package org.cornserve.experiments.headline;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cornserve.model.json.Json;
import org.cornserve.planner.estimate.EstimatorOptions;
import org.cornserve.planner.search.CornserveSearch;
import org.cornserve.simulator.evaluate.SteadyState;

/**
 * The headline experiment as a JSON file: for each case (a model or a set of models served together) on
 * each cluster size and each workload, every strategy's plan; then each plan's capacity at the SLO and its
 * tail latency at a load all of them serve. Every strategy plans on the workload's planning window and is
 * measured on a later, disjoint measurement window; the experiment repeats per seed (replicate {@code k}
 * uses {@code seeds[k]} and measurement window {@code k mod windows}) and reports every ratio with a
 * confidence interval over the replicates. Every setting has a default, written into the resolved spec.
 *
 * @param name experiment name
 * @param seed base seed (seeds default to {@code seed, seed+1, seed+2})
 * @param seeds seeds of the replicates: trace generation, request routing, workload mixes, planning and the
 *     simulator's routers (default three)
 * @param hardware catalog hardware of every cluster
 * @param gpus cluster sizes
 * @param attainment SLO attainment target (default 0.9)
 * @param strategies strategy names, compared in this order
 * @param requestsPerRun fewest requests simulated per run (default 3000)
 * @param runSeconds arrivals simulated per run, in seconds at the run's rate (default 60)
 * @param maxRequestsPerRun most requests simulated per run (default 20000)
 * @param planningSamples requests in the planner's workload mix (default 400)
 * @param capacityTolerance relative width at which the measured capacity's bisection stops (default 0.01)
 * @param steadyState when a capacity probe (and a ranking run) counts as sustained besides its attainment: the
 *     backlog grew by at most {@code max_backlog_growth} of the arrivals of its last {@code tail_fraction} plus
 *     {@code noise_sigmas} standard errors of the growth a stable queue of that run shows (estimated from the run)
 *     (default {@link SteadyState#DEFAULT}: 0.5, 0.03 and 2; {@code max_backlog_growth} 1 judges on attainment alone,
 *     {@code noise_sigmas} 0 on the fixed bound alone), applied to runs whose last part offered at least
 *     {@code min_tail_requests} (default 500)
 * @param rankingTolerance relative width of the bisection that ranks finalists on the planning window
 *     (default 0.05)
 * @param rankingMaxRequests most requests per ranking run, for cases without their own run length
 *     (default 6000)
 * @param finalists plans (distinct groupings and degrees) each search ranks in the simulator (default 8)
 * @param evaluationBudget most plans the analytic estimate scores per search (default 60000)
 * @param maxDoublings most doublings or halvings while bracketing a capacity (default 12)
 * @param confidence two-sided confidence of the intervals (default 0.95)
 * @param multiModelEngines let one engine serve several models' LLMs (default false: one LLM per engine)
 * @param workloads named traces
 * @param cases what is planned
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties({"kind"}) // read by `experiment run` to pick the runner
public record HeadlineSpec(
        @JsonProperty(value = "name", required = true) String name,
        @JsonProperty(value = "seed", required = true) long seed,
        @JsonProperty("seeds") List<Long> seeds,
        @JsonProperty(value = "hardware", required = true) String hardware,
        @JsonProperty(value = "gpus", required = true) List<Integer> gpus,
        @JsonProperty("attainment") double attainment,
        @JsonProperty(value = "strategies", required = true) List<String> strategies,
        @JsonProperty("requests_per_run") int requestsPerRun,
        @JsonProperty("run_seconds") double runSeconds,
        @JsonProperty("max_requests_per_run") int maxRequestsPerRun,
        @JsonProperty("planning_samples") int planningSamples,
        @JsonProperty("capacity_tolerance") double capacityTolerance,
        @JsonProperty("steady_state") SteadyState steadyState,
        @JsonProperty("ranking_tolerance") double rankingTolerance,
        @JsonProperty("ranking_max_requests") int rankingMaxRequests,
        @JsonProperty("finalists") int finalists,
        @JsonProperty("evaluation_budget") long evaluationBudget,
        @JsonProperty("max_doublings") int maxDoublings,
        @JsonProperty("confidence") double confidence,
        @JsonProperty("multi_model_engines") boolean multiModelEngines,
        @JsonProperty(value = "workloads", required = true) Map<String, TraceSpec> workloads,
        @JsonProperty(value = "cases", required = true) List<CaseSpec> cases) {

    public HeadlineSpec {
        seeds = seeds == null || seeds.isEmpty() ? List.of(seed, seed + 1, seed + 2) : List.copyOf(seeds);
        attainment = attainment == 0 ? 0.9 : attainment;
        requestsPerRun = requestsPerRun == 0 ? 3000 : requestsPerRun;
        runSeconds = runSeconds == 0 ? 60 : runSeconds;
        maxRequestsPerRun = maxRequestsPerRun == 0 ? 20000 : maxRequestsPerRun;
        planningSamples = planningSamples == 0 ? 400 : planningSamples;
        capacityTolerance = capacityTolerance == 0 ? 0.01 : capacityTolerance;
        steadyState = steadyState == null ? SteadyState.DEFAULT : steadyState;
        rankingTolerance = rankingTolerance == 0 ? CornserveSearch.Options.DEFAULT_RANKING_TOLERANCE : rankingTolerance;
        rankingMaxRequests = rankingMaxRequests == 0 ? 6000 : rankingMaxRequests;
        finalists = finalists == 0 ? CornserveSearch.Options.DEFAULT.finalists() : finalists;
        evaluationBudget = evaluationBudget == 0 ? CornserveSearch.Options.DEFAULT.evaluationBudget() : evaluationBudget;
        maxDoublings = maxDoublings == 0 ? 12 : maxDoublings;
        confidence = confidence == 0 ? 0.95 : confidence;
        String where = "experiment " + name + ": ";
        if (gpus.isEmpty() || strategies.isEmpty() || cases.isEmpty()) {
            throw new IllegalArgumentException(where + "gpus, strategies and cases must be non-empty");
        }
        if (requestsPerRun < 100) {
            throw new IllegalArgumentException(where + "requests_per_run must be >= 100");
        }
        if (!(capacityTolerance > 0 && capacityTolerance < 1) || !(rankingTolerance > 0 && rankingTolerance < 1)) {
            throw new IllegalArgumentException(where + "capacity_tolerance and ranking_tolerance must be in (0, 1)");
        }
        if (!(confidence > 0 && confidence < 1) || finalists < 1 || maxDoublings < 1 || rankingMaxRequests < 100) {
            throw new IllegalArgumentException(where + "confidence must be in (0, 1), finalists and max_doublings >= 1, "
                    + "ranking_max_requests >= 100");
        }
        if (new java.util.HashSet<>(seeds).size() != seeds.size()) {
            throw new IllegalArgumentException(where + "seeds repeat: " + seeds);
        }
        gpus = List.copyOf(gpus);
        strategies = List.copyOf(strategies);
        workloads = Map.copyOf(workloads);
        cases = List.copyOf(cases);
        for (Map.Entry<String, TraceSpec> w : workloads.entrySet()) {
            w.getValue().checkWindows(where + "workload " + w.getKey());
        }
        for (CaseSpec c : cases) {
            for (WorkloadUse w : c.workloads()) {
                if (!workloads.containsKey(w.workload())) {
                    throw new IllegalArgumentException(where + "case " + c.name() + ": unknown workload '"
                            + w.workload() + "'; known: " + workloads.keySet());
                }
            }
        }
    }

    /** The same experiment with only these cases. */
    public HeadlineSpec withCases(List<CaseSpec> kept) {
        return new HeadlineSpec(name, seed, seeds, hardware, gpus, attainment, strategies, requestsPerRun, runSeconds,
                maxRequestsPerRun, planningSamples, capacityTolerance, steadyState, rankingTolerance, rankingMaxRequests, finalists,
                evaluationBudget, maxDoublings, confidence, multiModelEngines, workloads, kept);
    }

    /** The same experiment on these cluster sizes. */
    public HeadlineSpec withGpus(List<Integer> sizes) {
        return new HeadlineSpec(name, seed, seeds, hardware, sizes, attainment, strategies, requestsPerRun, runSeconds,
                maxRequestsPerRun, planningSamples, capacityTolerance, steadyState, rankingTolerance, rankingMaxRequests, finalists,
                evaluationBudget, maxDoublings, confidence, multiModelEngines, workloads, cases);
    }

    /** The same experiment with these seeds. */
    public HeadlineSpec withSeeds(List<Long> newSeeds) {
        return new HeadlineSpec(name, newSeeds.get(0), newSeeds, hardware, gpus, attainment, strategies, requestsPerRun,
                runSeconds, maxRequestsPerRun, planningSamples, capacityTolerance, steadyState, rankingTolerance, rankingMaxRequests,
                finalists, evaluationBudget, maxDoublings, confidence, multiModelEngines, workloads, cases);
    }

    /** The search settings this spec sets. */
    public CornserveSearch.Options searchOptions() {
        return new CornserveSearch.Options(evaluationBudget, finalists, EstimatorOptions.DEFAULT, rankingTolerance,
                multiModelEngines);
    }

    /**
     * A trace source.
     *
     * @param format trace format name ({@code servegen}, {@code azure-llm}, ...)
     * @param path file or folder, relative to the folder holding {@code shared/traces} when not absolute
     * @param windowS for ServeGen: the generated window [start, end) in seconds
     * @param planningWindowS [start, end) in seconds after the trace's first arrival: what every strategy plans
     *     on (the analytic estimate's mix and rate, and the simulator ranking)
     * @param measurementWindowsS [start, end) windows, each starting at or after the planning window's end:
     *     what plans are measured on (replicate {@code k} uses window {@code k mod size})
     */
    public record TraceSpec(
            @JsonProperty(value = "format", required = true) String format,
            @JsonProperty(value = "path", required = true) String path,
            @JsonProperty("window_s") List<Double> windowS,
            @JsonProperty(value = "planning_window_s", required = true) List<Double> planningWindowS,
            @JsonProperty(value = "measurement_windows_s", required = true) List<List<Double>> measurementWindowsS) {

        void checkWindows(String where) {
            if (planningWindowS == null || planningWindowS.size() != 2 || measurementWindowsS == null
                    || measurementWindowsS.isEmpty()) {
                throw new IllegalArgumentException(where + ": needs planning_window_s [start, end] and at least one "
                        + "measurement window in measurement_windows_s");
            }
            checkWindow(where + ", planning_window_s", planningWindowS);
            for (List<Double> w : measurementWindowsS) {
                checkWindow(where + ", measurement window " + w, w);
                if (w.get(0) < planningWindowS.get(1)) {
                    throw new IllegalArgumentException(where + ": measurement window " + w
                            + " must start at or after the planning window's end " + planningWindowS.get(1)
                            + " (windows are disjoint)");
                }
            }
        }

        private static void checkWindow(String where, List<Double> w) {
            if (w == null || w.size() != 2 || !(w.get(0) >= 0) || !(w.get(1) > w.get(0))) {
                throw new IllegalArgumentException(where + ": a window is [start, end] seconds with 0 <= start < end");
            }
        }
    }

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
        return (int) Math.max(requestsPerRun, Math.min(mostRequests(c), Math.ceil(rateRps * runSeconds(c))));
    }

    private double runSeconds(CaseSpec c) {
        return c.runSeconds() > 0 ? c.runSeconds() : runSeconds;
    }

    private int mostRequests(CaseSpec c) {
        return c.maxRequestsPerRun() > 0 ? c.maxRequestsPerRun() : maxRequestsPerRun;
    }

    /**
     * The highest rate at which a run of case {@code c} still holds its full run length of arrivals (its most
     * requests over its run seconds); capacity is not probed above it.
     */
    public double ceilingRps(CaseSpec c) {
        return mostRequests(c) / runSeconds(c);
    }

    public static HeadlineSpec read(Path file) {
        return Json.read(file, HeadlineSpec.class);
    }
}
