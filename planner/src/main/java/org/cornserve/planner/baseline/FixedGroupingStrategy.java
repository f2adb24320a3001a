package org.cornserve.planner.baseline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.cornserve.planner.PlannerTask;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.TaskKind;
import org.cornserve.planner.Unit;
import org.cornserve.planner.search.CornserveSearch;
import org.cornserve.planner.search.GroupingPlanner;
import org.cornserve.planner.search.Objective;
import org.cornserve.planner.search.PlanEvaluator;
import org.cornserve.planner.search.SearchResult;

/**
 * A baseline: a fixed rule that groups each model's unit tasks into deployments. The rule applies per
 * model; a task shared by several models (Gemma 3's vision encoder) is deployed once, so it joins the first
 * model that uses it (a plan lists each task in exactly one deployment).
 *
 * <p>Two ways to allocate the grouping: <em>searched</em> (the registry's plain names), the same search
 * Cornserve runs restricted to this grouping ({@link CornserveSearch#searchWithin}: every tensor-parallel
 * degree and replica count, the best few ranked by the evaluator), so that a comparison measures the
 * grouping and not the allocation; or <em>fixed</em> (names ending {@code -fixed}), the paper's fixed
 * deployments: each deployment at the smallest tensor-parallel degree that fits ({@link GroupingPlanner}),
 * replicas by the analytic estimate, no ranking.
 */
public final class FixedGroupingStrategy implements PlanningStrategy {
    private final String name;
    private final Function<List<PlannerTask>, List<List<String>>> perModel;
    private final CornserveSearch.Options options;
    private final boolean fixedDegree;

    /**
     * @param name registry name
     * @param perModel groups one model's tasks (listed in path order) into deployments of unit ids
     * @param fixedDegree true for the paper's fixed deployments (smallest degree that fits), false to search
     */
    public FixedGroupingStrategy(String name, Function<List<PlannerTask>, List<List<String>>> perModel,
            CornserveSearch.Options options, boolean fixedDegree) {
        this.name = name;
        this.perModel = perModel;
        this.options = options;
        this.fixedDegree = fixedDegree;
    }

    @Override
    public String name() {
        return name;
    }

    /** The deployments this baseline makes of the problem. */
    public List<List<String>> groups(PlanningProblem problem) {
        Map<String, List<PlannerTask>> byModel = new LinkedHashMap<>();
        for (String m : problem.models()) {
            byModel.put(m, new ArrayList<>());
        }
        for (PlannerTask t : problem.tasks()) {
            String model = t.id().contains("/") ? t.id().substring(0, t.id().indexOf('/')) : "";
            if (!byModel.containsKey(model)) {
                model = byModel.isEmpty() ? t.id() : byModel.keySet().iterator().next();
            }
            byModel.computeIfAbsent(model, k -> new ArrayList<>()).add(t);
        }
        List<List<String>> groups = new ArrayList<>();
        for (List<PlannerTask> tasks : byModel.values()) {
            if (tasks.isEmpty()) {
                continue;
            }
            tasks.sort(java.util.Comparator.comparingInt(PlannerTask::stage));
            for (List<String> g : perModel.apply(tasks)) {
                if (!g.isEmpty()) {
                    groups.add(g);
                }
            }
        }
        return groups;
    }

    @Override
    public SearchResult plan(PlanningProblem problem, Objective objective, PlanEvaluator evaluator) {
        if (fixedDegree) {
            return new GroupingPlanner(options).plan(problem, name, groups(problem), objective);
        }
        return new CornserveSearch(problem, objective, options).searchWithin(groups(problem), evaluator, "simulator", name);
    }

    static boolean isEncoder(PlannerTask t) {
        return t.kind() == TaskKind.ENCODER || t.kind() == TaskKind.TEXT_ENCODER;
    }

    /** Whole model in one deployment. */
    static List<List<String>> monolithic(List<PlannerTask> tasks) {
        return List.of(tasks.stream().map(PlannerTask::id).toList());
    }

    /** Each encoder its own deployment; everything else together. */
    static List<List<String>> encoderSplit(List<PlannerTask> tasks) {
        List<List<String>> groups = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (PlannerTask t : tasks) {
            if (isEncoder(t)) {
                groups.add(List.of(t.id()));
            } else {
                rest.add(t.id());
            }
        }
        groups.add(rest);
        return groups;
    }

    /** Encoders with the LLM's prefill; decode with everything after it. */
    static List<List<String>> pdSplit(List<PlannerTask> tasks) {
        List<PlannerTask> llms = tasks.stream().filter(PlannerTask::splittable).toList();
        if (llms.size() != 1) {
            throw new IllegalArgumentException("pd-split needs a model with one LLM to split; "
                    + tasks.get(0).id().split("/")[0] + " has " + llms.size());
        }
        PlannerTask llm = llms.get(0);
        List<String> prefill = new ArrayList<>();
        List<String> decode = new ArrayList<>();
        for (PlannerTask t : tasks) {
            if (t == llm) {
                prefill.add(Unit.prefill(t).id());
                decode.add(Unit.decode(t).id());
            } else if (t.stage() < llm.stage()) {
                prefill.add(t.id());
            } else {
                decode.add(t.id());
            }
        }
        return List.of(prefill, decode);
    }

    /** Every unit its own deployment, LLMs split. */
    static List<List<String>> fullSplit(List<PlannerTask> tasks) {
        List<List<String>> groups = new ArrayList<>();
        for (PlannerTask t : tasks) {
            if (t.splittable()) {
                groups.add(List.of(Unit.prefill(t).id()));
                groups.add(List.of(Unit.decode(t).id()));
            } else {
                groups.add(List.of(t.id()));
            }
        }
        return groups;
    }

}
