package org.cornserve.runtime.control;

import org.cornserve.model.plan.ResolvedDeployment;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.task.UnitTask;
import org.cornserve.runtime.engine.TinyModels;

/**
 * Which plans the runtime can serve, decided from the plan alone before anything starts. Its executors run the
 * tiny engine models, an LLM whole or split into a prefill task and a decode task (the prefill executor hands each
 * sequence's KV cache to the decode executor through the sidecar); a plan of another model is refused here, naming
 * the deployment and the task, instead of failing while its executors start.
 */
public final class ServablePlans {
    private ServablePlans() {
    }

    /** Why the runtime cannot serve {@code plan} (its first deployment and task it cannot run), or null. */
    public static String whyNot(ResolvedPlan plan) {
        for (ResolvedDeployment d : plan.deployments()) {
            for (UnitTask t : d.tasks()) {
                String at = "plan '" + plan.plan().name() + "': deployment '" + d.name() + "' runs task '" + t.id()
                        + "'";
                try {
                    TinyModels.Model.parse(t.model());
                } catch (IllegalArgumentException e) {
                    return at + ": the runtime's executors run the tiny engine models only (" + e.getMessage() + ")";
                }
            }
        }
        return null;
    }

    /**
     * @throws IllegalArgumentException when the runtime cannot serve {@code plan}, with {@link #whyNot}'s reason
     */
    public static void require(ResolvedPlan plan) {
        String why = whyNot(plan);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
    }
}
