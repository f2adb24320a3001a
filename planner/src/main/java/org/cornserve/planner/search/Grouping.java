package org.cornserve.planner.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.cornserve.planner.PlannerTask;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.Unit;

/**
 * Which unit tasks share a replica: a set partition of the units (whole tasks, or the prefill and decode
 * halves of split LLMs, never in one block). Each block becomes one deployment.
 *
 * @param groups blocks of unit ids, each sorted, blocks in order of their first unit
 */
public record Grouping(List<List<String>> groups) {
    public Grouping {
        groups = groups.stream().map(List::copyOf).toList();
    }

    /** Number of groupings {@link #all} returns without enumerating them (Bell numbers per split choice). */
    public static long count(PlanningProblem problem) {
        return all(problem).size();
    }

    /** Every grouping with at most one LLM per engine ({@link #all(PlanningProblem, boolean)} without multi-model engines). */
    public static List<Grouping> all(PlanningProblem problem) {
        return all(problem, false);
    }

    /**
     * Every grouping of the problem's units: for every subset of its LLMs split into prefill and decode,
     * every set partition of the resulting units in which no LLM's halves share a block, and, unless
     * {@code multiModelEngines}, no block holds the LLMs (whole or halves) of two different models: an
     * engine serves one LLM, as vLLM does. Equivalent tasks stay one unit either way (the Gemma 3 vision
     * encoder). Enumerated as restricted growth strings; O(sum of Bell numbers) groupings.
     */
    public static List<Grouping> all(PlanningProblem problem, boolean multiModelEngines) {
        List<PlannerTask> llms = problem.tasks().stream().filter(PlannerTask::splittable).toList();
        List<Grouping> out = new ArrayList<>();
        for (int mask = 0; mask < 1 << llms.size(); mask++) {
            Set<String> split = new TreeSet<>();
            for (int i = 0; i < llms.size(); i++) {
                if ((mask & 1 << i) != 0) {
                    split.add(llms.get(i).id());
                }
            }
            List<Unit> units = Unit.units(problem, split);
            int n = units.size();
            int[] block = new int[n];
            partitions(units, block, 0, -1, out);
        }
        if (!multiModelEngines) {
            out.removeIf(g -> g.groups().stream().anyMatch(b -> llmsIn(problem, b) > 1));
        }
        return out;
    }

    /** Distinct LLM tasks (whole or either half) among a block's units. */
    static long llmsIn(PlanningProblem problem, List<String> block) {
        return block.stream().map(u -> Unit.resolve(problem, u).task()).filter(PlannerTask::splittable).distinct().count();
    }

    private static void partitions(List<Unit> units, int[] block, int i, int maxBlock, List<Grouping> out) {
        int n = units.size();
        if (i == n) {
            List<List<String>> groups = new ArrayList<>();
            for (int b = 0; b <= maxBlock; b++) {
                groups.add(new ArrayList<>());
            }
            for (int u = 0; u < n; u++) {
                groups.get(block[u]).add(units.get(u).id());
            }
            out.add(new Grouping(groups));
            return;
        }
        for (int b = 0; b <= maxBlock + 1; b++) {
            if (halvesTogether(units, block, i, b)) {
                continue;
            }
            block[i] = b;
            partitions(units, block, i + 1, Math.max(maxBlock, b), out);
        }
    }

    /** True when unit i is a decode half whose prefill half is already in block b. */
    private static boolean halvesTogether(List<Unit> units, int[] block, int i, int b) {
        Unit u = units.get(i);
        for (int j = 0; j < i; j++) {
            if (block[j] == b && units.get(j).task() == u.task()) {
                return true;
            }
        }
        return false;
    }

    /** A readable deployment name for a block: component names joined by '+', models kept when mixed. */
    public static String name(List<String> units) {
        Set<String> models = units.stream().map(u -> u.contains("/") ? u.substring(0, u.indexOf('/')) : "")
                .collect(Collectors.toCollection(TreeSet::new));
        if (models.size() > 1) {
            return String.join("+", units);
        }
        return units.stream().map(u -> u.contains("/") ? u.substring(u.indexOf('/') + 1) : u)
                .collect(Collectors.joining("+"));
    }

    /**
     * Names for a plan's blocks: {@link #name} of each, or, when two short names would collide (the same
     * component of two models), the full task ids joined by '+'.
     */
    public static List<String> names(List<List<String>> groups) {
        List<String> shortNames = groups.stream().map(Grouping::name).toList();
        if (new java.util.HashSet<>(shortNames).size() == shortNames.size()) {
            return shortNames;
        }
        return groups.stream().map(g -> String.join("+", g)).toList();
    }

    @Override
    public String toString() {
        return groups.toString();
    }
}
