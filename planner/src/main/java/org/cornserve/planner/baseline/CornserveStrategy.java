package org.cornserve.planner.baseline;

import java.util.ArrayList;
import java.util.List;
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
        // The baselines' structures always reach the evaluator's comparison.
        List<List<List<String>>> baselines = new ArrayList<>();
        for (String name : List.of("monolithic", "encoder-split", "pd-split", "full-split")) {
            try {
                baselines.add(((FixedGroupingStrategy) Strategies.byName(name, options)).groups(problem));
            } catch (IllegalArgumentException e) {
                // a structure the models do not have (pd-split without an LLM)
            }
        }
        return new CornserveSearch(problem, objective, options).search(evaluator, "simulator", baselines);
    }
}
