package org.cornserve.planner.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.estimate.AnalyticEstimator;
import org.cornserve.planner.estimate.EstimatorOptions;
import org.cornserve.planner.estimate.PlanEstimate;

/**
 * Cornserve's planner: searches every grouping of the models' unit tasks (every set partition, each LLM
 * whole or split into prefill and decode), and for each grouping the tensor-parallel degree and replica
 * count of every deployment, coarse to fine:
 * <ol>
 *   <li>per-replica capacity bounds from the analytic estimate give every grouping an upper bound, and a
 *       quick allocation per grouping gives an incumbent;</li>
 *   <li>branch and bound over the groupings in bound order, scoring allocations with the full analytic
 *       estimate (queueing on the profile curves) and cutting everything whose bound cannot beat the
 *       incumbent;</li>
 *   <li>the best allocation of each of the top few groupings goes to the {@link PlanEvaluator} (the
 *       simulator, when one is handed in), which ranks them on the workload.</li>
 * </ol>
 * Deterministic: the same problem (its seed included) gives the same plan.
 */
public final class CornserveSearch {

    /**
     * Search settings.
     *
     * @param evaluationBudget most plans the analytic estimate scores in branch and bound
     * @param finalists plans handed to the evaluator (and listed as runners-up)
     * @param estimator analytic estimate settings
     */
    public record Options(long evaluationBudget, int finalists, EstimatorOptions estimator) {
        public static final Options DEFAULT = new Options(60_000, 5, EstimatorOptions.DEFAULT);

        public Options {
            if (evaluationBudget < 1 || finalists < 1) {
                throw new IllegalArgumentException("evaluation budget and finalists must be >= 1");
            }
        }
    }

    private final PlanningProblem problem;
    private final Objective objective;
    private final Options options;

    public CornserveSearch(PlanningProblem problem, Objective objective, Options options) {
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
        long start = System.nanoTime();
        AnalyticEstimator estimator = new AnalyticEstimator(problem, options.estimator());
        AllocationSearch allocations = new AllocationSearch(estimator, "cornserve");
        AllocationSearch.Incumbent incumbent = new AllocationSearch.Incumbent(objective, options.evaluationBudget());
        List<Integer> tps = AllocationSearch.powersOfTwo(problem.cluster().devicesPerNode());

        record Candidate(Grouping grouping, List<List<AllocationSearch.Option>> options, double key) {}
        List<Grouping> groupings = Grouping.all(problem);
        List<Candidate> candidates = new ArrayList<>();
        Map<Grouping, ScoredPlan> bestOf = new HashMap<>();
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
            ScoredPlan seed = allocations.seed(g.groups(), opts, objective);
            if (seed != null) {
                incumbent.evaluations++;
                incumbent.offer(seed);
                bestOf.merge(g, seed, (a, b) -> order.compare(a, b) <= 0 ? a : b);
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
                bestOf.merge(c.grouping(), s, (a, b) -> order.compare(a, b) <= 0 ? a : b);
            }
        }
        if (incumbent.best == null) {
            throw new IllegalArgumentException("no plan fits: every grouping of " + problem.models() + " needs more than "
                    + problem.cluster().devices() + " " + problem.cluster().hardware()
                    + " device(s), or a model does not fit in memory at any tensor-parallel degree within a node");
        }
        List<ScoredPlan> finalists = bestOf.values().stream().sorted(order).limit(options.finalists()).toList();
        ScoredPlan chosen = finalists.get(0);
        Map<ScoredPlan, PlanEvaluator.Evaluation> evaluations = new HashMap<>();
        double rankRate = 0;
        if (evaluator != null) {
            rankRate = objective.kind() == Objective.Kind.GOODPUT
                    ? Math.max(problem.workload().rateRps(), chosen.capacityRps()) : objective.rateRps();
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
                    e.bottleneck(), evaluations.get(f)));
        }
        SearchResult.Stats stats = new SearchResult.Stats(groupings.size(), pruned, incumbent.evaluations,
                !incumbent.exhausted, (System.nanoTime() - start) / 1_000_000);
        SearchResult.Explanation explanation = new SearchResult.Explanation(objective.jsonName(),
                objective.kind() == Objective.Kind.MIN_DEVICES ? objective.rateRps() : 0,
                evaluator == null ? "analytic" : evaluatorName, rankRate, estimator.estimate(chosen.plan()),
                evaluations.get(chosen), runnersUp, stats);
        return new SearchResult(chosen.plan(), explanation);
    }

    private ScoredPlan rankByEvaluation(List<ScoredPlan> finalists, Map<ScoredPlan, PlanEvaluator.Evaluation> evals) {
        double target = problem.slo().attainmentTarget();
        Comparator<ScoredPlan> analytic = ScoredPlan.bestFirst(objective);
        Comparator<ScoredPlan> measured = objective.kind() == Objective.Kind.GOODPUT
                ? Comparator.comparingDouble((ScoredPlan s) -> -evals.get(s).goodputRps())
                : Comparator.<ScoredPlan>comparingInt(s -> evals.get(s).sloAttainment() >= target ? 0 : 1)
                        .thenComparingInt(ScoredPlan::devices)
                        .thenComparingDouble(s -> -evals.get(s).goodputRps());
        return finalists.stream().min(measured.thenComparing(analytic)).orElseThrow();
    }
}
