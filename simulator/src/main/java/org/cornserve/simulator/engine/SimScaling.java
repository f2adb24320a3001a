package org.cornserve.simulator.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cornserve.planner.schedule.scale.ScaleSettings;
import org.cornserve.planner.schedule.scale.ScalingPolicies;

/**
 * Scaling while a trace runs, as the simulator needs it: the policy, each deployment's settings (null: fixed),
 * the cluster's nodes (devices and device pool of each, a pool being one hardware kind) and each deployment's
 * pool, and the evaluation interval. A started replica serves after its settings' {@code startupNanos}; it is
 * placed on the node of its pool with the most free devices.
 *
 * @param policy the policy
 * @param tolerance the policy's tolerance band
 * @param settings per deployment (plan order), its scaling or null
 * @param deploymentPool per deployment, its pool
 * @param nodeDevices per node, devices
 * @param nodePool per node, its pool
 * @param intervalNanos time between evaluations
 */
public record SimScaling(ScalingPolicies policy, double tolerance, List<ScaleSettings> settings, int[] deploymentPool,
        int[] nodeDevices, int[] nodePool, long intervalNanos) {

    /** Default evaluation interval (the core's {@link org.cornserve.planner.schedule.scale.Autoscaler}'s). */
    public static final long DEFAULT_INTERVAL_NANOS = org.cornserve.planner.schedule.scale.Autoscaler.DEFAULT_INTERVAL_NANOS;

    public SimScaling {
        if (policy == null) {
            throw new IllegalArgumentException("scaling needs a policy");
        }
        settings = java.util.Collections.unmodifiableList(new ArrayList<>(settings));
        deploymentPool = deploymentPool.clone();
        nodeDevices = nodeDevices.clone();
        nodePool = nodePool.clone();
        if (deploymentPool.length != settings.size()) {
            throw new IllegalArgumentException("scaling: " + settings.size() + " deployments' settings but "
                    + deploymentPool.length + " pools");
        }
        if (nodeDevices.length != nodePool.length || nodeDevices.length == 0) {
            throw new IllegalArgumentException("scaling needs devices and a pool for each node");
        }
        if (intervalNanos < 1) {
            throw new IllegalArgumentException("scaling interval must be >= 1 ns, got " + intervalNanos);
        }
    }

    /** Devices of each pool. */
    public int[] poolDevices() {
        int pools = Math.max(Arrays.stream(nodePool).max().orElse(0), Arrays.stream(deploymentPool).max().orElse(0)) + 1;
        int[] devices = new int[pools];
        for (int i = 0; i < nodeDevices.length; i++) {
            devices[nodePool[i]] += nodeDevices[i];
        }
        return devices;
    }
}
