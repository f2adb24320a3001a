package org.cornserve.planner;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a strategy plans from: the unit tasks of the models served together (equivalent tasks
 * merged), the cluster, the workload and the latency targets.
 *
 * @param models model ids served together
 * @param tasks unit tasks (whole LLMs; the search may split them)
 * @param cluster devices available
 * @param workload request mix and rate
 * @param slo latency targets
 * @param seed seed of every random choice
 */
public record PlanningProblem(List<String> models, List<PlannerTask> tasks, ClusterShape cluster, Workload workload,
        Slo slo, long seed) {
    public PlanningProblem {
        models = List.copyOf(models);
        if (tasks == null || tasks.isEmpty()) {
            throw new IllegalArgumentException("planning problem has no unit tasks");
        }
        tasks = List.copyOf(tasks);
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(slo, "slo");
        Set<String> ids = new HashSet<>();
        for (PlannerTask t : tasks) {
            if (!ids.add(t.id())) {
                throw new IllegalArgumentException("unit task " + t.id() + " listed twice");
            }
        }
        for (RequestWork r : workload.samples()) {
            for (String id : r.work().keySet()) {
                if (!ids.contains(id)) {
                    throw new IllegalArgumentException("workload names unit task " + id + ", which no model has");
                }
            }
        }
    }

    public PlannerTask task(String id) {
        for (PlannerTask t : tasks) {
            if (t.id().equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no unit task " + id);
    }

    public PlanningProblem withWorkload(Workload newWorkload) {
        return new PlanningProblem(models, tasks, cluster, newWorkload, slo, seed);
    }

    public PlanningProblem withCluster(ClusterShape newCluster) {
        return new PlanningProblem(models, tasks, cluster == null ? null : newCluster, workload, slo, seed);
    }
}
