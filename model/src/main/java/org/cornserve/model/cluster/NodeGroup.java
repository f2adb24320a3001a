package org.cornserve.model.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Identical nodes: {@code nodes} machines with {@code devicesPerNode} devices of one hardware kind each.
 *
 * @param hardware hardware name or alias from the hardware catalog
 * @param nodes number of machines
 * @param devicesPerNode devices in each machine
 * @param intraNode this group's device-to-device link when it differs from the cluster's (a PCIe-only
 *        L40S group beside NVLink H100 nodes), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeGroup(
        @JsonProperty(value = "hardware", required = true) String hardware,
        @JsonProperty(value = "nodes", required = true) int nodes,
        @JsonProperty(value = "devices_per_node", required = true) int devicesPerNode,
        @JsonProperty("intra_node") LinkSpec intraNode) {

    /** A group that uses the cluster's intra-node link. */
    public NodeGroup(String hardware, int nodes, int devicesPerNode) {
        this(hardware, nodes, devicesPerNode, null);
    }

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
