package org.cornserve.simulator.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.model.cluster.NodeGroup;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.planner.schedule.scale.PlanAutoscale;
import org.cornserve.simulator.engine.SimScaling;

/**
 * Turns a plan's {@code autoscale} fields into the simulator's {@link SimScaling}: the policy and each scaled
 * deployment's settings as {@link PlanAutoscale} reads them (the runtime reads them the same way), and the cluster's
 * nodes grouped into device pools by hardware kind (node order as {@link PlanSimConfigs} places replicas).
 */
public final class PlanScaling {
    private PlanScaling() {
    }

    /** The plan's scaling, or null when no deployment scales. */
    public static SimScaling of(ResolvedPlan plan, HardwareCatalog hardware, double tolerance, long intervalNanos) {
        PlanAutoscale scaling = PlanAutoscale.of(plan);
        if (scaling == null) {
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
        return new SimScaling(scaling.policy(), tolerance, scaling.settings(), deploymentPool,
                nodeDevices.stream().mapToInt(Integer::intValue).toArray(),
                nodePool.stream().mapToInt(Integer::intValue).toArray(), intervalNanos);
    }
}
