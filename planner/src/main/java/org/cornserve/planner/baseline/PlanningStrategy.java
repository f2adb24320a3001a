package org.cornserve.planner.baseline;

import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.search.Objective;
import org.cornserve.planner.search.PlanEvaluator;
import org.cornserve.planner.search.SearchResult;

/** A way of building a deployment plan: a baseline's fixed structure, or Cornserve's search. */
public interface PlanningStrategy {
    /** Registry name ({@code monolithic}, {@code cornserve}, ...). */
    String name();

    /**
     * Builds the plan.
     *
     * @param evaluator ranks candidate plans on the workload (the simulator), or null for the analytic ranking
     */
    SearchResult plan(PlanningProblem problem, Objective objective, PlanEvaluator evaluator);
}
