package org.cornserve.planner.schedule;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cornserve.planner.schedule.route.Routers;

/**
 * A deployment as the scheduler core sees it: unit tasks colocated on every replica (one engine time-shares
 * them), how many replicas, how requests are routed among them and the admission bound.
 *
 * @param name deployment name, unique in a plan
 * @param tasks the colocated unit tasks, at least one, distinct keys
 * @param replicas replicas, at least 1
 * @param router a {@link Routers} name
 * @param routerSeed seed of a randomised router
 * @param maxOutstandingInvocations admission bound: invocations admitted to this deployment and not finished
 *     (queued or running, over all replicas); a request that would pass it is rejected; 0 = unbounded
 */
public record DeploymentConfig(String name, List<TaskConfig> tasks, int replicas, String router, long routerSeed,
        int maxOutstandingInvocations) {

    public DeploymentConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("deployment needs a name");
        }
        tasks = List.copyOf(tasks);
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("deployment " + name + " serves no task");
        }
        Set<String> keys = new HashSet<>();
        for (TaskConfig t : tasks) {
            if (!keys.add(t.taskKey())) {
                throw new IllegalArgumentException("deployment " + name + " lists task " + t.taskKey() + " twice");
            }
        }
        if (replicas < 1) {
            throw new IllegalArgumentException("deployment " + name + " needs at least one replica, got " + replicas);
        }
        Routers.byName(router);
        if (maxOutstandingInvocations < 0) {
            throw new IllegalArgumentException("deployment " + name + ": admission bound must be >= 0, got "
                    + maxOutstandingInvocations);
        }
    }
}
