package org.cornserve.planner.search;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.estimate.AnalyticEstimator;

/**
 * Plans one fixed grouping (a baseline's structure): each deployment's tensor-parallel degree is the
 * smallest power of two that fits its weights and KV cache in a node (as vLLM is configured), and the
 * replica counts are chosen by the same branch and bound as the Cornserve search, on the analytic
 * estimate, so that a baseline gets its best allocation of the cluster. When some deployment cannot meet
 * the SLO at any load (its estimated capacity is 0), the devices are split evenly and the plan says so
 * through its zero capacity.
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
        if (objective.kind().dollars()) {
            throw new IllegalArgumentException(strategy + ": objective " + objective.jsonName() + " weighs prices; "
                    + "plan it with MixedKindSearch");
        }
        long start = System.nanoTime();
        AnalyticEstimator estimator = new AnalyticEstimator(problem, options.estimator());
        AllocationSearch allocations = new AllocationSearch(estimator, strategy);
        List<List<AllocationSearch.Option>> opts = new ArrayList<>();
        int[] tps = new int[groups.size()];
        boolean servesNothing = false;
        for (int g = 0; g < groups.size(); g++) {
            List<String> units = groups.get(g);
            List<String> why = new ArrayList<>();
            for (int tp : AllocationSearch.powersOfTwo(problem.cluster().devicesPerNode())) {
                var misfit = estimator.misfit(units, tp);
                if (misfit.isEmpty()) {
                    tps[g] = tp;
                    break;
                }
                why.add("tp" + tp + ": " + misfit.get());
            }
            if (tps[g] == 0) {
                throw new IllegalArgumentException(strategy + ": deployment " + Grouping.name(units) + " fits on no "
                        + problem.cluster().hardware() + " node of " + problem.cluster().devicesPerNode() + " device(s): "
                        + String.join("; ", why));
            }
            double cap = estimator.replicaCapacityRps(units, tps[g]);
            servesNothing |= !(cap > 0);
            opts.add(List.of(new AllocationSearch.Option(tps[g], cap)));
        }
        if (servesNothing) {
            return evenSplit(problem, estimator, allocations, strategy, groups, tps, objective, start);
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
        return result(estimator, incumbent.best.plan(), objective, incumbent.evaluations, !incumbent.exhausted, start);
    }

    private static SearchResult result(AnalyticEstimator estimator, org.cornserve.planner.CandidatePlan plan,
            Objective objective, long evaluations, boolean exhaustive, long start) {
        SearchResult.Stats stats = new SearchResult.Stats(1, 0, evaluations, exhaustive,
                (System.nanoTime() - start) / 1_000_000);
        return new SearchResult(plan, new SearchResult.Explanation(objective.jsonName(),
                objective.kind() == Objective.Kind.MIN_DEVICES ? objective.rateRps() : 0, "analytic", 0,
                estimator.estimate(plan), null, null, List.of(), stats));
    }

    /** Every deployment one replica, then the leftover devices one replica at a time, round robin. */
    private static SearchResult evenSplit(PlanningProblem problem, AnalyticEstimator estimator, AllocationSearch allocations,
            String strategy, List<List<String>> groups, int[] tps, Objective objective, long start) {
        int n = groups.size();
        int[] replicas = new int[n];
        int left = problem.cluster().devices();
        for (int g = 0; g < n; g++) {
            replicas[g] = 1;
            left -= tps[g];
        }
        if (left < 0) {
            throw new IllegalArgumentException(strategy + ": needs more than the cluster's " + problem.cluster().devices()
                    + " device(s) (one replica of each of " + n + " deployments)");
        }
        for (boolean added = true; added; ) {
            added = false;
            for (int g = 0; g < n; g++) {
                if (tps[g] <= left) {
                    replicas[g]++;
                    left -= tps[g];
                    added = true;
                }
            }
        }
        return result(estimator, allocations.plan(groups, tps, replicas), objective, 1, true, start);
    }
}
