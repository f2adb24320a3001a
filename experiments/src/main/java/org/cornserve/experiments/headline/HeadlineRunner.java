package org.cornserve.experiments.headline;

import org.cornserve.simulator.evaluate.RunMetrics;
import org.cornserve.simulator.evaluate.PlanRunner;
import org.cornserve.traces.transform.TraceRuns;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.DoubleFunction;
import java.util.function.LongFunction;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.planner.CatalogProblems;
import org.cornserve.planner.PlanDocuments;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.Slo;
import org.cornserve.planner.baseline.Strategies;
import org.cornserve.planner.search.CachingEvaluator;
import org.cornserve.planner.search.CapacitySearch;
import org.cornserve.planner.search.CornserveSearch;
import org.cornserve.planner.search.Objective;
import org.cornserve.planner.search.PlanEvaluator;
import org.cornserve.planner.search.SearchResult;
import org.cornserve.traces.TraceRecord;

/**
 * Runs the headline experiment. For every case, cluster size, workload and replicate (a seed and a
 * measurement window): every strategy plans on the workload's planning window (the analytic estimate's mix
 * and rate, and the simulator ranking, whose runs are shared between strategies through a cache); then each
 * plan's capacity at the SLO is bisected (to {@code capacity_tolerance}) on the later, disjoint measurement
 * window (each probe {@code run_seconds} of that window's arrivals rescaled to the rate, replayed where the
 * window runs out, within the per-run request bounds), and every plan runs at the replicate's equal load (the
 * lowest capacity among the strategies that serve any load) for its tail latency. Writes {@code results.json}
 * (rows, per-strategy intervals, Cornserve's ratios with intervals), {@code results.csv}, {@code summary.md}
 * and every plan under {@code plans/}.
 */
public final class HeadlineRunner {

    /**
     * One strategy's outcome on one (case, workload, cluster, replicate).
     *
     * @param caseName case
     * @param workload workload label
     * @param gpus cluster size
     * @param strategy strategy
     * @param replicate replicate index
     * @param seed the replicate's seed
     * @param planningWindowS the window planned on, seconds after the trace's first arrival
     * @param measurementWindowS the window measured on
     * @param status {@code ok}, or why there is no plan
     * @param plan compact description of the plan
     * @param devices devices the plan uses
     * @param estimatedCapacityRps the analytic estimate's capacity (planning window's mix)
     * @param planningCapacityRps capacity the simulator ranking measured on the planning window (to the ranking
     *     tolerance), null for a strategy that does not rank
     * @param capacityRps measured capacity at the SLO on the measurement window
     * @param equalLoad measured at the replicate's common rate on the measurement window
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(
            @JsonProperty("case") String caseName,
            @JsonProperty("workload") String workload,
            @JsonProperty("gpus") int gpus,
            @JsonProperty("strategy") String strategy,
            @JsonProperty("replicate") int replicate,
            @JsonProperty("seed") long seed,
            @JsonProperty("planning_window_s") List<Double> planningWindowS,
            @JsonProperty("measurement_window_s") List<Double> measurementWindowS,
            @JsonProperty("status") String status,
            @JsonProperty("plan") String plan,
            @JsonProperty("devices") int devices,
            @JsonProperty("estimated_capacity_rps") double estimatedCapacityRps,
            @JsonProperty("planning_capacity_rps") Double planningCapacityRps,
            @JsonProperty("capacity_rps") double capacityRps,
            @JsonProperty("equal_load") RunMetrics equalLoad) {

        Row withEqualLoad(RunMetrics m) {
            return new Row(caseName, workload, gpus, strategy, replicate, seed, planningWindowS, measurementWindowS, status,
                    plan, devices, estimatedCapacityRps, planningCapacityRps, capacityRps, m);
        }

        boolean ok() {
            return status.equals("ok");
        }

        String group() {
            return caseName + " | " + workload + " | " + gpus + " GPUs";
        }
    }

    /** Everything the experiment measured: every row, and the intervals over replicates. */
    public record Results(
            @JsonProperty("rows") List<Row> rows,
            @JsonProperty("strategies") List<HeadlineStatistics.StrategySummary> strategies,
            @JsonProperty("comparisons") List<HeadlineStatistics.Comparison> comparisons) {}

    private final HeadlineSpec spec;
    private final LongFunction<PlanRunner> runners;
    private final String runnerName;
    private final PrintWriter log;
    private final int threads;

    /**
     * @param runners the plan runner of a replicate's seed (the simulator's routers are seeded)
     */
    public HeadlineRunner(HeadlineSpec spec, LongFunction<PlanRunner> runners, String runnerName, PrintWriter log) {
        this(spec, runners, runnerName, log, 1);
    }

    /**
     * @param threads replicates run side by side on this many threads (each replicate plans, bisects and runs on its
     *     own runner, so the results do not depend on it; the log's lines then interleave); 1 runs them in order
     */
    public HeadlineRunner(HeadlineSpec spec, LongFunction<PlanRunner> runners, String runnerName, PrintWriter log,
            int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.spec = spec;
        this.runners = runners;
        this.runnerName = runnerName;
        this.log = log;
        this.threads = threads;
    }

