package org.cornserve.planner.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.planner.CandidatePlan;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.estimate.AnalyticEstimator;
import org.cornserve.planner.estimate.EstimatorOptions;
import org.cornserve.planner.estimate.PlanEstimate;

/**
 * Cornserve's planner: searches every grouping of the models' unit tasks (every set partition, each LLM
 * whole or split into prefill and decode), and for each grouping the tensor-parallel degree and replica
 * count of every deployment, coarse to fine:
 * <ol>
 *   <li>per-replica capacity bounds from the analytic estimate give every grouping an upper bound, and
 *       quick allocations per grouping (over all degrees, and with one degree throughout) give an
 *       incumbent;</li>
 *   <li>branch and bound over the groupings in bound order, scoring allocations with the full analytic
 *       estimate (queueing on the profile curves) and cutting everything whose bound cannot beat the
 *       incumbent;</li>
 *   <li>the best allocation of each of the top few shapes (grouping and tensor-parallel degrees) goes to
 *       the {@link PlanEvaluator} (the simulator, when one is handed in), which measures each one's capacity
 *       at the SLO (bisection on the rate) for the goodput objective, or its attainment at the target rate
 *       for min-devices; the baselines' structures always join the finalists when the caller names them.</li>
 * </ol>
 * Deterministic: the same problem (its seed included) gives the same plan.
 */
public final class CornserveSearch {

    /**
     * Search settings.
     *
     * @param evaluationBudget most plans the analytic estimate scores in branch and bound
     * @param finalists plans (distinct groupings and tensor-parallel degrees) handed to the evaluator
     * @param estimator analytic estimate settings
     * @param rankingTolerance relative width at which the evaluator's capacity bisection of a finalist stops
     * @param multiModelEngines true to let one engine serve the LLMs of several models (the default, false,
     *     keeps one LLM per engine as vLLM does; equivalent tasks are shared either way)
     */
    public record Options(long evaluationBudget, int finalists, EstimatorOptions estimator, double rankingTolerance,
            boolean multiModelEngines) {
        /** Default ranking tolerance: 5%, a cheaper bisection than the reported capacity's. */
        public static final double DEFAULT_RANKING_TOLERANCE = 0.05;
        public static final Options DEFAULT = new Options(60_000, 8, EstimatorOptions.DEFAULT);

        public Options {
            if (evaluationBudget < 1 || finalists < 1) {
                throw new IllegalArgumentException("evaluation budget and finalists must be >= 1");
            }
            if (!(rankingTolerance > 0 && rankingTolerance < 1)) {
                throw new IllegalArgumentException("ranking tolerance must be in (0, 1), got " + rankingTolerance);
            }
        }

        public Options(long evaluationBudget, int finalists, EstimatorOptions estimator) {
            this(evaluationBudget, finalists, estimator, DEFAULT_RANKING_TOLERANCE, false);
        }
    }

    private final PlanningProblem problem;
    private final Objective objective;
    private final Options options;

    public CornserveSearch(PlanningProblem problem, Objective objective, Options options) {
        if (objective.kind().dollars()) {
            throw new IllegalArgumentException("objective " + objective.jsonName() + " weighs prices: plan it with "
                    + "MixedKindSearch (cornserve plan-mixed), which chooses each deployment's hardware kind");
        }
        this.problem = problem;
        this.objective = objective;
        this.options = options;
    }

    /** The best plan by the analytic estimate alone. */
    public SearchResult search() {
        return search(null, null);
    }

    /**
     * Searches and, when an evaluator is given, ranks the finalists with it.
     *
     * @param evaluator ranks finalists on the workload, or null for the analytic ranking only
     * @param evaluatorName name written in the explanation (e.g. {@code simulator})
     */
    public SearchResult search(PlanEvaluator evaluator, String evaluatorName) {
        return search(evaluator, evaluatorName, List.of());
    }

    /**
     * As {@link #search(PlanEvaluator, String)}, with plans that always join the finalists the evaluator
     * ranks (the baselines' chosen plans, which the search space contains), so that an estimate that
     * misjudges them cannot keep them from the measured comparison: with the same evaluator, the chosen plan
     * then measures at least as well as each of them on the evaluator's workload.
     *
     * @param alsoRank plans to rank whatever their estimate
     */
    public SearchResult search(PlanEvaluator evaluator, String evaluatorName, List<CandidatePlan> alsoRank) {
        return search(evaluator, evaluatorName, alsoRank, null, "cornserve");
    }

