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
     * @param name plan name
     * @param problem the problem the plan was made for (models, cluster, seed, units)
     * @param hardware the cluster's hardware entry (for the intra-node link)
     * @param explanation the planner's explanation (a JSON object), or null
     */
    public static DeploymentPlan plan(String name, CandidatePlan plan, PlanningProblem problem, Hardware hardware,
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
            deployments.add(new Deployment(d.name(), d.units(), plan.hardware(), d.tensorParallel(), d.tensorParallel(),
                    d.replicas(), Deployment.DEFAULT_ROUTER, batching));
        }
        return new DeploymentPlan(name, plan.strategy(), problem.seed(), problem.models(),
                cluster(problem.cluster(), hardware), deployments, explanation);
    }
}
