package org.cornserve.planner.search;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.cornserve.planner.CandidatePlan;
import org.cornserve.planner.PlannedDeployment;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.estimate.AnalyticEstimator;

/**
 * Every plan of a problem: every grouping, every tensor-parallel degree (power of two within a node) that
 * fits in memory, every replica count, within the cluster. The reference the search is tested against;
 * O(groupings x allocations), so only for small problems.
 */
public final class ExhaustivePlans {
    private ExhaustivePlans() {}

    /** Hands every plan to {@code sink}. */
    public static void forEachPlan(PlanningProblem problem, AnalyticEstimator estimator, Consumer<CandidatePlan> sink) {
        int devices = problem.cluster().devices();
        for (Grouping g : Grouping.all(problem)) {
            List<List<int[]>> options = new ArrayList<>();
            for (List<String> units : g.groups()) {
                List<int[]> o = new ArrayList<>();
                for (int tp = 1; tp <= problem.cluster().devicesPerNode(); tp *= 2) {
                    if (estimator.misfit(units, tp).isEmpty()) {
                        for (int r = 1; r * tp <= devices; r++) {
                            o.add(new int[] {tp, r});
                        }
                    }
                }
                options.add(o);
            }
            walk(problem, g, options, 0, devices, new int[g.groups().size()][], sink);
        }
    }

    private static void walk(PlanningProblem problem, Grouping g, List<List<int[]>> options, int i, int left, int[][] chosen,
            Consumer<CandidatePlan> sink) {
        if (i == chosen.length) {
            List<PlannedDeployment> ds = new ArrayList<>();
            List<String> names = Grouping.names(g.groups());
            for (int k = 0; k < chosen.length; k++) {
                List<String> units = g.groups().get(k);
                ds.add(new PlannedDeployment(names.get(k), units, chosen[k][0], chosen[k][1]));
            }
            sink.accept(new CandidatePlan("exhaustive", problem.cluster().hardware(), ds));
            return;
        }
        for (int[] o : options.get(i)) {
            if (o[0] * o[1] <= left) {
                chosen[i] = o;
                walk(problem, g, options, i + 1, left - o[0] * o[1], chosen, sink);
            }
        }
    }
}