    /**
     * The same search restricted to one grouping (a baseline's structure): branch and bound over its
     * tensor-parallel degrees and replica counts, its best allocations of up to {@code finalists} distinct
     * degree shapes ranked by the evaluator exactly as Cornserve's finalists are.
     *
     * @param groups unit ids per deployment
     * @param strategy name written into the plan
     * @throws IllegalArgumentException when the grouping has no feasible allocation
     */
    public SearchResult searchWithin(List<List<String>> groups, PlanEvaluator evaluator, String evaluatorName,
            String strategy) {
        return search(evaluator, evaluatorName, List.of(), groupingKey(groups), strategy);
    }

    private SearchResult search(PlanEvaluator evaluator, String evaluatorName, List<CandidatePlan> alsoRank,
            String onlyGrouping, String strategy) {
        long start = System.nanoTime();
        AnalyticEstimator estimator = new AnalyticEstimator(problem, options.estimator());
        AllocationSearch allocations = new AllocationSearch(estimator, strategy);
        AllocationSearch.Incumbent incumbent = new AllocationSearch.Incumbent(objective, options.evaluationBudget());
        List<Integer> tps = AllocationSearch.powersOfTwo(problem.cluster().devicesPerNode());

        record Candidate(Grouping grouping, List<List<AllocationSearch.Option>> options, double key) {}
        List<Grouping> groupings = onlyGrouping == null ? Grouping.all(problem, options.multiModelEngines())
                : Grouping.all(problem, true).stream().filter(g -> groupingKey(g.groups()).equals(onlyGrouping)).toList();
        List<Candidate> candidates = new ArrayList<>();
        Map<String, ScoredPlan> bestOf = new HashMap<>();
        Comparator<ScoredPlan> order = ScoredPlan.bestFirst(objective);
        for (Grouping g : groupings) {
            List<List<AllocationSearch.Option>> opts = g.groups().stream().map(u -> allocations.options(u, tps)).toList();
            double key = objective.kind() == Objective.Kind.GOODPUT ? allocations.groupingBound(opts)
                    : -opts.stream().mapToLong(o -> o.isEmpty() ? Integer.MAX_VALUE
                            : AllocationSearch.minDevices(o, objective.rateRps())).sum();
            if (opts.stream().anyMatch(List::isEmpty) || (objective.kind() == Objective.Kind.GOODPUT && !(key > 0))
                    || -key > problem.cluster().devices()) {
                continue;
            }
            candidates.add(new Candidate(g, opts, key));
            // Seeds: the quick allocation over all degrees, and one per degree used by every deployment, so
            // that each grouping's main tensor-parallel shapes reach the finalists.
            List<List<List<AllocationSearch.Option>>> variants = new ArrayList<>();
            variants.add(opts);
            for (int tp : tps) {
                List<List<AllocationSearch.Option>> only = opts.stream()
                        .map(o -> o.stream().filter(x -> x.tensorParallel() == tp).toList()).toList();
                if (only.stream().noneMatch(List::isEmpty)) {
                    variants.add(only);
                }
            }
            for (List<List<AllocationSearch.Option>> v : variants) {
                ScoredPlan seed = allocations.seed(g.groups(), v, objective);
                if (seed != null) {
                    incumbent.evaluations++;
                    incumbent.offer(seed);
                    bestOf.merge(shape(seed), seed, (a, b) -> order.compare(a, b) <= 0 ? a : b);
                }
            }
        }
        candidates.sort(Comparator.comparingDouble(Candidate::key).reversed()
                .thenComparing(c -> c.grouping().toString()));
        int pruned = 0;
        for (Candidate c : candidates) {
            boolean cut = objective.kind() == Objective.Kind.GOODPUT
                    ? c.key() < incumbent.capacityBar()
                    : -c.key() > incumbent.deviceBar(problem.cluster().devices());
            if (cut) {
                pruned++;
                continue;
            }
            List<ScoredPlan> scored = new ArrayList<>();
            allocations.search(c.grouping().groups(), c.options(), incumbent, scored);
            for (ScoredPlan s : scored) {
                bestOf.merge(shape(s), s, (a, b) -> order.compare(a, b) <= 0 ? a : b);
            }
        }
        if (incumbent.best == null && onlyGrouping != null) {
            throw new IllegalArgumentException(strategy + ": no allocation of " + onlyGrouping + " fits "
                    + problem.cluster().devices() + " " + problem.cluster().hardware()
                    + " device(s) with every deployment serving load at the SLO");
        }
        if (incumbent.best == null) {
            throw new IllegalArgumentException("no plan fits: every grouping of " + problem.models() + " needs more than "
                    + problem.cluster().devices() + " " + problem.cluster().hardware()
                    + " device(s), or a model does not fit in memory at any tensor-parallel degree within a node");
        }
        List<ScoredPlan> finalists = new ArrayList<>(bestOf.values().stream().sorted(order).limit(options.finalists()).toList());
        if (evaluator != null) {
            for (CandidatePlan p : alsoRank) {
                boolean known = finalists.stream().anyMatch(f -> f.plan().describe().equals(p.describe()));
                if (!known) {
                    finalists.add(new ScoredPlan(p, estimator.capacityRps(p), estimator.stableRps(p)));
                }
            }
        }
        ScoredPlan chosen = finalists.get(0);
        Map<ScoredPlan, PlanEvaluator.Evaluation> evaluations = new HashMap<>();
        Map<ScoredPlan, Double> measured = new HashMap<>();
        double rankRate = 0;
        if (evaluator != null && objective.kind() == Objective.Kind.GOODPUT) {
            // Each finalist's capacity at the SLO as the evaluator measures it; the highest wins.
            for (ScoredPlan f : finalists) {
                measured.put(f, measuredCapacity(f, evaluator));
            }
            chosen = finalists.stream().min(Comparator.comparingDouble((ScoredPlan f) -> -measured.get(f))
                    .thenComparing(order)).orElseThrow();
            rankRate = Math.max(problem.workload().rateRps(), measured.get(chosen));
            for (ScoredPlan f : finalists) {
                evaluations.put(f, evaluator.evaluate(f.plan(), rankRate));
            }
        } else if (evaluator != null) {
            rankRate = objective.rateRps();
            for (ScoredPlan f : finalists) {
                evaluations.put(f, evaluator.evaluate(f.plan(), rankRate));
            }
            chosen = rankByEvaluation(finalists, evaluations);
        }
        List<SearchResult.RunnerUp> runnersUp = new ArrayList<>();
        for (ScoredPlan f : finalists) {
            if (f == chosen) {
                continue;
            }
            PlanEstimate e = estimator.estimate(f.plan());
            runnersUp.add(new SearchResult.RunnerUp(f.plan().describe(), f.devices(), e.capacityRps(), e.goodputRps(),
                    e.bottleneck(), measured.get(f), evaluations.get(f)));
        }
        SearchResult.Stats stats = new SearchResult.Stats(groupings.size(), pruned, incumbent.evaluations,
                !incumbent.exhausted, (System.nanoTime() - start) / 1_000_000);
        SearchResult.Explanation explanation = new SearchResult.Explanation(objective.jsonName(),
                objective.kind() == Objective.Kind.MIN_DEVICES ? objective.rateRps() : 0,
                evaluator == null ? "analytic" : evaluatorName, rankRate, estimator.estimate(chosen.plan()),
                measured.get(chosen), evaluations.get(chosen), runnersUp, stats);
        return new SearchResult(chosen.plan(), explanation);
    }

