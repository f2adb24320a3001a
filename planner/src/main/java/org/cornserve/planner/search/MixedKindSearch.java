package org.cornserve.planner.search;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.planner.CandidatePlan;
import org.cornserve.planner.PlannedDeployment;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.estimate.AnalyticEstimator;
import org.cornserve.planner.estimate.EstimatorOptions;

/**
 * Plans on a cluster of node groups of different hardware kinds, each with a price per device-hour, choosing
 * every deployment's kind, tensor-parallel degree and replicas for goodput per dollar (capacity at the SLO
 * over the plan's dollars per hour) or for the fewest dollars per hour that serve a target rate.
 *
 * <p>Per grouping (one LLM per engine unless the options allow more), every deployment's options are its
 * (kind, degree) pairs that fit, each with its per-replica capacity bound and its dollars per request per
 * second ({@code degree x price / capacity}). Since a plan's capacity is at most its smallest
 * {@code replicas x capacity} and its price is a sum, the cheapest capacity comes from each deployment taking
 * its cheapest option independently; the search tries every product of each deployment's two cheapest options
 * (which may mix kinds) and, for comparison, each kind alone. For goodput per dollar the replica counts follow
 * from a rate (replicas = rate / capacity, rounded up, within each kind's devices), tried at the three rates
 * with the best bound; for min-dollars, from the target rate, then the bottleneck gets replicas until the full
 * estimate serves the target. Every plan kept is scored by the full analytic estimate. A heuristic on the
 * estimate (not branch and bound): tests compare it with every plan on small cases. With a
 * {@link PlanEvaluator} (the simulator), the best {@code finalists} plans by the estimate and each kind's best
 * are measured (capacity bisected to the ranking tolerance) and ranked by their measured figures.
 */
public final class MixedKindSearch {

    /**
     * One node group's hardware: the planning problem built for its kind (same models, workload and seed as the
     * others) whose cluster gives its nodes, and its price.
     *
     * @param problem the problem on this kind's devices
     * @param usdPerDeviceHour price of one device per hour
     */
    public record Pool(PlanningProblem problem, double usdPerDeviceHour) {
        public Pool {
            if (!(usdPerDeviceHour > 0)) {
                throw new IllegalArgumentException("hardware " + problem.cluster().hardware()
                        + " needs a price per device-hour > 0, got " + usdPerDeviceHour);
            }
        }

        public String kind() {
            return problem.cluster().hardware();
        }
    }

