package org.cornserve.simulator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.simulator.SharedTraces;
import org.cornserve.simulator.config.Network;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The Azure 2023 conversation trace on 16 Llama-3.1-8B replicas (one H100 each): conservation and sanity. */
@Tag("integration")
class AzureConversationTest {

    static SimConfig llamaOnH100(int replicas, boolean split) {
        ModelSpec llama = ModelCatalog.builtIn().model("llama-3.1-8b");
        var h100 = HardwareCatalog.builtIn().get("h100-sxm");
        var settings = DeploymentBuilder.Settings.DEFAULTS;
        if (!split) {
            return SimConfig.of(List.of(DeploymentBuilder.build("llm", llama.unitTasks(false), h100, 1, 1, replicas,
                    "least-outstanding", 1, settings, Collections.nCopies(replicas, 0), 0)),
                    new Network(4.5e11, 5_000, 5e10, 10_000), new Slo(1000, 100, 0));
        }
        return SimConfig.of(List.of(
                DeploymentBuilder.build("prefill", List.of(llama.unitTask("llm:prefill")), h100, 1, 1, replicas / 2,
                        "least-outstanding", 1, settings, Collections.nCopies(replicas / 2, 0), 0),
                DeploymentBuilder.build("decode", List.of(llama.unitTask("llm:decode")), h100, 1, 1, replicas / 2,
                        "least-outstanding", 1, settings, Collections.nCopies(replicas / 2, 1), 0)),
                new Network(4.5e11, 5_000, 5e10, 10_000), new Slo(1000, 100, 0));
    }

    static TraceSource conversation() {
        return TraceFormat.AZURE_LLM.source(SharedTraces.file("AzureLLMInferenceTrace_conv.csv"), ReadOptions.defaults());
    }

    @Test
    void everyConversationCompletesOnSixteenReplicas() throws Exception {
        ModelSpec llama = ModelCatalog.builtIn().model("llama-3.1-8b");
        for (boolean split : new boolean[] {false, true}) {
            try (TraceWorkload workload = new TraceWorkload(conversation(), 1, List.of(llama), m -> split)) {
                SimResult r = new Simulator(llamaOnH100(16, split)).run(workload);
                System.out.printf("%s: %d requests in %.2f wall s (%.0f/s), %d events; TTFT p50 %.1f p99 %.1f ms;"
                        + " TPOT p50 %.2f p99 %.2f ms; SLO %.3f%n", split ? "8 prefill + 8 decode" : "16 monolithic",
                        r.requests(), r.wallSeconds(), r.requests() / r.wallSeconds(), r.events(), r.ttftMs().p50(),
                        r.ttftMs().p99(), r.tpotMs().p50(), r.tpotMs().p99(), r.sloAttainment());
                assertEquals(19_366, r.requests());
                assertEquals(r.requests(), r.completed(), "nothing is rejected without an admission bound");
                assertTrue(r.ttftMs().p50() > 5 && r.ttftMs().p50() < 1000, "TTFT " + r.ttftMs());
                assertTrue(r.tpotMs().p50() > 3 && r.tpotMs().p50() < 50, "TPOT " + r.tpotMs());
            }
        }
    }
}