    /**
     * A finalist's capacity at the SLO as the evaluator measures it: bracket and bisect (to the ranking
     * tolerance) from its
     * estimated capacity, or from the workload's rate when that is higher. About eight evaluations.
     */
    private double measuredCapacity(ScoredPlan finalist, PlanEvaluator evaluator) {
        double start = Math.max(problem.workload().rateRps(), finalist.capacityRps());
        return new CapacitySearch(problem.slo().attainmentTarget(), options.rankingTolerance(), 5,
                CapacitySearch.bisectionsFor(options.rankingTolerance()))
                .searchEvaluations(start, rate -> evaluator.evaluate(finalist.plan(), rate)).capacityRps();
    }

    /** A grouping's identity whatever the order of its blocks and of the units in them. */
    private static String groupingKey(List<List<String>> groups) {
        return groups.stream().map(g -> g.stream().sorted().toList().toString()).sorted().toList().toString();
    }

    /** Grouping and tensor-parallel degrees of a plan: finalists differ in at least one. */
    private static String shape(ScoredPlan s) {
        StringBuilder sb = new StringBuilder();
        for (var d : s.plan().deployments()) {
            sb.append(d.units()).append("@tp").append(d.tensorParallel()).append(' ');
        }
        return sb.toString();
    }

    private ScoredPlan rankByEvaluation(List<ScoredPlan> finalists, Map<ScoredPlan, PlanEvaluator.Evaluation> evals) {
        double target = problem.slo().attainmentTarget();
        Comparator<ScoredPlan> analytic = ScoredPlan.bestFirst(objective);
        Comparator<ScoredPlan> measured = objective.kind() == Objective.Kind.GOODPUT
                ? Comparator.comparingDouble((ScoredPlan s) -> -evals.get(s).goodputRps())
                : Comparator.<ScoredPlan>comparingInt(s -> evals.get(s).meets(target) ? 0 : 1)
                        .thenComparingInt(ScoredPlan::devices)
                        .thenComparingDouble(s -> -evals.get(s).goodputRps());
        return finalists.stream().min(measured.thenComparing(analytic)).orElseThrow();
    }
}
