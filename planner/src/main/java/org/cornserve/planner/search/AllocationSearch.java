package org.cornserve.planner.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.cornserve.planner.CandidatePlan;
import org.cornserve.planner.PlannedDeployment;
import org.cornserve.planner.estimate.AnalyticEstimator;

/**
 * Chooses tensor-parallel degrees and replica counts for the deployments of one grouping, by branch and
 * bound on the analytic estimate.
 *
 * <p>Bound: a plan's capacity at the SLO is at most the smallest {@code replicas x replica capacity} of its
 * deployments ({@link AnalyticEstimator#replicaCapacityRps}), so a partial allocation whose bound falls
 * below the incumbent, or whose remaining deployments cannot reach the incumbent with the devices left,
 * is cut. For the goodput objective only maximal allocations are scored (adding a replica never lowers
 * the estimate, so a non-maximal allocation is never better than one that extends it). For min-devices,
 * allocations with more devices than the incumbent are cut.
 *
 * <p>Cost: exponential in the number of deployments in the worst case; the evaluation budget caps it, and
 * the search reports whether it finished.
 */
final class AllocationSearch {

    /** One tensor-parallel choice of a deployment and its per-replica capacity bound. */
    record Option(int tensorParallel, double replicaCapacityRps) {}

    /** Shared state of a search: the incumbent, the budget and the counters. */
    static final class Incumbent {
        final Objective objective;
        final Comparator<ScoredPlan> order;
        ScoredPlan best;
        long evaluations;
        long budget;
        boolean exhausted;

        Incumbent(Objective objective, long budget) {
            this.objective = objective;
            this.order = ScoredPlan.bestFirst(objective);
            this.budget = budget;
        }

        boolean offer(ScoredPlan candidate) {
            if (best == null || order.compare(candidate, best) < 0) {
                best = candidate;
                return true;
            }
            return false;
        }

        double capacityBar() {
            return best == null ? 0 : best.capacityRps();
        }

        int deviceBar(int clusterDevices) {
            if (best == null || best.capacityRps() < objective.rateRps()) {
                return clusterDevices;
            }
            return best.devices();
        }
    }

    private final AnalyticEstimator estimator;
    private final String strategy;
    private final String hardware;
    private final int clusterDevices;

    AllocationSearch(AnalyticEstimator estimator, String strategy) {
        this.estimator = estimator;
        this.strategy = strategy;
        this.hardware = estimator.problem().cluster().hardware();
        this.clusterDevices = estimator.problem().cluster().devices();
    }

    /** Tensor-parallel options of a group: powers of two within a node that fit, best capacity first. */
    List<Option> options(List<String> units, List<Integer> allowedTp) {
        List<Option> out = new ArrayList<>();
        for (int tp : allowedTp) {
            if (tp > clusterDevices || tp > estimator.problem().cluster().devicesPerNode()) {
                continue;
            }
            if (tp > 1 && !estimator.anyUnitShards(units, tp)) {
                continue; // every unit would only be replicated inside the replica: never better than tp/2
            }
            double cap = estimator.replicaCapacityRps(units, tp);
            if (cap > 0) {
                out.add(new Option(tp, cap));
            }
        }
        out.sort(Comparator.comparingDouble((Option o) -> -o.replicaCapacityRps() / o.tensorParallel())
                .thenComparingInt(Option::tensorParallel));
        return out;
    }

    /** Powers of two up to the node size. */
    static List<Integer> powersOfTwo(int devicesPerNode) {
        List<Integer> out = new ArrayList<>();
        for (int tp = 1; tp <= devicesPerNode; tp *= 2) {
            out.add(tp);
        }
        return out;
    }

    /** Fewest devices with which a group reaches {@code rateRps} (capacity bound), or MAX when it cannot. */
    static int minDevices(List<Option> options, double rateRps) {
        int best = Integer.MAX_VALUE;
        for (Option o : options) {
            long replicas = Math.max(1, (long) Math.ceil(rateRps / o.replicaCapacityRps() - 1e-12));
            best = (int) Math.min(best, replicas * o.tensorParallel());
        }
        return best;
    }

