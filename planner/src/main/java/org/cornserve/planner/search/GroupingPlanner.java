package org.cornserve.planner.search;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.estimate.AnalyticEstimator;

/**
 * Plans one fixed grouping (a baseline's structure): each deployment's tensor-parallel degree is the
 * smallest power of two that fits its weights and KV cache in a node (as vLLM is configured), and the
 * replica counts are chosen by the same branch and bound as the Cornserve search, on the analytic
 * estimate, so that a baseline gets its best allocation of the cluster.
 */
public final class GroupingPlanner {
    private final CornserveSearch.Options options;

    public GroupingPlanner(CornserveSearch.Options options) {
        this.options = options;
    }

    /**
     * @param strategy name written into the plan
     * @param groups unit ids per deployment
     * @throws IllegalArgumentException when a deployment fits on no node, or the cluster is too small
     */
    public SearchResult plan(PlanningProblem problem, String strategy, List<List<String>> groups, Objective objective) {
        long start = System.nanoTime();
        AnalyticEstimator estimator = new AnalyticEstimator(problem, options.estimator());
        AllocationSearch allocations = new AllocationSearch(estimator, strategy);
        List<List<AllocationSearch.Option>> opts = new ArrayList<>();
        for (List<String> units : groups) {
            List<AllocationSearch.Option> fitting = List.of();
            List<String> why = new ArrayList<>();
            for (int tp : AllocationSearch.powersOfTwo(problem.cluster().devicesPerNode())) {
                estimator.misfit(units, tp).ifPresent(m -> why.add("tp" + tp + ": " + m));
                List<AllocationSearch.Option> o = allocations.options(units, List.of(tp));
                if (!o.isEmpty()) {
                    fitting = o;
                    break;
                }
            }
            if (fitting.isEmpty()) {
                throw new IllegalArgumentException(strategy + ": deployment " + Grouping.name(units) + " fits on no "
                        + problem.cluster().hardware() + " node of " + problem.cluster().devicesPerNode()
                        + " device(s), or serves nothing at the SLO: " + String.join("; ", why));
            }
            opts.add(fitting);
        }
        AllocationSearch.Incumbent incumbent = new AllocationSearch.Incumbent(objective, options.evaluationBudget());
        ScoredPlan seed = allocations.seed(groups, opts, objective);
        if (seed != null) {
            incumbent.evaluations++;
            incumbent.offer(seed);
        }
        allocations.search(groups, opts, incumbent, new ArrayList<>());
        if (incumbent.best == null) {
            throw new IllegalArgumentException(strategy + ": needs more than the cluster's "
                    + problem.cluster().devices() + " device(s) (one replica of each of " + groups.size()
                    + " deployments)");
        }
        SearchResult.Stats stats = new SearchResult.Stats(1, 0, incumbent.evaluations, !incumbent.exhausted,
                (System.nanoTime() - start) / 1_000_000);
        return new SearchResult(incumbent.best.plan(), new SearchResult.Explanation(objective.jsonName(),
                objective.kind() == Objective.Kind.MIN_DEVICES ? objective.rateRps() : 0, "analytic", 0,
                estimator.estimate(incumbent.best.plan()), null, List.of(), stats));
    }
}