    /**
     * A plan with its price.
     *
     * @param plan the plan
     * @param capacityRps estimated capacity at the SLO
     * @param usdPerHour the plan's devices' price per hour
     * @param requestsPerDollar capacity x 3600 / price: requests served at the SLO per dollar at full load (from
     *     the measured capacity when there is one)
     * @param measuredCapacityRps capacity the evaluator measured, or null
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record PricedPlan(
            @JsonProperty("plan") CandidatePlan plan,
            @JsonProperty("capacity_rps") double capacityRps,
            @JsonProperty("usd_per_hour") double usdPerHour,
            @JsonProperty("requests_per_dollar") double requestsPerDollar,
            @JsonProperty("measured_capacity_rps") Double measuredCapacityRps) {

        PricedPlan measured(double rps) {
            return new PricedPlan(plan, capacityRps, usdPerHour, rps * 3600 / usdPerHour, rps);
        }

        /** The capacity the ranking goes by: measured when measured, else estimated. */
        public double rankedCapacityRps() {
            return measuredCapacityRps != null ? measuredCapacityRps : capacityRps;
        }
    }

    /**
     * The outcome.
     *
     * @param best the best plan over all kinds (mixed or not)
     * @param bestPerKind the best plan that uses one kind only, per kind (absent when none fits)
     * @param evaluations plans scored by the full estimate
     */
    public record Result(
            @JsonProperty("best") PricedPlan best,
            @JsonProperty("best_per_kind") Map<String, PricedPlan> bestPerKind,
            @JsonProperty("evaluations") long evaluations) {}

    private record Option(String kind, int tp, double capacityRps, double usdPerHour) {
        double dollarsPerRps() {
            return usdPerHour / capacityRps;
        }
    }

    private final List<Pool> pools;
    private final Objective objective;
    private final CornserveSearch.Options options;
    private final AnalyticEstimator estimator;
    private final Map<String, Pool> byKind = new LinkedHashMap<>();
    private long evaluations;

    public MixedKindSearch(List<Pool> pools, Objective objective, CornserveSearch.Options options) {
        if (pools.isEmpty()) {
            throw new IllegalArgumentException("a mixed-kind search needs at least one node group");
        }
        if (!objective.kind().dollars()) {
            throw new IllegalArgumentException("a mixed-kind search optimises goodput-per-dollar or min-dollars, got "
                    + objective.jsonName());
        }
        this.pools = List.copyOf(pools);
        this.objective = objective;
        this.options = options;
        EstimatorOptions eo = options.estimator();
        this.estimator = new AnalyticEstimator(pools.get(0).problem(), eo);
        for (Pool p : pools) {
            if (byKind.put(p.kind(), p) != null) {
                throw new IllegalArgumentException("hardware " + p.kind() + " is listed twice; give one node group per kind");
            }
            if (p != pools.get(0)) {
                estimator.withKind(new AnalyticEstimator(p.problem(), eo));
            }
        }
    }

    /** The best plan by the analytic estimate alone. */
    public Result search() {
        return search(null);
    }

    /**
     * @param evaluator measures the finalists (the simulator), or null to rank by the estimate alone
     * @throws IllegalArgumentException when no plan fits (or, for min-dollars, none serves the target rate)
     */
    public Result search(PlanEvaluator evaluator) {
        PlanningProblem first = pools.get(0).problem();
        List<PricedPlan> scored = new ArrayList<>();
        Comparator<PricedPlan> order = objective.kind() == Objective.Kind.GOODPUT_PER_DOLLAR
                ? Comparator.comparingDouble((PricedPlan p) -> -p.requestsPerDollar()).thenComparing(p -> p.plan().describe())
                : Comparator.comparingInt((PricedPlan p) -> p.rankedCapacityRps() >= objective.rateRps() ? 0 : 1)
                        .thenComparingDouble(PricedPlan::usdPerHour).thenComparing(p -> -p.rankedCapacityRps())
                        .thenComparing(p -> p.plan().describe());
        for (Grouping g : Grouping.all(first, options.multiModelEngines())) {
            List<List<Option>> opts = new ArrayList<>();
            for (List<String> units : g.groups()) {
                opts.add(options(units));
            }
            if (opts.stream().anyMatch(List::isEmpty)) {
                continue;
            }
            List<List<Option>> assignments = new ArrayList<>();
            product(opts.stream().map(o -> o.subList(0, Math.min(2, o.size()))).toList(), 0, new ArrayList<>(), assignments);
            for (Pool p : pools) {
                List<Option> only = new ArrayList<>();
                for (List<Option> o : opts) {
                    o.stream().filter(x -> x.kind().equals(p.kind())).findFirst().ifPresent(only::add);
                }
                if (only.size() == opts.size() && !assignments.contains(only)) {
                    assignments.add(only);
                }
            }
            for (List<Option> a : assignments) {
                if (evaluations >= options.evaluationBudget()) {
                    break;
                }
                scored.addAll(plans(g, a));
            }
        }
        if (evaluator != null) {
            List<PricedPlan> finalists = new ArrayList<>(scored.stream().sorted(order).distinct()
                    .limit(options.finalists()).toList());
            for (PricedPlan p : bestPerKind(scored, order).values()) {
                if (!finalists.contains(p)) {
                    finalists.add(p);
                }
            }
            PlanEvaluator cached = CachingEvaluator.of(evaluator);
            scored = new ArrayList<>();
            for (PricedPlan f : finalists) {
                double start = Math.max(f.capacityRps(), first.workload().rateRps());
                scored.add(f.measured(new CapacitySearch(first.slo().attainmentTarget(), options.rankingTolerance(), 8,
                        CapacitySearch.bisectionsFor(options.rankingTolerance()))
                        .searchEvaluations(start, r -> cached.evaluate(f.plan(), r)).capacityRps()));
            }
        }
        PricedPlan best = scored.stream().filter(p -> objective.kind() != Objective.Kind.MIN_DOLLARS
                || p.rankedCapacityRps() >= objective.rateRps()).min(order).orElse(null);
        Map<String, PricedPlan> bestPerKind = bestPerKind(scored, order);
        if (best == null) {
            throw new IllegalArgumentException("no plan fits the node groups " + byKind.keySet()
                    + (objective.kind() == Objective.Kind.MIN_DOLLARS
                            ? " while serving " + objective.rateRps() + " rps at the SLO" : ""));
        }
        return new Result(best, bestPerKind, evaluations);
    }

    private static Map<String, PricedPlan> bestPerKind(List<PricedPlan> plans, Comparator<PricedPlan> order) {
        Map<String, PricedPlan> out = new LinkedHashMap<>();
        for (PricedPlan p : plans) {
            java.util.Set<String> kinds = p.plan().devicesByHardware().keySet();
            if (kinds.size() == 1) {
                out.merge(kinds.iterator().next(), p, (x, y) -> order.compare(x, y) <= 0 ? x : y);
            }
        }
        return out;
    }

    /** Every (kind, degree) of a group that fits and serves load, cheapest capacity first. */
    private List<Option> options(List<String> units) {
        List<Option> out = new ArrayList<>();
        for (Pool p : pools) {
            AnalyticEstimator e = estimator.forKind(p.kind());
            for (int tp : AllocationSearch.powersOfTwo(p.problem().cluster().devicesPerNode())) {
                if (tp > p.problem().cluster().devices() || (tp > 1 && !e.anyUnitShards(units, tp))) {
                    continue;
                }
                double cap = e.replicaCapacityRps(units, tp);
                if (cap > 0) {
                    out.add(new Option(p.kind(), tp, cap, tp * p.usdPerDeviceHour()));
                }
            }
        }
        out.sort(Comparator.comparingDouble(Option::dollarsPerRps).thenComparing(Option::kind).thenComparingInt(Option::tp));
        return out;
    }

    private static void product(List<List<Option>> opts, int i, List<Option> current, List<List<Option>> out) {
        if (i == opts.size()) {
            out.add(List.copyOf(current));
            return;
        }
        for (Option o : opts.get(i)) {
            current.add(o);
            product(opts, i + 1, current, out);
            current.remove(current.size() - 1);
        }
    }

    /** The plans worth scoring for one assignment of options to the grouping's deployments. */
    private List<PricedPlan> plans(Grouping g, List<Option> a) {
        List<PricedPlan> out = new ArrayList<>();
        if (objective.kind() == Objective.Kind.MIN_DOLLARS) {
            int[] replicas = replicasAt(a, objective.rateRps());
            if (replicas == null) {
                return out;
            }
            for (int step = 0; step <= 32; step++) {
                PricedPlan p = score(g, a, replicas);
                if (p.capacityRps() >= objective.rateRps()) {
                    out.add(p);
                    break;
                }
                // the deployment with the least capacity bound gets a replica, if its kind has the devices
                int pick = -1;
                for (int d = 0; d < a.size(); d++) {
                    if (pick < 0 || replicas[d] * a.get(d).capacityRps() < replicas[pick] * a.get(pick).capacityRps()) {
                        pick = d;
                    }
                }
                replicas[pick]++;
                if (!fits(a, replicas)) {
                    break;
                }
            }
            return out;
        }
        // goodput per dollar: candidate rates where some deployment is exactly full, best three by the bound
        double most = 0;
        for (Option o : a) {
            most = Math.max(most, o.capacityRps() * byKind.get(o.kind()).problem().cluster().devices() / o.tp());
        }
        record Rate(double rateRps, int[] replicas, double bound) {}
        List<Rate> rates = new ArrayList<>();
        for (Option o : a) {
            for (int k = 1; k * o.capacityRps() <= most + 1e-9 && k <= 4096; k++) {
                int[] r = replicasAt(a, k * o.capacityRps());
                if (r == null) {
                    break;
                }
                double price = 0;
                double cap = Double.POSITIVE_INFINITY;
                for (int d = 0; d < a.size(); d++) {
                    price += r[d] * a.get(d).usdPerHour();
                    cap = Math.min(cap, r[d] * a.get(d).capacityRps());
                }
                rates.add(new Rate(k * o.capacityRps(), r, cap / price));
            }
        }
        rates.sort(Comparator.comparingDouble((Rate r) -> -r.bound()).thenComparingDouble(r -> -r.rateRps()));
        List<String> seen = new ArrayList<>();
        for (Rate r : rates) {
            String key = java.util.Arrays.toString(r.replicas());
            if (seen.contains(key)) {
                continue;
            }
            seen.add(key);
            out.add(score(g, a, r.replicas()));
            if (seen.size() == 3) {
                break;
            }
        }
        return out;
    }

    /** Replicas that give every deployment at least {@code rateRps} of capacity bound, or null when they do not fit. */
    private int[] replicasAt(List<Option> a, double rateRps) {
        int[] r = new int[a.size()];
        for (int d = 0; d < a.size(); d++) {
            r[d] = (int) Math.max(1, Math.ceil(rateRps / a.get(d).capacityRps() - 1e-9));
        }
        return fits(a, r) ? r : null;
    }

    private boolean fits(List<Option> a, int[] replicas) {
        Map<String, Integer> used = new LinkedHashMap<>();
        for (int d = 0; d < a.size(); d++) {
            used.merge(a.get(d).kind(), replicas[d] * a.get(d).tp(), Integer::sum);
        }
        for (Map.Entry<String, Integer> e : used.entrySet()) {
            if (e.getValue() > byKind.get(e.getKey()).problem().cluster().devices()) {
                return false;
            }
        }
        return true;
    }

    private PricedPlan score(Grouping g, List<Option> a, int[] replicas) {
        String primary = pools.get(0).kind();
        List<String> names = Grouping.names(g.groups());
        List<PlannedDeployment> deployments = new ArrayList<>();
        double price = 0;
        for (int d = 0; d < a.size(); d++) {
            Option o = a.get(d);
            deployments.add(new PlannedDeployment(names.get(d), g.groups().get(d), o.tp(), replicas[d],
                    o.kind().equals(primary) ? null : o.kind()));
            price += replicas[d] * o.usdPerHour();
        }
        CandidatePlan plan = new CandidatePlan("cornserve-" + objective.jsonName(), primary, deployments);
        evaluations++;
        double capacity = estimator.capacityRps(plan);
        return new PricedPlan(plan, capacity, price, capacity * 3600 / price, null);
    }

    /** The estimator that costs every kind (for the caller's reports). */
    public AnalyticEstimator estimator() {
        return estimator;
    }
}
