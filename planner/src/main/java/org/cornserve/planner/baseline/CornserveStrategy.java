package org.cornserve.planner.baseline;

import org.cornserve.planner.PlanningProblem;
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
        return new CornserveSearch(problem, objective, options).search(evaluator, "simulator");
    }
}
