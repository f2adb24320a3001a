package org.cornserve.simulator.plan;

import java.util.List;
import java.util.Locale;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.cluster.ClusterSpec;
import org.cornserve.model.cluster.LinkSpec;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.Batching;
import org.cornserve.model.plan.Deployment;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.task.UnitTask;

/**
 * The monolithic baseline plan the command line builds from {@code --model M --hardware H --gpus N}: every replica
 * holds the whole model (all its unit tasks colocated, LLM not split), at the smallest tensor-parallel degree
 * (1, 2, 4, 8, ... up to a node) whose usable memory (0.9 of the devices) holds the weights with at least 10% of
 * it left for the KV cache, and as many replicas as the GPUs allow. Nodes hold up to 8 devices; links are the
 * device's NVLink (or PCIe) inside a node and 400 Gb/s between nodes.
 */
public final class MonolithicPlans {
    /** Devices per node of a built cluster. */
    public static final int DEVICES_PER_NODE = 8;
    /** Inter-node link: 400 Gb/s InfiniBand, 10 us. */
    public static final LinkSpec INTER_NODE = new LinkSpec(5e10, 10);

    private MonolithicPlans() {
    }

    public static DeploymentPlan build(ModelCatalog models, HardwareCatalog hardware, String modelName,
            String hardwareName, int gpus, long seed) {
        if (gpus < 1) {
            throw new IllegalArgumentException("--gpus must be >= 1, got " + gpus);
        }
        ModelSpec model = models.model(modelName);
        Hardware hw = hardware.get(hardwareName);
        long weights = model.weightBytes();
        int perNode = Math.min(gpus, DEVICES_PER_NODE);
        int tp = 1;
        while (0.9 * tp * hw.memoryBytes() < weights / 0.9) {
            tp *= 2;
            if (tp > perNode) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "model %s needs %.1f GB of weights; even %d x %s (%.0f GB each, 0.9 usable) leave under 10%% for"
                                + " the KV cache; use more or larger GPUs", modelName, weights / 1e9, perNode,
                        hw.name(), hw.memoryBytes() / 1e9));
            }
        }
        int replicas = gpus / tp;
        int nodes = (gpus + DEVICES_PER_NODE - 1) / DEVICES_PER_NODE;
        LinkSpec intra = new LinkSpec(hw.achievableP2pBytesPerSecond() > 0 ? hw.achievableP2pBytesPerSecond()
                : hw.memoryBytesPerSecond() / 10, 5);
        ClusterSpec cluster = ClusterSpec.of(hw.name(), nodes, perNode, intra, INTER_NODE);
        List<String> tasks = model.unitTasks(false).stream().map(UnitTask::id).toList();
        Deployment d = new Deployment("monolith", tasks, hw.name(), tp, tp, replicas, Deployment.DEFAULT_ROUTER,
                Batching.DEFAULTS);
        return new DeploymentPlan(modelName + "-monolithic-" + gpus + "x" + hw.name(), "monolithic", seed,
                List.of(modelName), cluster, List.of(d), null);
    }
}
