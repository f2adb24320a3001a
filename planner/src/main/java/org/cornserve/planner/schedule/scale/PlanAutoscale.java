package org.cornserve.planner.schedule.scale;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.cornserve.model.plan.Autoscale;
import org.cornserve.model.plan.Deployment;
import org.cornserve.model.plan.ResolvedDeployment;
import org.cornserve.model.plan.ResolvedPlan;

/**
 * A plan's {@code autoscale} fields as the core's scaling: the one policy every scaled deployment names and each
 * deployment's {@link ScaleSettings} (null for a deployment with fixed replicas), start-up from the plan's
 * {@code startup_seconds} or {@link Autoscale}'s default from its weights. Both engines read plans through this, so
 * the simulator and the runtime scale a plan alike. Names are checked here, with the deployment and field in the
 * error.
 *
 * @param policy the policy
 * @param settings per deployment, plan order
 */
public record PlanAutoscale(ScalingPolicies policy, List<ScaleSettings> settings) {

    public PlanAutoscale {
        if (policy == null) {
            throw new IllegalArgumentException("plan scaling needs a policy");
        }
        settings = Collections.unmodifiableList(new ArrayList<>(settings));
    }

    /** The plan's scaling, or null when no deployment scales. */
    public static PlanAutoscale of(ResolvedPlan plan) {
        List<ScaleSettings> settings = new ArrayList<>();
        ScalingPolicies policy = null;
        String policyFrom = null;
        for (ResolvedDeployment rd : plan.deployments()) {
            Deployment d = rd.deployment();
            Autoscale a = d.autoscale();
            if (a == null) {
                settings.add(null);
                continue;
            }
            ScalingPolicies p;
            ScaleMetric metric;
            try {
                p = ScalingPolicies.byName(a.policy());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("deployment '" + d.name() + "': autoscale.policy: " + e.getMessage());
            }
            try {
                metric = ScaleMetric.byName(a.metric());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("deployment '" + d.name() + "': autoscale.metric: " + e.getMessage());
            }
            if (policy != null && p != policy) {
                throw new IllegalArgumentException("deployment '" + d.name() + "': autoscale.policy " + p.policyName()
                        + " differs from deployment '" + policyFrom + "''s " + policy.policyName()
                        + "; a plan scales by one policy");
            }
            policy = p;
            policyFrom = d.name();
            double startup = a.startupSeconds(rd.weightBytes(), d.devicesPerReplica());
            settings.add(new ScaleSettings(metric, a.target(), a.minReplicas(), a.maxReplicas(),
                    Math.round(a.upCooldownSeconds() * 1e9), Math.round(a.downCooldownSeconds() * 1e9),
                    Math.round(startup * 1e9)));
        }
        return policy == null ? null : new PlanAutoscale(policy, settings);
    }

    /** Devices one replica of each deployment holds, plan order. */
    public static int[] devicesPerReplica(ResolvedPlan plan) {
        return plan.deployments().stream().mapToInt(rd -> rd.deployment().devicesPerReplica()).toArray();
    }
}
