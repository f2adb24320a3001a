package org.cornserve.model.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;

/**
 * The machines a plan runs on: one or more groups of identical nodes (groups may differ in hardware), and
 * the links inside a node and between nodes.
 *
 * @param nodeGroups the node groups
 * @param intraNode link between two devices of one node (NVLink / PCIe), unless a group sets its own
 * @param interNode link between two nodes (network)
 */
public record ClusterSpec(
        @JsonProperty(value = "node_groups", required = true) List<NodeGroup> nodeGroups,
        @JsonProperty(value = "intra_node", required = true) LinkSpec intraNode,
        @JsonProperty(value = "inter_node", required = true) LinkSpec interNode) {

    public ClusterSpec {
        if (nodeGroups == null || nodeGroups.isEmpty()) {
            throw new IllegalArgumentException("cluster: node_groups must list at least one group");
        }
        nodeGroups = List.copyOf(nodeGroups);
        if (intraNode == null || interNode == null) {
            throw new IllegalArgumentException("cluster: intra_node and inter_node links are required");
        }
    }

    /** A single group of {@code nodes} x {@code devicesPerNode} devices with the given links. */
    public static ClusterSpec of(String hardware, int nodes, int devicesPerNode, LinkSpec intraNode, LinkSpec interNode) {
        return new ClusterSpec(List.of(new NodeGroup(hardware, nodes, devicesPerNode)), intraNode, interNode);
    }

    /** Devices per canonical hardware name (aliases resolved), in group order. */
    public Map<String, Integer> devicesByHardware(HardwareCatalog catalog) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (NodeGroup g : nodeGroups) {
            out.merge(catalog.get(g.hardware()).name(), g.devices(), Integer::sum);
        }
        return out;
    }

    /** Devices of one hardware kind (0 when the cluster has none). */
    public int devices(Hardware hardware, HardwareCatalog catalog) {
        return devicesByHardware(catalog).getOrDefault(hardware.name(), 0);
    }

    /** The largest node of one hardware kind, in devices (0 when the cluster has none). */
    public int maxDevicesPerNode(Hardware hardware, HardwareCatalog catalog) {
        int max = 0;
        for (NodeGroup g : nodeGroups) {
            if (catalog.get(g.hardware()).name().equals(hardware.name())) {
                max = Math.max(max, g.devicesPerNode());
            }
        }
        return max;
    }

    /** The link between two devices of one node of this hardware: the group's own, else the cluster's. */
    public LinkSpec intraNodeLink(Hardware hardware, HardwareCatalog catalog) {
        for (NodeGroup g : nodeGroups) {
            if (g.intraNode() != null && catalog.get(g.hardware()).name().equals(hardware.name())) {
                return g.intraNode();
            }
        }
        return intraNode;
    }

    public int totalDevices() {
        return nodeGroups.stream().mapToInt(NodeGroup::devices).sum();
    }

    /** Checks that every group names known hardware; an unknown name lists the known ones. */
    public void checkHardware(HardwareCatalog catalog) {
        for (NodeGroup g : nodeGroups) {
            catalog.get(g.hardware());
        }
    }
}
