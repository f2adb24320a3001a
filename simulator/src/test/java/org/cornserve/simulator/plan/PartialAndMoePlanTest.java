package org.cornserve.simulator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.cluster.ClusterSpec;
import org.cornserve.model.cluster.LinkSpec;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.Deployment;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.planner.schedule.TaskConfig;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;

/** A model served by its LLM alone, and a DP2/EP Qwen3-30B-A3B replica, simulated from their plans. */
class PartialAndMoePlanTest {
    private static final HardwareCatalog HARDWARE = HardwareCatalog.builtIn();
    private static final ClusterSpec CLUSTER = ClusterSpec.of("h100-sxm", 1, 8, new LinkSpec(4.5e11, 5),
            new LinkSpec(5e10, 10));

    private static ResolvedPlan resolve(String model, Deployment d) {
        return PlanValidator.builtIn().validate(new DeploymentPlan("p", "manual", 1, List.of(model), CLUSTER,
                List.of(d), null));
    }

    private static SimResult run(ResolvedPlan plan, List<TraceRecord> records) throws Exception {
        SimConfig config = PlanSimConfigs.of(plan, HARDWARE, 1, Slo.NONE, 0);
        TraceReader reader = new ListTraceReader(records);
        try (TraceWorkload workload = new TraceWorkload(() -> reader, 1, plan.models(), plan::splitsLlm)) {
            return new Simulator(config).run(workload);
        }
    }

    @Test
    void aVisionModelServedByItsLlmAloneAnswersTextAndRejectsImagesNamingTheMissingTask() throws Exception {
        ResolvedPlan plan = resolve("qwen2.5-vl-7b", Deployment.of("llm", List.of("qwen2.5-vl-7b/llm"), "h100", 1, 1, 1));
        List<TraceRecord> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            RequestShape shape = i % 5 == 4
                    ? new RequestShape(100, List.of(MediaItem.imagePixels(448, 448)), 20, Set.of(Modality.TEXT))
                    : RequestShape.text(200, 20);
            records.add(new TraceRecord(i * 100_000_000L, "qwen2.5-vl-7b", shape));
        }
        SimResult r = run(plan, records);
        assertEquals(8, r.completed());
        assertEquals(2, r.rejected());
        Map<String, Long> reasons = r.rejectReasons();
        assertTrue(reasons.keySet().stream().anyMatch(k -> k.contains("no deployment serves task")
                && k.contains("/vision-encoder")), reasons.toString()); // digits are folded to N
    }

    @Test
    void dataParallelRanksPoolTheirBatchLimitsAndCaches() throws Exception {
        Deployment dp2 = new Deployment("llm", List.of("qwen3-30b-a3b/llm"), "h100", 2, 1, 1, null, null, 2, true);
        Deployment tp2 = Deployment.of("llm", List.of("qwen3-30b-a3b/llm"), "h100", 2, 2, 1);
        ResolvedPlan dpPlan = resolve("qwen3-30b-a3b", dp2);
        ResolvedPlan tpPlan = resolve("qwen3-30b-a3b", tp2);
        TaskConfig.Llm dpLlm = (TaskConfig.Llm) PlanSimConfigs.of(dpPlan, HARDWARE, 1, Slo.NONE, 0).deployments().get(0)
                .deployment().tasks().get(0);
        TaskConfig.Llm tpLlm = (TaskConfig.Llm) PlanSimConfigs.of(tpPlan, HARDWARE, 1, Slo.NONE, 0).deployments().get(0)
                .deployment().tasks().get(0);
        assertEquals(2 * tpLlm.batching().maxNumSeqs(), dpLlm.batching().maxNumSeqs());
        assertEquals(2 * tpLlm.batching().maxNumBatchedTokens(), dpLlm.batching().maxNumBatchedTokens());
        // the second copy of the non-expert weights comes out of the cache
        long extraWeights = dpPlan.deployments().get(0).weightBytes() - tpPlan.deployments().get(0).weightBytes();
        long kvPerToken = tpPlan.deployments().get(0).kvBytesPerToken();
        assertEquals(tpPlan.deployments().get(0).kvCacheTokens() - dpPlan.deployments().get(0).kvCacheTokens(),
                (double) extraWeights / kvPerToken, 16 + 1);
        List<TraceRecord> records = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            records.add(new TraceRecord(i * 20_000_000L, "qwen3-30b-a3b", RequestShape.text(500 + 13 * i, 50)));
        }
        SimResult r = run(dpPlan, records);
        assertEquals(50, r.completed());
        assertTrue(r.tpotMs().mean() > 0);
    }
}
