package org.cornserve.simulator.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.model.cluster.ClusterSpec;
import org.cornserve.model.cluster.NodeGroup;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.Batching;
import org.cornserve.model.profile.ProfileBook;
import org.cornserve.model.plan.Deployment;
import org.cornserve.model.plan.ResolvedDeployment;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.planner.search.NodePlacement;
import org.cornserve.simulator.config.Network;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.SimDeployment;
import org.cornserve.planner.Slo;

/**
 * Turns a validated deployment plan into the simulator's configuration: each deployment through
 * {@link DeploymentBuilder} (roofline costs, KV capacity from memory), replicas placed on the cluster's nodes by
 * {@link NodePlacement} (fewest bytes crossing nodes under the plan's edge weights, never more than first fit;
 * transfers between replicas on one node use the intra-node link and others the inter-node link), or first fit
 * spreading a replica over nodes when it is larger than one node, randomised routers seeded from the run's seed
 * and the deployment's position.
 */
public final class PlanSimConfigs {
    private PlanSimConfigs() {
    }

    /**
     * @param seed the run's seed (routers)
     * @param slo the SLO of every app
     * @param admissionBound outstanding invocations per deployment before requests are rejected; 0 for none
     */
    public static SimConfig of(ResolvedPlan plan, HardwareCatalog hardware, long seed, Slo slo, int admissionBound) {
        return of(plan, hardware, seed, slo, admissionBound, ProfileBook.EMPTY, null);
    }

    /**
     * As above, with {@code profiles} (measured, say) replacing the roofline estimate task by task; {@code fallbacks}
     * (may be null) counts cost queries outside a profile's grid, answered by the roofline.
     */
    public static SimConfig of(ResolvedPlan plan, HardwareCatalog hardware, long seed, Slo slo, int admissionBound,
            ProfileBook profiles, org.cornserve.model.profile.ProfileCosts.Fallbacks fallbacks) {
        return of(plan, hardware, seed, slo, admissionBound, profiles, fallbacks, null);
    }

    /**
     * As above, the replicas' nodes taken from {@code placements} (may be null: searched for this call alone), which
     * keeps them across the runs of one plan.
     */
    public static SimConfig of(ResolvedPlan plan, HardwareCatalog hardware, long seed, Slo slo, int admissionBound,
            ProfileBook profiles, org.cornserve.model.profile.ProfileCosts.Fallbacks fallbacks,
            NodePlacement.Memo placements) {
        ClusterSpec cluster = plan.plan().cluster();
        Map<String, List<int[]>> freeByHardware = new LinkedHashMap<>();
        List<NodePlacement.Node> allNodes = new ArrayList<>();
        int nodeIndex = 0;
        for (NodeGroup g : cluster.nodeGroups()) {
            String hw = hardware.get(g.hardware()).name();
            for (int i = 0; i < g.nodes(); i++) {
                freeByHardware.computeIfAbsent(hw, k -> new ArrayList<>()).add(new int[] {nodeIndex++, g.devicesPerNode()});
                allNodes.add(new NodePlacement.Node(hw, g.devicesPerNode()));
            }
        }
        List<NodePlacement.Group> groups = groups(plan);
        double[][] edges = NodePlacement.edgeBytes(plan);
        List<List<Integer>> preferred = placements == null ? NodePlacement.place(groups, allNodes, edges)
                : placements.place(groups, allNodes, edges);
        List<SimDeployment> deployments = new ArrayList<>();
        for (int i = 0; i < plan.deployments().size(); i++) {
            ResolvedDeployment rd = plan.deployments().get(i);
            Deployment d = rd.deployment();
            List<Integer> nodes = preferred != null ? preferred.get(i)
                    : place(d, freeByHardware.getOrDefault(rd.hardware().name(), List.of()));
            deployments.add(DeploymentBuilder.build(d.name(), rd.tasks(), rd.hardware(), d.devicesPerReplica(),
                    d.llmParallelism(), d.replicas(), d.router(), seed * 1_000_003L + i, settings(d.batching()), nodes,
                    admissionBound, rd.kvCacheTokens(), profiles, fallbacks));
        }
        Network network = new Network(cluster.intraNode().bytesPerSecond(),
                Math.round(cluster.intraNode().latencyUs() * 1e3), cluster.interNode().bytesPerSecond(),
                Math.round(cluster.interNode().latencyUs() * 1e3));
        return new SimConfig(deployments, network, Map.of(), slo, 1_000_000_000L, hostSharing(plan, profiles));
    }

    /**
     * The executors that share a host's CPU: the deployments on a hardware kind for which {@code profiles} carry a
     * measured host-sharing slowdown ({@link ProfileBook#hostSlowdown}; only {@code profile measure} on a CPU writes
     * one), processor-shared with the first such kind's factors; null when no deployment's kind has one (every GPU
     * plan, and CPU plans simulated with estimates).
     */
    static org.cornserve.simulator.config.HostSharing hostSharing(ResolvedPlan plan, ProfileBook profiles) {
        java.util.Set<Integer> shared = new java.util.TreeSet<>();
        List<Double> slowdown = List.of();
        for (int i = 0; i < plan.deployments().size(); i++) {
            List<Double> s = profiles.hostSlowdown(plan.deployments().get(i).hardware().name());
            if (!s.isEmpty() && (slowdown.isEmpty() || slowdown.equals(s))) {
                slowdown = s;
                shared.add(i);
            }
        }
        return shared.isEmpty() ? null : new org.cornserve.simulator.config.HostSharing(slowdown, shared);
    }

    /** The plan's deployments as placement groups, in plan order. */
    public static List<NodePlacement.Group> groups(ResolvedPlan plan) {
        return plan.deployments().stream().map(rd -> new NodePlacement.Group(rd.name(), rd.hardware().name(),
                rd.deployment().replicas(), rd.deployment().devicesPerReplica())).toList();
    }

    /** The plan's batching with defaults filled in. */
    public static DeploymentBuilder.Settings settings(Batching batching) {
        Batching.EncoderBatching e = batching.encoder();
        Batching.LlmBatching l = batching.llm();
        return new DeploymentBuilder.Settings(e.maxItems(), e.maxTokens(), e.maxWaitMs(), l.maxNumBatchedTokens(),
                l.maxNumSeqs(), l.chunkedPrefill(), l.preemption().name(), l.memoryFraction(), l.blockSize(),
                l.enablePrefixCaching());
    }

    /** First fit: each replica on the first node with enough free devices; else spread, on its first device's node. */
    private static List<Integer> place(Deployment d, List<int[]> nodes) {
        List<Integer> placement = new ArrayList<>();
        for (int r = 0; r < d.replicas(); r++) {
            int need = d.devicesPerReplica();
            int chosen = -1;
            for (int[] node : nodes) {
                if (node[1] >= need) {
                    node[1] -= need;
                    chosen = node[0];
                    break;
                }
            }
            if (chosen < 0) {
                for (int[] node : nodes) {
                    int take = Math.min(node[1], need);
                    if (take > 0 && chosen < 0) {
                        chosen = node[0];
                    }
                    node[1] -= take;
                    need -= take;
                }
                if (chosen < 0 || need > 0) {
                    throw new IllegalArgumentException("deployment '" + d.name() + "': replica " + r + " of "
                            + d.devicesPerReplica() + " devices does not fit the cluster's free " + d.hardware()
                            + " devices");
                }
            }
            placement.add(chosen);
        }
        return placement;
    }
}
