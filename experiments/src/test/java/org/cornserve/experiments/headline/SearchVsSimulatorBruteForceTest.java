package org.cornserve.experiments.headline;

import org.cornserve.simulator.evaluate.RunMetrics;
import org.cornserve.simulator.evaluate.SimulatorPlanRunner;
import org.cornserve.traces.transform.TraceRuns;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.planner.CandidatePlan;
import org.cornserve.planner.CatalogProblems;
import org.cornserve.planner.PlanDocuments;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.Slo;
import org.cornserve.planner.search.CapacitySearch;
import org.cornserve.planner.search.CornserveSearch;
import org.cornserve.planner.search.ExhaustivePlans;
import org.cornserve.planner.search.Objective;
import org.cornserve.planner.search.PlanEvaluator;
import org.cornserve.planner.search.SearchResult;
import org.cornserve.planner.estimate.AnalyticEstimator;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Cornserve search (analytic pruning, simulator ranking of the finalists) against brute force over
 * every plan through the simulator, on small seeded cases: the best simulated capacity at the SLO (the
 * highest goodput-sustaining rate) must be the same.
 */
@Tag("slow")
class SearchVsSimulatorBruteForceTest {

    static List<TraceRecord> trace(long seed, int n) {
        Random rnd = new Random(seed);
        List<TraceRecord> out = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < n; i++) {
            t += (long) (-Math.log(1 - rnd.nextDouble()) * 1e8);
            List<MediaItem> media = rnd.nextDouble() < 0.6 ? List.of(MediaItem.imageTokens(256 + rnd.nextInt(1500))) : List.of();
            out.add(new TraceRecord(t, "default", new RequestShape(50 + rnd.nextInt(700), media, 20 + rnd.nextInt(300),
                    Set.of(Modality.TEXT))));
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"qwen2.5-vl-7b, 4, 1, 'ttft=1000,tpot=40'", "qwen2.5-vl-7b, 2, 2, 'ttft=500,tpot=30'",
            "gemma-3-4b, 4, 3, 'ttft=800,tpot=25'"})
    void searchFindsTheSimulatedBest(String model, int gpus, long seed, String sloText) {
        Hardware h100 = HardwareCatalog.builtIn().get("h100-sxm");
        List<TraceRecord> trace = CatalogProblems.routeToModels(trace(seed, 400), List.of(model), seed);
        Slo slo = Slo.parse(sloText, 0.9);
        PlanningProblem problem = CatalogProblems.build(ModelCatalog.builtIn(), List.of(model), h100, 1, gpus, trace, slo,
                seed, 200, 0);
        SimulatorPlanRunner runner = new SimulatorPlanRunner(seed);
        PlanEvaluator sim = (plan, rate) -> {
            DeploymentPlan doc = PlanDocuments.plan("p", plan, problem, h100, CornserveSearch.Options.DEFAULT.estimator(), null);
            RunMetrics m = runner.run(doc, TraceRuns.rescale(trace, rate, trace.size()), rate, slo);
            return new PlanEvaluator.Evaluation(m.throughputRps(), m.goodputRps(), m.sloAttainment());
        };
        SearchResult found = new CornserveSearch(problem, Objective.goodput(), CornserveSearch.Options.DEFAULT)
                .search(sim, "simulator");
        // Brute force: every plan's capacity measured the way the search measures its finalists.
        AnalyticEstimator estimator = new AnalyticEstimator(problem);
        double[] best = {0};
        String[] bestPlan = {""};
        int[] plans = {0};
        ExhaustivePlans.forEachPlan(problem, estimator, plan -> {
            plans[0]++;
            double start = Math.max(problem.workload().rateRps(), estimator.capacityRps(plan));
            double c = new CapacitySearch(slo.attainmentTarget(), 0.05, 5, 5)
                    .search(start, rate -> sim.evaluate(plan, rate).sloAttainment()).capacityRps();
            if (c > best[0]) {
                best[0] = c;
                bestPlan[0] = plan.describe();
            }
        });
        double chosen = found.explanation().measuredCapacityRps();
        System.out.printf("%s on %d GPUs: %d plans; brute force best capacity %.3f rps (%s); search %.3f rps (%s)%n",
                model, gpus, plans[0], best[0], bestPlan[0], chosen, found.plan().describe());
        assertEquals(best[0], chosen, 1e-9 + 1e-9 * best[0], "brute force best " + bestPlan[0]);
    }
}
