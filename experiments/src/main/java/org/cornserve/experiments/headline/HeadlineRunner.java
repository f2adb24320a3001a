package org.cornserve.experiments.headline;

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
import org.cornserve.planner.search.CapacitySearch;
import org.cornserve.planner.search.CornserveSearch;
import org.cornserve.planner.search.Objective;
import org.cornserve.planner.search.PlanEvaluator;
import org.cornserve.planner.search.SearchResult;
import org.cornserve.traces.TraceRecord;

/**
 * Runs the headline experiment: for every case, cluster size and workload, plans with every strategy, then
 * measures each plan's capacity at the SLO (bisection on the rate, each probe a run of the trace's first
 * requests rescaled to that rate: {@code run_seconds} of arrivals, within the per-run request bounds) and its latency percentiles at one common rate,
 * the lowest capacity among the strategies that serve any load (so that every plan is loaded, none
 * beyond what it can serve). Writes {@code results.json}, {@code results.csv}, {@code summary.md} and every
 * plan under {@code plans/}.
 */
public final class HeadlineRunner {

    /**
     * One strategy's outcome on one (case, cluster, workload).
     *
     * @param caseName case
     * @param workload workload label
     * @param gpus cluster size
     * @param strategy strategy
     * @param status {@code ok}, or why there is no plan
     * @param plan compact description of the plan
     * @param devices devices the plan uses
     * @param estimatedCapacityRps the analytic estimate's capacity
     * @param capacityRps measured capacity at the SLO
     * @param equalLoad measured at the common rate
     */
    public record Row(
            @JsonProperty("case") String caseName,
            @JsonProperty("workload") String workload,
            @JsonProperty("gpus") int gpus,
            @JsonProperty("strategy") String strategy,
            @JsonProperty("status") String status,
            @JsonProperty("plan") String plan,
            @JsonProperty("devices") int devices,
            @JsonProperty("estimated_capacity_rps") double estimatedCapacityRps,
            @JsonProperty("capacity_rps") double capacityRps,
            @JsonProperty("equal_load") RunMetrics equalLoad) {}

    /** Most requests per simulated run while Cornserve ranks its finalists. */
    static final int RANKING_MAX_REQUESTS = 6000;

    private final HeadlineSpec spec;
    private final PlanRunner runner;
    private final String runnerName;
    private final PrintWriter log;

    public HeadlineRunner(HeadlineSpec spec, PlanRunner runner, String runnerName, PrintWriter log) {
        this.spec = spec;
        this.runner = runner;
        this.runnerName = runnerName;
        this.log = log;
    }

    /** Runs everything and writes the results under {@code out}. */
    public List<Row> run(Path out) throws IOException {
        Files.createDirectories(out.resolve("plans"));
        Json.write(out.resolve("spec.json"), spec);
        Hardware hardware = HardwareCatalog.builtIn().get(spec.hardware());
        Map<String, List<TraceRecord>> traces = new HashMap<>();
        List<Row> rows = new ArrayList<>();
        for (HeadlineSpec.CaseSpec c : spec.cases()) {
            Slo slo = Slo.parse(c.slo(), spec.attainment());
            for (HeadlineSpec.WorkloadUse use : c.workloads()) {
                List<TraceRecord> base = traces.get(use.workload());
                if (base == null) {
                    base = HeadlineWorkloads.read(spec.workloads().get(use.workload()), spec.seed());
                    traces.put(use.workload(), base);
                }
                List<TraceRecord> trace = CatalogProblems.routeToModels(
                        HeadlineWorkloads.apply(base, use, spec.seed()), c.models(), spec.seed());
                for (int gpus : spec.gpus()) {
                    rows.addAll(runOne(c, use, trace, gpus, slo, hardware, out));
                }
            }
        }
        Json.write(out.resolve("results.json"), rows);
        writeCsv(out.resolve("results.csv"), rows);
        Files.writeString(out.resolve("summary.md"), HeadlineSummary.markdown(spec, rows, runnerName));
        return rows;
    }

