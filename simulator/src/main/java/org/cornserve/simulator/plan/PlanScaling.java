package org.cornserve.simulator.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.model.cluster.NodeGroup;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.Autoscale;
import org.cornserve.model.plan.Deployment;
import org.cornserve.model.plan.ResolvedDeployment;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.planner.schedule.scale.ScaleMetric;
import org.cornserve.planner.schedule.scale.ScaleSettings;
import org.cornserve.planner.schedule.scale.ScalingPolicies;
import org.cornserve.simulator.engine.SimScaling;

/**
 * Turns a plan's {@code autoscale} fields into the simulator's {@link SimScaling}: each scaled deployment's metric,
 * target, bounds, cooldowns and start-up (the plan's {@code startup_seconds}, else {@link Autoscale}'s default from
 * its weights), the cluster's nodes grouped into device pools by hardware kind (node order as
 * {@link PlanSimConfigs} places replicas), and the one policy every scaled deployment names. Names are checked
 * here, with the deployment and field in the error.
 */
public final class PlanScaling {
    private PlanScaling() {
    }

    /** The plan's scaling, or null when no deployment scales. */
    public static SimScaling of(ResolvedPlan plan, HardwareCatalog hardware, double tolerance, long intervalNanos) {
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
        if (policy == null) {
            return null;
        }
        Map<String, Integer> pools = new LinkedHashMap<>();
        List<Integer> nodeDevices = new ArrayList<>();
        List<Integer> nodePool = new ArrayList<>();
        for (NodeGroup g : plan.plan().cluster().nodeGroups()) {
            int pool = pools.computeIfAbsent(hardware.get(g.hardware()).name(), k -> pools.size());
            for (int i = 0; i < g.nodes(); i++) {
                nodeDevices.add(g.devicesPerNode());
                nodePool.add(pool);
            }
        }
        int[] deploymentPool = new int[plan.deployments().size()];
        for (int i = 0; i < deploymentPool.length; i++) {
            Integer pool = pools.get(plan.deployments().get(i).hardware().name());
            if (pool == null) {
                throw new IllegalArgumentException("deployment '" + plan.deployments().get(i).name() + "': the cluster"
                        + " has no " + plan.deployments().get(i).hardware().name() + " nodes to scale on");
            }
            deploymentPool[i] = pool;
        }
        return new SimScaling(policy, tolerance, settings, deploymentPool,
                nodeDevices.stream().mapToInt(Integer::intValue).toArray(),
                nodePool.stream().mapToInt(Integer::intValue).toArray(), intervalNanos);
    }
}