    /** Runs everything and writes the results under {@code out}. */
    public Results run(Path out) throws IOException {
        Files.createDirectories(out.resolve("plans"));
        Json.write(out.resolve("spec.json"), spec);
        Hardware hardware = HardwareCatalog.builtIn().get(spec.hardware());
        Map<String, List<TraceRecord>> traces = new HashMap<>();
        List<Future<List<Row>>> replicates = new ArrayList<>();
        // daemon threads: a replicate that fails stops the experiment without waiting for the others to end
        ExecutorService pool = threads == 1 ? null
                : Executors.newFixedThreadPool(threads, r -> {
                    Thread t = new Thread(r, "headline-replicate");
                    t.setDaemon(true);
                    return t;
                });
        for (HeadlineSpec.CaseSpec c : spec.cases()) {
            Slo slo = Slo.parse(c.slo(), spec.attainment());
            for (HeadlineSpec.WorkloadUse use : c.workloads()) {
                HeadlineSpec.TraceSpec source = spec.workloads().get(use.workload());
                for (int gpus : spec.gpus()) {
                    for (int k = 0; k < spec.seeds().size(); k++) {
                        long seed = spec.seeds().get(k);
                        List<TraceRecord> base = traces.get(use.workload() + "#" + seed);
                        if (base == null) {
                            base = HeadlineWorkloads.read(source, seed);
                            traces.put(use.workload() + "#" + seed, base);
                        }
                        List<TraceRecord> trace = CatalogProblems.routeToModels(HeadlineWorkloads.apply(base, use, seed),
                                c.models(), seed);
                        List<Double> planning = source.planningWindowS();
                        List<Double> measuring = source.measurementWindowsS().get(k % source.measurementWindowsS().size());
                        Replicate rep = new Replicate(c, use, gpus, k, seed, planning, measuring,
                                HeadlineWorkloads.window(trace, planning.get(0), planning.get(1)),
                                HeadlineWorkloads.window(trace, measuring.get(0), measuring.get(1)));
                        replicates.add(pool == null
                                ? CompletableFuture.completedFuture(runOne(rep, slo, hardware, out))
                                : pool.submit(() -> runOne(rep, slo, hardware, out)));
                    }
                }
            }
        }
        if (pool != null) {
            pool.shutdown();
        }
        List<Row> rows = new ArrayList<>();
        for (Future<List<Row>> f : replicates) { // in the spec's order, whatever finished first
            rows.addAll(result(f));
        }
        Results results = new Results(rows, HeadlineStatistics.strategies(rows, spec.confidence()),
                HeadlineStatistics.comparisons(rows, spec.confidence()));
        Json.write(out.resolve("results.json"), results);
        writeCsv(out.resolve("results.csv"), rows);
        Files.writeString(out.resolve("summary.md"), HeadlineSummary.markdown(spec, results, runnerName));
        return results;
    }

