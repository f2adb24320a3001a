package org.cornserve.runtime.control;

import org.cornserve.model.plan.Deployment;
import org.cornserve.model.plan.ResolvedPlan;

/**
 * Places a plan's replicas on device slots: each replica takes its {@code devices_per_replica} slots, and its
 * executor computes with that many slots' threads.
 */
public final class ResourcePlacement {
    private ResourcePlacement() {
    }

    /**
     * Threads per replica of each deployment, in plan order.
     *
     * @throws IllegalArgumentException when the plan needs more slots than {@code devices} has
     */
    public static int[] threadsPerReplica(ResolvedPlan plan, DeviceSlots devices) {
        int need = 0;
        int[] threads = new int[plan.deployments().size()];
        StringBuilder detail = new StringBuilder();
        for (int i = 0; i < threads.length; i++) {
            Deployment d = plan.deployments().get(i).deployment();
            need += d.devicesPerReplica() * d.replicas();
            threads[i] = d.devicesPerReplica() * devices.threadsPerSlot();
            detail.append(i == 0 ? "" : ", ").append(d.name()).append(' ').append(d.replicas()).append(" x ")
                    .append(d.devicesPerReplica());
        }
        if (need > devices.count()) {
            throw new IllegalArgumentException("plan '" + plan.plan().name() + "' needs " + need + " " + devices.kind()
                    + " slots (" + detail + ") but --devices gives " + devices.count());
        }
        return threads;
    }
}
