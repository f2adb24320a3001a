package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.TaskConfig;
import org.cornserve.planner.schedule.batch.LlmBatching;
import org.cornserve.planner.schedule.batch.LlmPhase;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.planner.schedule.graph.DataEdge;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.Work;
import org.cornserve.simulator.config.Network;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.SimDeployment;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.RequestRecord;
import org.junit.jupiter.api.Test;

/** One request alone in the system: its times against hand-computed sums of the cost model and the network. */
class TimingTest {
    private static final Fixtures.LinearLlm COST = new Fixtures.LinearLlm(true);

    private static long nanos(long prefill, long prefillContext, int decodes, long decodeContext) {
        return Math.round(COST.iterationSeconds(prefill, prefillContext, decodes, decodeContext) * 1e9);
    }

    @Test
    void aLoneRequestTakesPrefillChunksThenOneDecodePerToken() {
        LlmBatching batching = new LlmBatching(1000, 8, true, Preemption.RECOMPUTE, 100_000, Long.MAX_VALUE);
        SimConfig config = Fixtures.llmOnly(1, batching, COST, "round-robin");
        long arrival = 1_000_000;
        RequestRecord rec = new Simulator(config).run(List.of(new SimRequest(0, arrival, "a",
                Fixtures.textRequest(2500, 40), 2500)).iterator()).records().get(0);
        // chunks of 1000, 1000 and 500 tokens, each attending to everything before it
        long ttft = nanos(1000, 1000L * 1001 / 2, 0, 0) + nanos(1000, 1000L * 1000 + 1000L * 1001 / 2, 0, 0)
                + nanos(500, 500L * 2000 + 500L * 501 / 2, 0, 0);
        assertEquals(arrival + ttft, rec.firstOutputNanos());
        long decode = 0;
        for (int i = 0; i < 39; i++) {
            decode += nanos(0, 0, 1, 2500 + i);
        }
        assertEquals(arrival + ttft + decode, rec.completionNanos());
    }

    @Test
    void kvCacheMovesBetweenNodesAtTheLinksRate() {
        LlmBatching batching = new LlmBatching(4096, 8, true, Preemption.RECOMPUTE, 100_000, Long.MAX_VALUE);
        Network network = new Network(1e11, 3_000, 1e9, 20_000);
        SimConfig config = SimConfig.of(List.of(
                new SimDeployment(new DeploymentConfig("prefill", List.of(new TaskConfig.Llm("m/llm:prefill",
                        LlmPhase.PREFILL, batching)), 1, "round-robin", 0, 0), List.of(COST), 1, List.of(0)),
                new SimDeployment(new DeploymentConfig("decode", List.of(new TaskConfig.Llm("m/llm:decode",
                        LlmPhase.DECODE, batching)), 1, "round-robin", 0, 0), List.of(COST), 1, List.of(1))),
                network, Slo.NONE);
        long kvBytes = 1000L * 131_072;
        InvocationGraph graph = InvocationGraph.of(List.of(
                new Invocation("m/llm:prefill", Work.llm(1000, 1), true),
                new Invocation("m/llm:decode", Work.llm(1000, 10), true)), List.of(new DataEdge(0, 1, kvBytes)));
        RequestRecord rec = new Simulator(config).run(List.of(new SimRequest(0, 0, "a", graph, 1000)).iterator())
                .records().get(0);
        long prefill = nanos(1000, 1000L * 1001 / 2, 0, 0);
        assertEquals(prefill, rec.firstOutputNanos());
        assertEquals(prefill, rec.finishedNanos(0));
        long transfer = 20_000 + Math.round(kvBytes / 1e9 * 1e9);
        assertEquals(prefill + transfer, rec.queuedNanos(1), "inter-node: 20 us + bytes / 1 GB/s");
        long decode = 0;
        for (int i = 0; i < 9; i++) {
            decode += nanos(0, 0, 1, 1000 + i);
        }
        assertEquals(prefill + transfer + decode, rec.completionNanos());
    }
}
