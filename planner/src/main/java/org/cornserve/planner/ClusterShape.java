package org.cornserve.planner;

/**
 * The devices a plan may use: {@code nodes} nodes of {@code devicesPerNode} devices of one hardware kind.
 * Tensor parallelism stays inside a node.
 *
 * @param hardware hardware name
 * @param nodes nodes
 * @param devicesPerNode devices in each node
 * @param deviceMemoryBytes memory of one device
 */
public record ClusterShape(String hardware, int nodes, int devicesPerNode, long deviceMemoryBytes) {
    public ClusterShape {
        if (hardware == null || hardware.isBlank()) {
            throw new IllegalArgumentException("cluster needs a hardware name");
        }
        if (nodes < 1 || devicesPerNode < 1 || deviceMemoryBytes <= 0) {
            throw new IllegalArgumentException("cluster needs nodes >= 1, devices per node >= 1 and memory > 0");
        }
    }

    /** A cluster of {@code devices} devices in nodes of up to 8. */
    public static ClusterShape ofDevices(String hardware, int devices, long deviceMemoryBytes) {
        if (devices < 1) {
            throw new IllegalArgumentException("cluster needs at least one device, got " + devices);
        }
        if (devices <= 8) {
            return new ClusterShape(hardware, 1, devices, deviceMemoryBytes);
        }
        if (devices % 8 != 0) {
            throw new IllegalArgumentException("a cluster of more than 8 devices must be whole nodes of 8, got " + devices);
        }
        return new ClusterShape(hardware, devices / 8, 8, deviceMemoryBytes);
    }

    public int devices() {
        return nodes * devicesPerNode;
    }
}
