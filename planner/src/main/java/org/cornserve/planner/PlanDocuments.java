package org.cornserve.planner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.json.Json;
import org.cornserve.planner.estimate.EstimatorOptions;

/**
 * Writes a {@link CandidatePlan} as a deployment-plan JSON document (the model module's plan file shape):
 * the cluster, each deployment with its tasks, hardware, tensor-parallel degree, replicas, router and the
 * batching settings the analytic estimate assumed, and the planner's explanation.
 */
public final class PlanDocuments {
    /** Inter-node link assumed when the cluster has more than one node (400 Gb/s class network). */
    public static final double INTER_NODE_BYTES_PER_SECOND = 5e10;

    private PlanDocuments() {}

    /**
     * @param name plan name
     * @param problem the problem the plan was made for (models, cluster, seed, units)
     * @param hardware the cluster's hardware entry (for the intra-node link)
     * @param explanation the planner's explanation (any JSON object), or null
     */
    public static ObjectNode document(String name, CandidatePlan plan, PlanningProblem problem, Hardware hardware,
            EstimatorOptions options, JsonNode explanation) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("name", name);
        root.put("strategy", plan.strategy());
        root.put("seed", problem.seed());
        ArrayNode models = root.putArray("models");
        problem.models().forEach(models::add);
        ObjectNode cluster = root.putObject("cluster");
        ObjectNode group = cluster.putArray("node_groups").addObject();
        group.put("hardware", problem.cluster().hardware());
        group.put("nodes", problem.cluster().nodes());
        group.put("devices_per_node", problem.cluster().devicesPerNode());
        ObjectNode intra = cluster.putObject("intra_node");
        intra.put("bytes_per_second", hardware.p2pBytesPerSecond() > 0 ? hardware.p2pBytesPerSecond()
                : hardware.memoryBytesPerSecond() / 10);
        intra.put("latency_us", 5);
        ObjectNode inter = cluster.putObject("inter_node");
        inter.put("bytes_per_second", INTER_NODE_BYTES_PER_SECOND);
        inter.put("latency_us", 10);
        ArrayNode deployments = root.putArray("deployments");
        for (PlannedDeployment d : plan.deployments()) {
            ObjectNode dep = deployments.addObject();
            dep.put("name", d.name());
            ArrayNode tasks = dep.putArray("tasks");
            d.units().forEach(tasks::add);
            dep.put("hardware", plan.hardware());
            dep.put("devices_per_replica", d.tensorParallel());
            dep.put("tensor_parallel", d.tensorParallel());
            dep.put("replicas", d.replicas());
            dep.put("router", "least-outstanding");
            ObjectNode batching = dep.putObject("batching");
            boolean batched = false;
            boolean autoregressive = false;
            for (String u : d.units()) {
                TaskKind kind = Unit.resolve(problem, u).kind();
                batched |= kind.batched() || kind == TaskKind.GENERATOR;
                autoregressive |= kind.autoregressive();
            }
            if (batched) {
                batching.put("max_batch_items", options.maxBatchItems());
                batching.put("max_batch_tokens", options.maxBatchTokens());
                batching.put("max_wait_ms", 5);
            }
            if (autoregressive) {
                batching.put("max_num_batched_tokens", options.maxBatchedTokens());
                batching.put("max_num_seqs", options.maxNumSeqs());
                batching.put("chunked_prefill", true);
                batching.put("preemption", "recompute");
                batching.put("kv_cache_memory_fraction", options.memoryFraction());
            }
        }
        if (explanation != null) {
            root.set("explanation", explanation);
        }
        return root;
    }
}
