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
     * True when the strategy deploys equivalent unit tasks of several models once (Cornserve); false when
     * each model is served on its own with its own copy of every component (as vLLM serves them). The
     * caller builds the problem accordingly.
     */
    boolean sharesEquivalentTasks();

    /**
     * Builds the plan.
     *
     * @param evaluator ranks candidate plans on the workload (the simulator), or null for the analytic ranking
     */
    SearchResult plan(PlanningProblem problem, Objective objective, PlanEvaluator evaluator);
}