    /** A replicate's rows, its failure thrown as it was (an interrupted wait stops the experiment). */
    private static <T> T result(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a replicate", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** One replicate of a (case, workload, cluster): its seed and its two windows' records. */
    private record Replicate(HeadlineSpec.CaseSpec c, HeadlineSpec.WorkloadUse use, int gpus, int index, long seed,
            List<Double> planningWindowS, List<Double> measurementWindowS, List<TraceRecord> planning,
            List<TraceRecord> measuring) {}

    private List<Row> runOne(Replicate rep, Slo slo, Hardware hardware, Path out) {
        HeadlineSpec.CaseSpec c = rep.c();
        int nodes = rep.gpus() <= 8 ? 1 : rep.gpus() / 8;
        int perNode = Math.min(rep.gpus(), 8);
        PlanningProblem problem = CatalogProblems.build(ModelCatalog.builtIn(), c.models(), hardware, nodes, perNode,
                rep.planning(), slo, rep.seed(), spec.planningSamples(), 0);
        CornserveSearch.Options options = spec.searchOptions();
        PlanRunner runner = runners.apply(rep.seed());
        // A case with its own run length (streamed speech) ranks on runs as long as its measurements, or short
        // runs would rank plans by a load their talkers never reach; others rank on runs capped lower.
        boolean ownLength = c.runSeconds() > 0 || c.maxRequestsPerRun() > 0;
        DoubleFunction<List<TraceRecord>> measured = rate -> run(rep.measuring(), rate, spec.requestsAt(c, rate));
        DoubleFunction<List<TraceRecord>> ranking = rate -> run(rep.planning(), rate,
                ownLength ? spec.requestsAt(c, rate) : Math.min(spec.rankingMaxRequests(), spec.requestsAt(c, rate)));
        PlanEvaluator evaluator = CachingEvaluator.of(runner.evaluator(plan -> PlanDocuments.plan("candidate", plan,
                problem, hardware, options.estimator(), null), ranking, slo, spec.steadyState()));
        String where = c.name() + " / " + rep.use().label() + " / " + rep.gpus() + " GPUs / seed " + rep.seed();
        Map<String, DeploymentPlan> plans = new LinkedHashMap<>();
        List<Row> partial = new ArrayList<>();
        for (String s : spec.strategies()) {
            try {
                long t0 = System.nanoTime();
                SearchResult r = Strategies.byName(s, options).plan(problem, Objective.goodput(), evaluator);
                JsonNode explanation = Json.mapper().valueToTree(r.explanation());
                DeploymentPlan plan = PlanDocuments.plan(c.name() + "-" + rep.use().label() + "-" + rep.gpus() + "-s"
                        + rep.seed() + "-" + s, r.plan(), problem, hardware, options.estimator(), explanation);
                PlanValidator.builtIn().validate(plan);
                plan.write(out.resolve("plans").resolve(plan.name() + ".json"));
                double estimate = r.explanation().estimate().capacityRps();
                double start = estimate > 0 ? estimate : problem.workload().rateRps();
                CapacitySearch.Result cap = runner.capacity(plan, measured, slo, spec.steadyState(), spec.capacityTolerance(),
                        spec.maxDoublings(), start, spec.ceilingRps(c), m -> { });
                plans.put(s, plan);
                partial.add(new Row(c.name(), rep.use().label(), rep.gpus(), s, rep.index(), rep.seed(),
                        rep.planningWindowS(), rep.measurementWindowS(), "ok", r.plan().describe(), r.plan().devices(),
                        estimate, r.explanation().measuredCapacityRps(), cap.capacityRps(), null));
                log.printf("%s / %s: %s; estimated %.2f rps, planning window %s, measured %s%.2f rps (%d runs, %.1f s)%n",
                        where, s, r.plan().describe(), estimate, r.explanation().measuredCapacityRps() == null ? "-"
                                : String.format(java.util.Locale.ROOT, "%.2f rps", r.explanation().measuredCapacityRps()),
                        cap.capped() ? "at least (the runs' ceiling) " : "", cap.capacityRps(), cap.probes().size(),
                        (System.nanoTime() - t0) / 1e9);
            } catch (IllegalArgumentException e) {
                partial.add(new Row(c.name(), rep.use().label(), rep.gpus(), s, rep.index(), rep.seed(),
                        rep.planningWindowS(), rep.measurementWindowS(), "n/a: " + e.getMessage(), "", 0, 0, null, 0, null));
                log.printf("%s / %s: n/a (%s)%n", where, s, e.getMessage());
            }
            log.flush();
        }
        double common = partial.stream().filter(r -> r.capacityRps() > 0).mapToDouble(Row::capacityRps).min().orElse(0);
        List<Row> rows = new ArrayList<>();
        for (Row r : partial) {
            RunMetrics atRate = null;
            if (common > 0 && plans.containsKey(r.strategy())) {
                atRate = runner.run(plans.get(r.strategy()), measured.apply(common), common, slo);
            }
            rows.add(r.withEqualLoad(atRate));
        }
        return rows;
    }

    /** A run of {@code requests} records of a window (replayed where it runs out) rescaled to {@code rateRps}. */
    private static List<TraceRecord> run(List<TraceRecord> window, double rateRps, int requests) {
        return TraceRuns.at(window, rateRps, requests);
    }

    private static void writeCsv(Path file, List<Row> rows) throws IOException {
        StringBuilder sb = new StringBuilder("case,workload,gpus,strategy,replicate,seed,planning_window_s,"
                + "measurement_window_s,status,devices,estimated_capacity_rps,planning_capacity_rps,capacity_rps,"
                + "equal_load_rps,attainment,p99_ttft_ms,p99_tpot_ms,p99_e2e_ms,plan\n");
        for (Row r : rows) {
            RunMetrics m = r.equalLoad();
            sb.append(String.join(",", r.caseName(), r.workload(), Integer.toString(r.gpus()), r.strategy(),
                    Integer.toString(r.replicate()), Long.toString(r.seed()), window(r.planningWindowS()),
                    window(r.measurementWindowS()), quote(r.status()), Integer.toString(r.devices()),
                    fmt(r.estimatedCapacityRps()), r.planningCapacityRps() == null ? "" : fmt(r.planningCapacityRps()),
                    fmt(r.capacityRps()), m == null ? "" : fmt(m.rateRps()), m == null ? "" : fmt(m.sloAttainment()),
                    m == null ? "" : fmt(m.ttftMs().p99()), m == null ? "" : fmt(m.tpotMs().p99()),
                    m == null ? "" : fmt(m.e2eMs().p99()), quote(r.plan()))).append('\n');
        }
        Files.writeString(file, sb.toString());
    }

    private static String window(List<Double> w) {
        return String.format(java.util.Locale.ROOT, "%.0f-%.0f", w.get(0), w.get(1));
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
