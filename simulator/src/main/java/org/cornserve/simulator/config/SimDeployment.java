package org.cornserve.simulator.config;

import java.util.List;
import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.DiffusionCost;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.TaskConfig;

/**
 * A deployment as the simulator runs it: the core's configuration plus what times it: one cost model per task
 * (a {@link BatchCost} for a batch task, an {@link LlmCost} for an LLM task, a {@link DiffusionCost} for a
 * generator, in task order), the devices each replica holds and the node each replica sits on.
 */
public record SimDeployment(DeploymentConfig deployment, List<Object> costs, int devicesPerReplica,
        List<Integer> replicaNodes) {

    public SimDeployment {
        costs = List.copyOf(costs);
        replicaNodes = List.copyOf(replicaNodes);
        if (costs.size() != deployment.tasks().size()) {
            throw new IllegalArgumentException("deployment " + deployment.name() + " has " + deployment.tasks().size()
                    + " tasks but " + costs.size() + " cost models");
        }
        for (int t = 0; t < costs.size(); t++) {
            TaskConfig task = deployment.tasks().get(t);
            Object cost = costs.get(t);
            boolean ok = switch (task) {
                case TaskConfig.Batch b -> cost instanceof BatchCost;
                case TaskConfig.Llm l -> cost instanceof LlmCost;
                case TaskConfig.Diffusion g -> cost instanceof DiffusionCost;
            };
            if (!ok) {
                throw new IllegalArgumentException("deployment " + deployment.name() + ", task " + task.taskKey()
                        + ": cost model " + (cost == null ? "null" : cost.getClass().getSimpleName())
                        + " does not fit a " + task.getClass().getSimpleName() + " task");
            }
        }
        if (devicesPerReplica < 1) {
            throw new IllegalArgumentException("deployment " + deployment.name() + " needs >= 1 device per replica");
        }
        if (replicaNodes.size() != deployment.replicas()) {
            throw new IllegalArgumentException("deployment " + deployment.name() + " has " + deployment.replicas()
                    + " replicas but " + replicaNodes.size() + " node placements");
        }
    }

    /** All replicas on node 0. */
    public static SimDeployment oneNode(DeploymentConfig deployment, List<Object> costs, int devicesPerReplica) {
        return new SimDeployment(deployment, costs, devicesPerReplica,
                java.util.Collections.nCopies(deployment.replicas(), 0));
    }
}
