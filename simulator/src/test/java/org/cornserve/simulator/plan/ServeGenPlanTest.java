package org.cornserve.simulator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.simulator.SharedTraces;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.metrics.RequestRecord;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.transform.Transforms;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The ServeGen image workload, overloaded, on the Qwen2.5-VL-7B encoder-split plan with an admission bound:
 * every request completes or is rejected with a reason, exactly once; replicas sit on the cluster's nodes.
 */
@Tag("integration")
class ServeGenPlanTest {

    static Path plan(String name) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("experiments/plans").resolve(name);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no experiments/plans/" + name);
    }

    @Test
    void overloadedEncoderSplitConservesRequests() throws Exception {
        ResolvedPlan resolved = PlanValidator.builtIn()
                .readAndValidate(plan("qwen2.5-vl-7b-8xh100-encoder-split.json"));
        var config = PlanSimConfigs.of(resolved, HardwareCatalog.builtIn(), 5, Slo.parse("ttft=500,tpot=50"), 300);
        assertEquals(resolved.deployments().get(1).kvCacheTokens(),
                ((org.cornserve.planner.schedule.TaskConfig.Llm) config.deployments().get(1).deployment().tasks().get(0))
                        .batching().kvCapacityTokens(), "KV capacity as the model module derives it");
        var source = Transforms.rescaleToRate(TraceFormat.SERVEGEN.source(SharedTraces.file("servegen-mm-image"),
                ReadOptions.defaults().withWindow(43200, 43500).withSeed(5)), 200);
        SimResult r;
        try (TraceWorkload w = new TraceWorkload(source, 1, resolved.models(), resolved::splitsLlm)) {
            r = new Simulator(config).run(w);
        }
        System.out.printf("%d requests: %d completed, %d rejected %s; TTFT p99 %.0f ms%n", r.requests(), r.completed(),
                r.rejected(), r.rejectReasons(), r.ttftMs().p99());
        assertEquals(r.requests(), r.completed() + r.rejected());
        assertTrue(r.rejected() > 0, "200 req/s overloads 6 LLM GPUs with a bound of 300");
        Set<Long> seen = new HashSet<>();
        for (RequestRecord rec : r.records()) {
            assertTrue(seen.add(rec.request().id()));
            assertTrue(rec.completed() ^ rec.rejected());
            if (rec.rejected()) {
                assertTrue(rec.rejectReason().startsWith("deployment llm is full"), rec.rejectReason());
            }
        }
    }
}