    /**
     * Highest rate the grouping's capacity bound allows with the cluster's devices (max over allocations of
     * the smallest deployment bound), by bisection on the rate. 0 when a group has no option.
     */
    double groupingBound(List<List<Option>> options) {
        for (List<Option> o : options) {
            if (o.isEmpty()) {
                return 0;
            }
        }
        double hi = Double.POSITIVE_INFINITY;
        for (List<Option> o : options) {
            double best = 0;
            for (Option opt : o) {
                best = Math.max(best, opt.replicaCapacityRps() * (clusterDevices / opt.tensorParallel()));
            }
            hi = Math.min(hi, best);
        }
        double lo = 0;
        if (fitsAt(options, hi)) {
            return hi;
        }
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (fitsAt(options, mid)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private boolean fitsAt(List<List<Option>> options, double rate) {
        long sum = 0;
        for (List<Option> o : options) {
            sum += minDevices(o, rate);
        }
        return sum <= clusterDevices;
    }

    /** Runs branch and bound over the grouping's allocations, offering every scored plan to the incumbent. */
    void search(List<List<String>> groups, List<List<Option>> options, Incumbent incumbent, List<ScoredPlan> scored) {
        for (List<Option> o : options) {
            if (o.isEmpty()) {
                return;
            }
        }
        int[] tp = new int[groups.size()];
        int[] replicas = new int[groups.size()];
        dfs(groups, options, 0, clusterDevices, Double.POSITIVE_INFINITY, tp, replicas, incumbent, scored);
    }

    private void dfs(List<List<String>> groups, List<List<Option>> options, int g, int remaining, double bound,
            int[] tp, int[] replicas, Incumbent inc, List<ScoredPlan> scored) {
        if (inc.evaluations >= inc.budget) {
            inc.exhausted = true;
            return;
        }
        int n = groups.size();
        boolean goodput = inc.objective.kind() == Objective.Kind.GOODPUT;
        if (g == n) {
            if (goodput) {
                for (int h = 0; h < n; h++) {
                    if (tp[h] <= remaining) {
                        return; // not maximal: the allocation with one more replica there is scored instead
                    }
                }
            }
            ScoredPlan plan = score(groups, tp, replicas);
            inc.evaluations++;
            scored.add(plan);
            inc.offer(plan);
            return;
        }
        for (Option o : options.get(g)) {
            if (goodput) {
                for (int r = remaining / o.tensorParallel(); r >= 1; r--) {
                    double bar = inc.capacityBar();
                    double b = Math.min(bound, r * o.replicaCapacityRps());
                    if (b < bar) {
                        break;
                    }
                    int left = remaining - r * o.tensorParallel();
                    if (!restReaches(options, g + 1, Math.max(bar, 1e-12), left)) {
                        continue;
                    }
                    tp[g] = o.tensorParallel();
                    replicas[g] = r;
                    dfs(groups, options, g + 1, left, b, tp, replicas, inc, scored);
                }
            } else {
                double rate = inc.objective.rateRps();
                int first = (int) Math.max(1, Math.ceil(rate / o.replicaCapacityRps() - 1e-12));
                for (int r = first; ; r++) {
                    int used = clusterDevices - remaining + r * o.tensorParallel();
                    int left = remaining - r * o.tensorParallel();
                    if (left < 0 || used + restMin(options, g + 1, rate) > inc.deviceBar(clusterDevices)) {
                        break;
                    }
                    tp[g] = o.tensorParallel();
                    replicas[g] = r;
                    dfs(groups, options, g + 1, left, Math.min(bound, r * o.replicaCapacityRps()), tp, replicas, inc, scored);
                }
            }
        }
    }

    private static boolean restReaches(List<List<Option>> options, int from, double rate, int devices) {
        long sum = 0;
        for (int h = from; h < options.size(); h++) {
            sum += minDevices(options.get(h), rate);
            if (sum > devices) {
                return false;
            }
        }
        return true;
    }

    private static long restMin(List<List<Option>> options, int from, double rate) {
        long sum = 0;
        for (int h = from; h < options.size(); h++) {
            sum += minDevices(options.get(h), rate);
        }
        return sum;
    }

    ScoredPlan score(List<List<String>> groups, int[] tp, int[] replicas) {
        CandidatePlan plan = plan(groups, tp, replicas);
        return new ScoredPlan(plan, estimator.capacityRps(plan), estimator.stableRps(plan));
    }

    CandidatePlan plan(List<List<String>> groups, int[] tp, int[] replicas) {
        List<PlannedDeployment> deployments = new ArrayList<>();
        List<String> names = Grouping.names(groups);
        for (int g = 0; g < groups.size(); g++) {
            deployments.add(new PlannedDeployment(names.get(g), groups.get(g), tp[g], replicas[g]));
        }
        return new CandidatePlan(strategy, hardware, deployments);
    }

    /**
     * A quick allocation for a seed incumbent: the fewest devices that reach the grouping's bound (goodput)
     * or the target rate (min-devices), leftover devices handed one replica at a time to the deployment
     * with the smallest bound. Null when the grouping has no feasible allocation.
     */
    ScoredPlan seed(List<List<String>> groups, List<List<Option>> options, Objective objective) {
        int n = groups.size();
        double rate = objective.kind() == Objective.Kind.GOODPUT ? groupingBound(options) : objective.rateRps();
        if (!(rate > 0)) {
            return null;
        }
        int[] tp = new int[n];
        int[] replicas = new int[n];
        double[] cap = new double[n];
        int used = 0;
        for (int g = 0; g < n; g++) {
            int best = Integer.MAX_VALUE;
            for (Option o : options.get(g)) {
                int r = (int) Math.max(1, Math.ceil(rate / o.replicaCapacityRps() - 1e-12));
                if ((long) r * o.tensorParallel() < best) {
                    best = r * o.tensorParallel();
                    tp[g] = o.tensorParallel();
                    replicas[g] = r;
                    cap[g] = o.replicaCapacityRps();
                }
            }
            used += best;
        }
        if (used > clusterDevices) {
            return null;
        }
        if (objective.kind() == Objective.Kind.GOODPUT) {
            int left = clusterDevices - used;
            while (true) {
                int pick = -1;
                for (int g = 0; g < n; g++) {
                    if (tp[g] <= left && (pick < 0 || replicas[g] * cap[g] < replicas[pick] * cap[pick])) {
                        pick = g;
                    }
                }
                if (pick < 0) {
                    break;
                }
                replicas[pick]++;
                left -= tp[pick];
            }
        }
        return score(groups, tp, replicas);
    }
}
