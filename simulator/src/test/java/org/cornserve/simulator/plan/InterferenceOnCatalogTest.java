package org.cornserve.simulator.plan;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.simulator.SharedTraces;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.transform.Transforms;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Qwen2.5-VL-7B on 8 H100 under the ServeGen image workload at 60 req/s: with the vision encoder colocated, its
 * batches stall decoding (worse TPOT tail) than with the encoder on its own GPU (1 vision + 7 LLM).
 */
@Tag("integration")
class InterferenceOnCatalogTest {

    static SimResult run(String planFile) throws Exception {
        ResolvedPlan resolved = PlanValidator.builtIn().readAndValidate(ServeGenPlanTest.plan(planFile));
        var source = Transforms.rescaleToRate(TraceFormat.SERVEGEN.source(SharedTraces.file("servegen-mm-image"),
                ReadOptions.defaults().withWindow(43200, 43800).withSeed(1)), 60);
        try (TraceWorkload w = new TraceWorkload(source, 1, resolved.models(), resolved::splitsLlm)) {
            return new Simulator(PlanSimConfigs.of(resolved, HardwareCatalog.builtIn(), 1, Slo.NONE, 0)).run(w);
        }
    }

    @Test
    void colocatedEncoderStallsDecoding() throws Exception {
        SimResult mono = run("qwen2.5-vl-7b-8xh100-monolithic.json");
        SimResult split = run("qwen2.5-vl-7b-8xh100-encoder-split-1v7.json");
        System.out.printf("monolithic TPOT p99 %.2f ms, TTFT p99 %.1f ms; encoder split 1+7 TPOT p99 %.2f ms,"
                + " TTFT p99 %.1f ms%n", mono.tpotMs().p99(), mono.ttftMs().p99(), split.tpotMs().p99(),
                split.ttftMs().p99());
        assertTrue(mono.tpotMs().p99() > 1.15 * split.tpotMs().p99(),
                "TPOT p99 " + mono.tpotMs().p99() + " vs " + split.tpotMs().p99());
    }
}
