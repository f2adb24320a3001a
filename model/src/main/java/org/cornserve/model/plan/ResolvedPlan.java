package org.cornserve.model.plan;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cornserve.model.catalog.ModelSpec;

/**
 * A plan that passed {@link PlanValidator}: deployments resolved, and every unit task id of its models
 * (as request graphs name them in {@code TaskNode.taskId}) mapped to the deployment that serves it.
 *
 * @param plan the plan as written
 * @param models the plan's models, resolved
 * @param deployments the resolved deployments, in plan order
 * @param deploymentByTaskId task id (with phase suffix) to the deployment serving it
 * @param splitLlm model name to whether its LLM is deployed as separate prefill and decode tasks
 * @param undeployed task ids of components the plan leaves out (a model served by its LLM alone); requests that
 *        need one are rejected
 */
public record ResolvedPlan(DeploymentPlan plan, List<ModelSpec> models, List<ResolvedDeployment> deployments,
        Map<String, ResolvedDeployment> deploymentByTaskId, Map<String, Boolean> splitLlm, List<String> undeployed) {

    public ResolvedPlan {
        undeployed = List.copyOf(undeployed);
        models = List.copyOf(models);
        deployments = List.copyOf(deployments);
        deploymentByTaskId = Map.copyOf(deploymentByTaskId);
        splitLlm = Map.copyOf(splitLlm);
    }

    /** The deployment serving a task id; empty when none does. */
    public Optional<ResolvedDeployment> deploymentFor(String taskId) {
        return Optional.ofNullable(deploymentByTaskId.get(taskId));
    }

    /** True when the model's LLM runs as separate prefill and decode tasks in this plan. */
    public boolean splitsLlm(String model) {
        return splitLlm.getOrDefault(model, false);
    }

    public ResolvedDeployment deployment(String name) {
        return deployments.stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("plan '" + plan.name() + "' has no deployment '" + name + "'"));
    }

    /** Devices the plan uses, all hardware kinds together. */
    public int devicesUsed() {
        return deployments.stream().mapToInt(d -> d.deployment().devices()).sum();
    }
}
