package org.cornserve.planner.baseline;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.planner.CandidatePlan;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.search.CachingEvaluator;
import org.cornserve.planner.search.CornserveSearch;
import org.cornserve.planner.search.Objective;
import org.cornserve.planner.search.PlanEvaluator;
import org.cornserve.planner.search.SearchResult;

/** Cornserve's own planner ({@link CornserveSearch}) as a strategy. */
public final class CornserveStrategy implements PlanningStrategy {
    private final CornserveSearch.Options options;

    public CornserveStrategy(CornserveSearch.Options options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "cornserve";
    }

    @Override
    public SearchResult plan(PlanningProblem problem, Objective objective, PlanEvaluator evaluator) {
        // The baselines' chosen plans (the same search within their groupings, ranked by the same evaluator)
        // always join the finalists, so on the evaluator's workload Cornserve measures at least as well as each.
        PlanEvaluator cached = CachingEvaluator.of(evaluator);
        List<CandidatePlan> baselines = new ArrayList<>();
        if (cached != null) {
            for (String name : Strategies.BASELINES) {
                try {
                    baselines.add(Strategies.byName(name, options).plan(problem, objective, cached).plan());
                } catch (IllegalArgumentException e) {
                    // a structure the models do not have (pd-split without an LLM), or one that fits nowhere
                }
            }
        }
        return new CornserveSearch(problem, objective, options).search(cached, "simulator", baselines);
    }
}
