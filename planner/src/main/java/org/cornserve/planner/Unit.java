package org.cornserve.planner;

import java.util.ArrayList;
import java.util.List;

/**
 * One deployable piece of a plan: a whole unit task, or the prefill or decode half of a split LLM.
 *
 * @param id the task id, with {@code :prefill} or {@code :decode} for a half
 * @param task the task it belongs to
 * @param kind the task's kind, or {@link TaskKind#PREFILL} / {@link TaskKind#DECODE} for a half
 */
public record Unit(String id, PlannerTask task, TaskKind kind) {

    public static Unit whole(PlannerTask task) {
        return new Unit(task.id(), task, task.kind());
    }

    public static Unit prefill(PlannerTask task) {
        return new Unit(task.id() + PlannerTask.PREFILL_SUFFIX, task, TaskKind.PREFILL);
    }

    public static Unit decode(PlannerTask task) {
        return new Unit(task.id() + PlannerTask.DECODE_SUFFIX, task, TaskKind.DECODE);
    }

    /** Resolves a unit id against the problem's tasks. */
    public static Unit resolve(PlanningProblem problem, String unitId) {
        if (unitId.endsWith(PlannerTask.PREFILL_SUFFIX) || unitId.endsWith(PlannerTask.DECODE_SUFFIX)) {
            boolean prefill = unitId.endsWith(PlannerTask.PREFILL_SUFFIX);
            String base = unitId.substring(0, unitId.lastIndexOf(':'));
            PlannerTask task = problem.task(base);
            if (!task.splittable()) {
                throw new IllegalArgumentException("unit " + unitId + ": task " + base + " is not an LLM and cannot be split");
            }
            return prefill ? prefill(task) : decode(task);
        }
        return whole(problem.task(unitId));
    }

    /** The units of the problem with the named LLMs split. */
    public static List<Unit> units(PlanningProblem problem, java.util.Set<String> splitLlms) {
        List<Unit> units = new ArrayList<>();
        for (PlannerTask t : problem.tasks()) {
            if (t.splittable() && splitLlms.contains(t.id())) {
                units.add(prefill(t));
                units.add(decode(t));
            } else {
                units.add(whole(t));
            }
        }
        return units;
    }
}