    private List<Row> runOne(HeadlineSpec.CaseSpec c, HeadlineSpec.WorkloadUse use, List<TraceRecord> trace, int gpus,
            Slo slo, Hardware hardware, Path out) {
        int nodes = gpus <= 8 ? 1 : gpus / 8;
        int perNode = Math.min(gpus, 8);
        PlanningProblem problem = CatalogProblems.build(ModelCatalog.builtIn(), c.models(), hardware, nodes, perNode,
                trace, slo, spec.seed(), spec.planningSamples(), 0);
        // A case with its own run length replays the trace where the run outlasts it; others stop at its end.
        boolean ownLength = c.runSeconds() > 0 || c.maxRequestsPerRun() > 0;
        java.util.function.DoubleFunction<List<TraceRecord>> at = rate -> {
            int n = ownLength ? spec.requestsAt(c, rate) : Math.min(trace.size(), spec.requestsAt(rate));
            return PlanRunner.rescale(PlanRunner.replayed(trace, n), rate, n);
        };
        // Ranking runs are capped lower than measurement runs: the search measures a dozen finalists. A case with
        // its own run length (streamed speech) ranks on runs as long as its measurements, or short runs would
        // rank plans by a load their talkers never reach.
        PlanEvaluator evaluator = (plan, rate) -> {
            DeploymentPlan doc = PlanDocuments.plan("candidate", plan, problem, hardware, CornserveSearch.Options.DEFAULT.estimator(), null);
            List<TraceRecord> runTrace = ownLength ? at.apply(rate) : PlanRunner.rescale(trace, rate,
                    Math.min(trace.size(), Math.min(RANKING_MAX_REQUESTS, spec.requestsAt(rate))));
            RunMetrics m = runner.run(doc, runTrace, rate, slo);
            return new PlanEvaluator.Evaluation(m.throughputRps(), m.goodputRps(), m.sloAttainment());
        };
        Map<String, DeploymentPlan> plans = new LinkedHashMap<>();
        Map<String, Row> partial = new LinkedHashMap<>();
        for (String s : spec.strategies()) {
            String label = c.name() + " / " + use.label() + " / " + gpus + " GPUs / " + s;
            try {
                long t0 = System.nanoTime();
                SearchResult r = Strategies.byName(s).plan(problem, Objective.goodput(), evaluator);
                JsonNode explanation = Json.mapper().valueToTree(r.explanation());
                DeploymentPlan plan = PlanDocuments.plan(c.name() + "-" + use.label() + "-" + gpus + "-" + s, r.plan(), problem,
                        hardware, CornserveSearch.Options.DEFAULT.estimator(), explanation);
                PlanValidator.builtIn().validate(plan);
                plan.write(out.resolve("plans").resolve(plan.name() + ".json"));
                double estimate = r.explanation().estimate().capacityRps();
                double start = estimate > 0 ? estimate : problem.workload().rateRps();
                CapacitySearch.Result cap = new CapacitySearch(slo.attainmentTarget(), spec.capacityTolerance(), 12, 10)
                        .search(start, rate -> runner.run(plan, at.apply(rate), rate, slo).sloAttainment());
                plans.put(s, plan);
                partial.put(s, new Row(c.name(), use.label(), gpus, s, "ok", r.plan().describe(), r.plan().devices(),
                        estimate, cap.capacityRps(), null));
                log.printf("%s: %s; estimated %.2f rps, measured %.2f rps (%d runs, %.1f s)%n", label, r.plan().describe(),
                        estimate, cap.capacityRps(), cap.probes().size(), (System.nanoTime() - t0) / 1e9);
            } catch (IllegalArgumentException e) {
                partial.put(s, new Row(c.name(), use.label(), gpus, s, "n/a: " + e.getMessage(), "", 0, 0, 0, null));
                log.printf("%s: n/a (%s)%n", label, e.getMessage());
            }
            log.flush();
        }
        double common = partial.values().stream().filter(r -> r.capacityRps() > 0).mapToDouble(Row::capacityRps)
                .min().orElse(0);
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, Row> e : partial.entrySet()) {
            Row r = e.getValue();
            RunMetrics atRate = null;
            if (common > 0 && plans.containsKey(e.getKey())) {
                atRate = runner.run(plans.get(e.getKey()), at.apply(common), common, slo);
            }
            rows.add(new Row(r.caseName(), r.workload(), r.gpus(), r.strategy(), r.status(), r.plan(), r.devices(),
                    r.estimatedCapacityRps(), r.capacityRps(), atRate));
        }
        return rows;
    }

    private static void writeCsv(Path file, List<Row> rows) throws IOException {
        StringBuilder sb = new StringBuilder("case,workload,gpus,strategy,status,devices,estimated_capacity_rps,capacity_rps,"
                + "equal_load_rps,attainment,p99_ttft_ms,p99_tpot_ms,p99_e2e_ms,plan\n");
        for (Row r : rows) {
            RunMetrics m = r.equalLoad();
            sb.append(String.join(",", r.caseName(), r.workload(), Integer.toString(r.gpus()), r.strategy(),
                    quote(r.status()), Integer.toString(r.devices()), fmt(r.estimatedCapacityRps()), fmt(r.capacityRps()),
                    m == null ? "" : fmt(m.rateRps()), m == null ? "" : fmt(m.sloAttainment()),
                    m == null ? "" : fmt(m.ttftMs().p99()), m == null ? "" : fmt(m.tpotMs().p99()),
                    m == null ? "" : fmt(m.e2eMs().p99()), quote(r.plan()))).append('\n');
        }
        Files.writeString(file, sb.toString());
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
