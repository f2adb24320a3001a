package org.cornserve.cli.plan;

import org.cornserve.traces.transform.TraceRuns;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cornserve.simulator.evaluate.SimulatorPlanRunner;
import org.cornserve.simulator.evaluate.SteadyState;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.cluster.ClusterSpec;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.planner.CatalogProblems;
import org.cornserve.planner.ClusterShape;
import org.cornserve.planner.PlanDocuments;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.Slo;
import org.cornserve.planner.search.CornserveSearch;
import org.cornserve.planner.search.MixedKindSearch;
import org.cornserve.planner.search.Objective;
import org.cornserve.planner.search.PlanEvaluator;
import org.cornserve.traces.TraceRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cornserve plan-mixed --model M --node-group h100-sxm:1:8 --node-group l40s:1:8 --trace T
 * [--objective goodput-per-dollar|min-dollars --rate R] [--measure] --out plan.json}: plans on node groups of
 * several hardware kinds, choosing each deployment's kind for goodput per dollar or the fewest dollars.
 */
@Command(name = "plan-mixed", mixinStandardHelpOptions = true,
        description = "Plan on node groups of several GPU kinds for goodput per dollar or the fewest dollars per hour.")
public final class PlanMixedCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "Catalog model; repeat to serve several together.")
    List<String> models;

    @Option(names = "--node-group", required = true,
            description = "KIND:NODES:DEVICES_PER_NODE, one per hardware kind (repeat), e.g. h100-sxm:1:8.")
    List<String> nodeGroups;

    @Option(names = "--price", description = "KIND=USD per device-hour, overriding the hardware catalog's (repeatable).")
    Map<String, Double> prices = new LinkedHashMap<>();

    @CommandLine.Mixin
    WorkloadOptions workload;

    @Option(names = "--attainment", defaultValue = "0.9", description = "SLO attainment target (default ${DEFAULT-VALUE}).")
    double attainment;

    @Option(names = "--objective", defaultValue = "goodput-per-dollar",
            description = "goodput-per-dollar or min-dollars (default ${DEFAULT-VALUE}).")
    String objective;

    @Option(names = "--rate", defaultValue = "0", description = "Target rate (rps) for min-dollars.")
    double rate;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--samples", defaultValue = "400", description = "Trace requests in the planning mix (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--rank", defaultValue = "simulator",
            description = "Rank the finalists by simulated capacity on the planning part (simulator) or by the estimate "
                    + "alone (analytic); default ${DEFAULT-VALUE}.")
    String rank;

    @Option(names = "--measure", description = "Also bisect each printed plan's capacity in the simulator (to 1%) on "
            + "the trace's requests from --measure-from on, and print measured requests per dollar.")
    boolean measure;

    @Option(names = "--measure-from", defaultValue = "0.5",
            description = "Share of the trace planned on; the rest is measured on (default ${DEFAULT-VALUE}).")
    double split;

    @Option(names = "--out", required = true, description = "Plan file to write (JSON).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Slo targets = workload.targets(attainment);
        Objective goal = Objective.parse(objective, rate);
        List<TraceRecord> records = CatalogProblems.routeToModels(workload.records(seed), models, seed);
        if (!(split > 0 && split < 1)) {
            throw new IllegalArgumentException("--measure-from must be in (0, 1), got " + split);
        }
        int cut = (int) Math.round(records.size() * split);
        List<TraceRecord> planning = records.subList(0, Math.max(2, cut));
        List<TraceRecord> measuring = records.subList(Math.min(cut, records.size() - 2), records.size());
        List<MixedKindSearch.Pool> pools = new ArrayList<>();
        List<ClusterShape> shapes = new ArrayList<>();
        List<Hardware> kinds = new ArrayList<>();
        for (String g : nodeGroups) {
            String[] parts = g.split(":");
            if (parts.length != 3) {
                throw new IllegalArgumentException("--node-group takes KIND:NODES:DEVICES_PER_NODE, got '" + g + "'");
            }
            Hardware hw = HardwareCatalog.builtIn().get(parts[0]);
            double price = prices.containsKey(hw.name()) ? prices.get(hw.name())
                    : hw.usdPerHour() != null ? hw.usdPerHour() : 0;
            if (!(price > 0)) {
                throw new IllegalArgumentException("hardware " + hw.name() + " has no price in the catalog; pass --price "
                        + hw.name() + "=USD");
            }
            PlanningProblem p = CatalogProblems.build(ModelCatalog.builtIn(), models, hw, Integer.parseInt(parts[1]),
                    Integer.parseInt(parts[2]), planning, targets, seed, samples, 0);
            pools.add(new MixedKindSearch.Pool(p, price));
            shapes.add(p.cluster());
            kinds.add(hw);
        }
        long start = System.nanoTime();
        ClusterSpec cluster = PlanDocuments.cluster(shapes, kinds);
        PlanningProblem primary = pools.get(0).problem();
        SimulatorPlanRunner runner = new SimulatorPlanRunner(seed);
        PlanEvaluator evaluator = switch (rank) {
            case "analytic" -> null;
            case "simulator" -> runner.evaluator(candidate -> PlanDocuments.plan("candidate", candidate, primary,
                    cluster, CornserveSearch.Options.DEFAULT.estimator(), null),
                    r -> TraceRuns.at(planning, r, (int) Math.max(2000, Math.min(6000, Math.ceil(r * 60)))), targets,
                    SteadyState.DEFAULT);
            default -> throw new IllegalArgumentException("--rank takes simulator or analytic, got '" + rank + "'");
        };
        MixedKindSearch.Result result = new MixedKindSearch(pools, goal, CornserveSearch.Options.DEFAULT).search(evaluator);
        DeploymentPlan plan = PlanDocuments.plan(String.join("+", models) + "-" + goal.jsonName(), result.best().plan(),
                primary, cluster, CornserveSearch.Options.DEFAULT.estimator(), Json.mapper().valueToTree(result));
        PlanValidator.builtIn().validate(plan);
        plan.write(out);
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf(Locale.ROOT, "%s plan for %s on %s (%d plans scored, ranked by %s, %.1f s) -> %s%n", goal.jsonName(),
                String.join(", ", models), nodeGroups, result.evaluations(), rank, (System.nanoTime() - start) / 1e9, out);
        print(pw, "best", result.best(), measure ? measured(plan, runner, measuring, targets, result.best().capacityRps()) : -1);
        for (Map.Entry<String, MixedKindSearch.PricedPlan> e : result.bestPerKind().entrySet()) {
            DeploymentPlan single = PlanDocuments.plan("single-" + e.getKey(), e.getValue().plan(), primary, cluster,
                    CornserveSearch.Options.DEFAULT.estimator(), null);
            print(pw, e.getKey() + " only", e.getValue(), measure ? measured(single, runner, measuring, targets,
                    e.getValue().capacityRps()) : -1);
        }
        pw.flush();
        return 0;
    }

    private void print(PrintWriter pw, String label, MixedKindSearch.PricedPlan p, double measuredRps) {
        pw.printf(Locale.ROOT, "%-14s %s%n  estimated capacity %.2f rps%s, $%.2f/h, %.0f requests per dollar%s%n", label,
                p.plan().describe(), p.capacityRps(), p.measuredCapacityRps() == null ? ""
                        : String.format(Locale.ROOT, " (planning part, simulated: %.2f rps)", p.measuredCapacityRps()),
                p.usdPerHour(), p.requestsPerDollar(),
                measuredRps < 0 ? "" : String.format(Locale.ROOT, "; measured capacity %.2f rps, %.0f requests per dollar",
                        measuredRps, measuredRps * 3600 / p.usdPerHour()));
    }

    /**
     * Capacity at the SLO in the simulator, bisected to 1%, probes as {@code cornserve capacity}'s defaults (five
     * minutes of arrivals, 2000 to 100000 requests, so at most 333 rps).
     */
    private static double measured(DeploymentPlan plan, SimulatorPlanRunner runner, List<TraceRecord> records, Slo slo,
            double estimateRps) {
        return runner.capacity(plan, r -> TraceRuns.at(records, r, CapacityCommand.probeRequests(r,
                CapacityCommand.PROBE_SECONDS, CapacityCommand.PROBE_MIN_REQUESTS, CapacityCommand.PROBE_MAX_REQUESTS)),
                slo, SteadyState.DEFAULT, 0.01, 16, estimateRps > 0 ? estimateRps : 1,
                (double) CapacityCommand.PROBE_MAX_REQUESTS / CapacityCommand.PROBE_SECONDS, m -> { }).capacityRps();
    }
}
