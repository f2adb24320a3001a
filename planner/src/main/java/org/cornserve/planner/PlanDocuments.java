package org.cornserve.planner;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.model.cluster.ClusterSpec;
import org.cornserve.model.cluster.LinkSpec;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.plan.Batching;
import org.cornserve.model.plan.Deployment;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.Preemption;
import org.cornserve.planner.estimate.EstimatorOptions;

/**
 * Turns a {@link CandidatePlan} into the model module's {@link DeploymentPlan} (the plan file the simulator
 * and the runtime read): the cluster, each deployment with its tasks, hardware, tensor-parallel degree,
 * replicas, router and the batching settings the analytic estimate assumed, and the planner's explanation.
 */
public final class PlanDocuments {
    /** Inter-node link assumed when the cluster has more than one node (a 400 Gb/s class network). */
    public static final LinkSpec INTER_NODE = new LinkSpec(5e10, 10);
    /** Latency of the intra-node link, as the cost models assume. */
    public static final double INTRA_NODE_LATENCY_US = 5;

    private PlanDocuments() {}

    /** The cluster of a problem as a plan's cluster spec. */
    public static ClusterSpec cluster(ClusterShape shape, Hardware hardware) {
        double intra = hardware.p2pBytesPerSecond() > 0 ? hardware.p2pBytesPerSecond() : hardware.memoryBytesPerSecond() / 10;
        return ClusterSpec.of(shape.hardware(), shape.nodes(), shape.devicesPerNode(),
                new LinkSpec(intra, INTRA_NODE_LATENCY_US), INTER_NODE);
    }

    /**
     * A cluster of several node groups (one per hardware kind, each with its own intra-node link) as a plan's
     * cluster spec; the first group's link is the cluster's default.
     *
     * @param shapes the node groups' shapes
     * @param kinds each group's hardware entry, in the same order
     */
    public static ClusterSpec cluster(List<ClusterShape> shapes, List<Hardware> kinds) {
        if (shapes.isEmpty() || shapes.size() != kinds.size()) {
            throw new IllegalArgumentException("a cluster needs one hardware entry per node group");
        }
        List<org.cornserve.model.cluster.NodeGroup> groups = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            ClusterShape s = shapes.get(i);
            groups.add(new org.cornserve.model.cluster.NodeGroup(s.hardware(), s.nodes(), s.devicesPerNode(),
                    intraNode(kinds.get(i))));
        }
        return new ClusterSpec(groups, intraNode(kinds.get(0)), INTER_NODE);
    }

    private static LinkSpec intraNode(Hardware hardware) {
        double intra = hardware.p2pBytesPerSecond() > 0 ? hardware.p2pBytesPerSecond() : hardware.memoryBytesPerSecond() / 10;
        return new LinkSpec(intra, INTRA_NODE_LATENCY_US);
    }

    /**
     * @param name plan name
     * @param problem the problem the plan was made for (models, cluster, seed, units)
     * @param hardware the cluster's hardware entry (for the intra-node link)
     * @param explanation the planner's explanation (a JSON object), or null
     */
    public static DeploymentPlan plan(String name, CandidatePlan plan, PlanningProblem problem, Hardware hardware,
            EstimatorOptions options, JsonNode explanation) {
        return plan(name, plan, problem, cluster(problem.cluster(), hardware), options, explanation);
    }

    /**
     * As {@link #plan(String, CandidatePlan, PlanningProblem, Hardware, EstimatorOptions, JsonNode)} on a given
     * cluster (several node groups when deployments name their own hardware kinds).
     */
    public static DeploymentPlan plan(String name, CandidatePlan plan, PlanningProblem problem, ClusterSpec cluster,
            EstimatorOptions options, JsonNode explanation) {
        List<Deployment> deployments = new ArrayList<>();
        for (PlannedDeployment d : plan.deployments()) {
            boolean batched = false;
            boolean autoregressive = false;
            for (String u : d.units()) {
                TaskKind kind = Unit.resolve(problem, u).kind();
                batched |= kind.batched() || kind == TaskKind.GENERATOR;
                autoregressive |= kind.autoregressive();
            }
            Batching batching = new Batching(
                    batched ? options.maxBatchItems() : null,
                    batched ? options.maxBatchTokens() : null,
                    batched ? 5.0 : null,
                    autoregressive ? (int) options.maxBatchedTokens() : null,
                    autoregressive ? options.maxNumSeqs() : null,
                    autoregressive ? Boolean.TRUE : null,
                    autoregressive ? Preemption.RECOMPUTE : null,
                    autoregressive ? options.memoryFraction() : null);
            deployments.add(new Deployment(d.name(), d.units(), d.hardwareOr(plan.hardware()), d.tensorParallel(), d.tensorParallel(),
                    d.replicas(), Deployment.DEFAULT_ROUTER, batching));
        }
        DeploymentPlan doc = new DeploymentPlan(name, plan.strategy(), problem.seed(), problem.models(), cluster,
                deployments, explanation);
        // the hand-off the estimate judged the plan with (left out of the file when it is the default)
        return options.streamChunkTokens() == doc.streamChunkTokensOrDefault() ? doc
                : doc.withStreamChunkTokens(options.streamChunkTokens());
    }
}
