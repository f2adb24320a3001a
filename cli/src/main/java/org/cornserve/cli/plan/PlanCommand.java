package org.cornserve.cli.plan;

import org.cornserve.traces.transform.TraceRuns;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cornserve.simulator.evaluate.SimulatorPlanRunner;
import org.cornserve.simulator.evaluate.SteadyState;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.planner.CatalogProblems;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.planner.PlanDocuments;
import org.cornserve.planner.PlannedDeployment;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.Slo;
import org.cornserve.planner.baseline.PlanningStrategy;
import org.cornserve.planner.baseline.Strategies;
import org.cornserve.planner.estimate.PlanEstimate;
import org.cornserve.planner.search.CornserveSearch;
import org.cornserve.planner.search.Objective;
import org.cornserve.planner.search.PlanEvaluator;
import org.cornserve.planner.search.SearchResult;
import org.cornserve.traces.TraceRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cornserve plan --model M [--model M2 ...] --hardware H --gpus N --trace T [--slo ...] [--strategy S]
 * [--objective goodput|min-devices --rate R] --out plan.json}.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Plan how to deploy models on a cluster for a workload trace (Cornserve's search or a baseline).")
public final class PlanCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "Catalog model; repeat to serve several together.")
    List<String> models;

    @Option(names = "--hardware", required = true, description = "Catalog hardware, e.g. h100-sxm.")
    String hardware;

    @Option(names = "--gpus", required = true, description = "Devices in the cluster (up to 8, or whole nodes of 8).")
    int gpus;

    @CommandLine.Mixin
    WorkloadOptions workload;

    @Option(names = "--attainment", defaultValue = "0.9", description = "SLO attainment target (default ${DEFAULT-VALUE}).")
    double attainment;

    @Option(names = "--strategy", defaultValue = "cornserve",
            description = "monolithic, encoder-split, pd-split, full-split (each searched), cornserve, or <baseline>-fixed (default ${DEFAULT-VALUE}).")
    String strategy;

    @Option(names = "--objective", defaultValue = "goodput", description = "goodput or min-devices (default ${DEFAULT-VALUE}).")
    String objective;

    @Option(names = "--rate", defaultValue = "0",
            description = "Request rate to plan for (rps); default the trace's mean rate. Required for min-devices.")
    double rate;

    @picocli.CommandLine.Mixin
    org.cornserve.cli.catalog.HardwareFileOption hardwareFile = new org.cornserve.cli.catalog.HardwareFileOption();

    @picocli.CommandLine.Mixin
    org.cornserve.cli.catalog.ProfilesOption profiles = new org.cornserve.cli.catalog.ProfilesOption();

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--samples", defaultValue = "400", description = "Trace requests in the planning mix (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--rank", defaultValue = "simulator",
            description = "How Cornserve ranks its finalists: simulator or analytic (default ${DEFAULT-VALUE}).")
    String rank;

    @Option(names = "--rank-requests", defaultValue = "2000",
            description = "Fewest trace requests per simulated ranking run (default ${DEFAULT-VALUE}; else a minute of arrivals).")
    int rankRequests;

    @Option(names = "--out", required = true, description = "Plan file to write (JSON).")
    Path out;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        Slo targets = workload.targets(attainment);
        Objective goal = Objective.parse(objective, rate);
        List<TraceRecord> records = workload.records(seed);
        PlanningProblem problem = PlanCliSupport.problem(hardwareFile.catalog(), models, hardware, gpus, records, targets,
                seed, samples, rate, profiles.book());
        PlanningStrategy chosen = Strategies.byName(strategy);
        PlanEvaluator evaluator = switch (rank) {
            case "analytic" -> null;
            case "simulator" -> simulatorEvaluator(problem, records, targets);
            default -> throw new IllegalArgumentException("--rank takes simulator or analytic, got '" + rank + "'");
        };
        SearchResult result = chosen.plan(problem, goal, evaluator);
        ObjectNode explanation = Json.mapper().valueToTree(result.explanation());
        String name = String.join("+", problem.models()) + "-" + chosen.name() + "-" + gpus + "x" + hardware;
        DeploymentPlan plan = PlanDocuments.plan(name, result.plan(), problem, hardwareFile.catalog().get(hardware),
                CornserveSearch.Options.DEFAULT.estimator(), explanation);
        hardwareFile.validator().validate(plan);
        plan.write(out);
        print(spec.commandLine().getOut(), problem, result, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /** Ranks candidate plans by simulating the trace's first requests, rescaled to the asked rate. */
    private PlanEvaluator simulatorEvaluator(PlanningProblem problem, List<TraceRecord> records, Slo targets) {
        List<TraceRecord> routed = CatalogProblems.routeToModels(records, problem.models(), seed);
        SimulatorPlanRunner runner = new SimulatorPlanRunner(seed, hardwareFile.catalog(), profiles.book());
        Hardware hw = hardwareFile.catalog().get(hardware);
        // A minute of arrivals at the rate (within bounds), so that a run reaches steady state.
        return runner.evaluator(candidate -> PlanDocuments.plan("candidate", candidate, problem, hw,
                CornserveSearch.Options.DEFAULT.estimator(), null), rateRps -> TraceRuns.rescale(routed, rateRps,
                        (int) Math.min(routed.size(), Math.max(rankRequests, Math.min(6_000, Math.ceil(rateRps * 60))))),
                targets, SteadyState.DEFAULT);
    }

    private void print(PrintWriter pw, PlanningProblem problem, SearchResult result, double seconds) {
        SearchResult.Explanation e = result.explanation();
        PlanEstimate est = e.estimate();
        pw.printf("%s plan for %s on %d x %s (%d requests in the mix, %.2f rps, SLO %s) -> %s%n",
                result.plan().strategy(), String.join(", ", problem.models()), problem.cluster().devices(),
                problem.cluster().hardware(), problem.workload().samples().size(), problem.workload().rateRps(),
                problem.slo(), out);
        pw.printf("%-48s %4s %8s %14s%n", "deployment", "tp", "replicas", "capacity rps");
        for (int i = 0; i < result.plan().deployments().size(); i++) {
            PlannedDeployment d = result.plan().deployments().get(i);
            double capacity = est.deployments().get(i).capacityRps();
            pw.printf("%-48s %4d %8d %14s%n", d.name(), d.tensorParallel(), d.replicas(),
                    capacity > 1e8 ? "no load" : String.format("%.2f", capacity));
        }
        pw.printf("estimate (analytic): capacity at SLO %.2f rps, at %.2f rps attainment %.3f goodput %.2f rps, "
                + "mean TTFT %.0f ms, mean E2E %.0f ms; bottleneck %s%n", est.capacityRps(), est.rateRps(),
                est.sloAttainment(), est.goodputRps(), est.meanTtftMs(), est.meanE2eMs(), est.bottleneck());
        if (e.measuredCapacityRps() != null) {
            pw.printf("ranked by %s: measured capacity at SLO %.2f rps (goodput %.2f rps, attainment %.3f there)%n",
                    e.rankedBy(), e.measuredCapacityRps(), e.evaluation().goodputRps(), e.evaluation().sloAttainment());
        } else if (e.evaluation() != null) {
            pw.printf("ranked by %s at %.2f rps: goodput %.2f rps, attainment %.3f%n", e.rankedBy(), e.rankRateRps(),
                    e.evaluation().goodputRps(), e.evaluation().sloAttainment());
        } else {
            pw.println("ranked by the analytic estimate only");
        }
        for (SearchResult.RunnerUp r : e.runnersUp()) {
            pw.printf("  runner-up: %s  estimated capacity %.2f rps, bottleneck %s%s%n", r.plan(), r.capacityRps(), r.bottleneck(),
                    r.measuredCapacityRps() == null ? "" : String.format(", measured capacity %.2f rps", r.measuredCapacityRps()));
        }
        pw.printf("search: %d groupings (%d cut by bound), %d plans scored, %s, %d ms; command %.1f s%n",
                e.stats().groupings(), e.stats().groupingsPruned(), e.stats().evaluations(),
                e.stats().exhaustive() ? "exhaustive" : "budget reached", e.stats().elapsedMs(), seconds);
        pw.flush();
    }
}
