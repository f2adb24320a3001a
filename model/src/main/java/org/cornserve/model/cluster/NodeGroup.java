package org.cornserve.model.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Identical nodes: {@code nodes} machines with {@code devicesPerNode} devices of one hardware kind each.
 *
 * @param hardware hardware name or alias from the hardware catalog
 * @param nodes number of machines
 * @param devicesPerNode devices in each machine
 */
public record NodeGroup(
        @JsonProperty(value = "hardware", required = true) String hardware,
        @JsonProperty(value = "nodes", required = true) int nodes,
        @JsonProperty(value = "devices_per_node", required = true) int devicesPerNode) {

    public NodeGroup {
        if (hardware == null || hardware.isBlank()) {
            throw new IllegalArgumentException("node group: hardware is empty");
        }
        if (nodes < 1 || devicesPerNode < 1) {
            throw new IllegalArgumentException("node group " + hardware + ": nodes and devices_per_node must be >= 1, got "
                    + nodes + " and " + devicesPerNode);
        }
    }

    public int devices() {
        return nodes * devicesPerNode;
    }
}
