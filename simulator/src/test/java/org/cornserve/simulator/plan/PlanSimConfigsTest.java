package org.cornserve.simulator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.cluster.ClusterSpec;
import org.cornserve.model.cluster.LinkSpec;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.Deployment;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.planner.schedule.TaskConfig;
import org.cornserve.planner.schedule.batch.LlmPhase;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.planner.Slo;
import org.junit.jupiter.api.Test;

class PlanSimConfigsTest {
    private static final ModelCatalog MODELS = ModelCatalog.builtIn();
    private static final HardwareCatalog HARDWARE = HardwareCatalog.builtIn();

    private static ResolvedPlan resolve(DeploymentPlan plan) {
        return new PlanValidator(MODELS, HARDWARE).validate(plan);
    }

    @Test
    void prefillDecodeSplitAcrossTwoNodesSharesTheKvCacheEdgeOnBothNodes() {
        ClusterSpec cluster = ClusterSpec.of("h100-sxm", 2, 8, new LinkSpec(9e11, 5), new LinkSpec(5e10, 10));
        DeploymentPlan plan = new DeploymentPlan("pd", "pd-split", 3, List.of("llama-3.1-8b"), cluster, List.of(
                Deployment.of("prefill", List.of("llama-3.1-8b/llm:prefill"), "h100", 2, 2, 5),
                Deployment.of("decode", List.of("llama-3.1-8b/llm:decode"), "h100", 1, 1, 6)), null);
        SimConfig config = PlanSimConfigs.of(resolve(plan), HARDWARE, 3, Slo.NONE, 0);
        // first fit ([0,0,0,0,1] and all decode on node 1) keeps 1/5 of the KV-cache pairs inside a node; three
        // prefill and two decode replicas on node 0 keep 3/5 x 2/6 + 2/5 x 4/6 = 7/15
        assertEquals(List.of(0, 0, 0, 1, 1), config.deployments().get(0).replicaNodes());
        assertEquals(List.of(0, 0, 1, 1, 1, 1), config.deployments().get(1).replicaNodes());
        TaskConfig.Llm prefill = (TaskConfig.Llm) config.deployments().get(0).deployment().tasks().get(0);
        TaskConfig.Llm decode = (TaskConfig.Llm) config.deployments().get(1).deployment().tasks().get(0);
        assertEquals(LlmPhase.PREFILL, prefill.phase());
        assertEquals(LlmPhase.DECODE, decode.phase());
        assertTrue(prefill.batching().kvCapacityTokens() > 2 * decode.batching().kvCapacityTokens(),
                "two devices hold more than twice the cache of one (weights are paid once)");
        assertEquals(5e10, config.network().interBytesPerSecond());
        assertEquals(10_000, config.network().interLatencyNanos());
        assertEquals(2, config.deployments().get(0).devicesPerReplica());
    }

    @Test
    void monolithicShortcutPicksTheSmallestDegreeThatFits() {
        DeploymentPlan small = MonolithicPlans.build(MODELS, HARDWARE, "llama-3.1-8b", "h100", 16, 1);
        assertEquals(1, small.deployments().get(0).tensorParallel());
        assertEquals(16, small.deployments().get(0).replicas());
        assertEquals(2, small.cluster().nodeGroups().get(0).nodes());
        resolve(small);
        DeploymentPlan big = MonolithicPlans.build(MODELS, HARDWARE, "internvl3-38b", "h100", 8, 1);
        assertEquals(2, big.deployments().get(0).tensorParallel(), "77 GB of weights need two 80 GB devices");
        assertEquals(4, big.deployments().get(0).replicas());
        ResolvedPlan resolved = resolve(big);
        SimConfig config = PlanSimConfigs.of(resolved, HARDWARE, 1, Slo.NONE, 0);
        assertEquals(resolved.deployments().get(0).tasks().size(), config.deployments().get(0).costs().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MonolithicPlans.build(MODELS, HARDWARE, "internvl3-38b", "rtx4090", 2, 1));
        assertTrue(e.getMessage().contains("GB"), e.getMessage());
    }

    @Test
    void builderRefusesAReplicaWithNoRoomForACache() {
        var internvl = MODELS.model("internvl3-38b");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeploymentBuilder.build("m",
                internvl.unitTasks(false), HARDWARE.get("l40s"), 1, 1, 1, "round-robin", 0,
                DeploymentBuilder.Settings.DEFAULTS, Collections.nCopies(1, 0), 0));
        assertTrue(e.getMessage().contains("no room is left for a KV cache"), e.getMessage());
    }

    /** A measured host-sharing slowdown applies to the deployments on its hardware only: never to a GPU plan. */
    @Test
    void hostSharingAppliesToTheHardwareItWasMeasuredOn() {
        org.cornserve.model.profile.ProfileBook cpuSharing = new org.cornserve.model.profile.ProfileBook(List.of(),
                java.util.Map.of("cpu", List.of(1.0, 1.4)));
        DeploymentPlan gpu = MonolithicPlans.build(MODELS, HARDWARE, "llama-3.1-8b", "h100", 2, 1);
        assertEquals(null, PlanSimConfigs.of(resolve(gpu), HARDWARE, 1, Slo.NONE, 0, cpuSharing, null)
                .hostSharing(), "a GPU plan is not shared");
        DeploymentPlan cpu = MonolithicPlans.build(MODELS, HARDWARE, "tiny-omni", "cpu", 2, 1);
        SimConfig shared = PlanSimConfigs.of(resolve(cpu), HARDWARE, 1, Slo.NONE, 0, cpuSharing, null);
        assertEquals(List.of(1.0, 1.4), shared.hostSharing().slowdown());
        assertEquals(java.util.Set.of(0), shared.hostSharing().deployments());
        assertEquals(null, PlanSimConfigs.of(resolve(cpu), HARDWARE, 1, Slo.NONE, 0).hostSharing(),
                "without a measured slowdown a CPU plan is not shared either");
        // a served host slowdown (the served costs', as simulate --served-costs applies it) in place of the measured
        var served = new org.cornserve.simulator.config.ServedStepCosts(0, List.of(), List.of(), 1, "", List.of(), 0, 0,
                0, 0, List.of(1.0, 1.24), 0, 0, 0, 0);
        assertEquals(List.of(1.0, 1.24), PlanSimConfigs.of(resolve(cpu), HARDWARE, 1, Slo.NONE, 0,
                cpuSharing.withHostSlowdown(served.hostSlowdownByBusyExecutors()), null).hostSharing().slowdown());
        assertEquals(null, PlanSimConfigs.of(resolve(gpu), HARDWARE, 1, Slo.NONE, 0,
                cpuSharing.withHostSlowdown(served.hostSlowdownByBusyExecutors()), null).hostSharing(),
                "still never a GPU plan");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new org.cornserve.simulator.config.ServedStepCosts(0, List.of(), List.of(), 1, "", List.of(), 0,
                        0, 0, 0, List.of(1.0, 0.9), 0, 0, 0, 0));
        assertTrue(e.getMessage().contains("host_slowdown_by_busy_executors"), e.getMessage());
    }
}
