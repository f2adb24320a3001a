package org.cornserve.simulator.engine;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.model.Modality;
import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.TaskConfig;
import org.cornserve.planner.schedule.batch.ItemBatching;
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

/** Small configurations and workloads shared by the simulator tests. */
final class Fixtures {
    static final Network NETWORK = new Network(9e11, 5_000, 5e10, 10_000);

    /** Service time in seconds = tokens x 1 ns: a workload's tokens are its service demand in nanoseconds. */
    static final BatchCost NANOS_PER_TOKEN = (items, tokens) -> tokens * 1e-9;

    /**
     * An LLM whose iteration costs whole nanoseconds: 5 ms + 2 us per prefill token + 1 ns per prefill context
     * token + 20 us per sequence + 3 ns per context token; the decode run has the closed form.
     */
    static class LinearLlm implements LlmCost {
        final boolean closedForm;

        LinearLlm(boolean closedForm) {
            this.closedForm = closedForm;
        }

        @Override
        public double iterationSeconds(long prefillTokens, long prefillContextTokens, int decodeSequences,
                long decodeContextTokens) {
            return (5_000_000 + 2_000 * prefillTokens + prefillContextTokens / 1000 + 20_000L * decodeSequences
                    + 3 * decodeContextTokens) * 1e-9;
        }

        @Override
        public long kvBytesPerToken() {
            return 131_072;
        }

        @Override
        public double decodeRunSeconds(int n, long context, long iterations) {
            if (!closedForm) {
                return LlmCost.super.decodeRunSeconds(n, context, iterations);
            }
            double perIteration = 5_000_000 + 20_000.0 * n;
            double contextSum = iterations * (double) context + (double) n * iterations * (iterations - 1) / 2;
            return (perIteration * iterations + 3 * contextSum) * 1e-9;
        }
    }

    static SimConfig singleServer(ItemBatching batching) {
        DeploymentConfig dc = new DeploymentConfig("server", List.of(new TaskConfig.Batch("svc", batching)), 1,
                "round-robin", 0, 0);
        return SimConfig.of(List.of(SimDeployment.oneNode(dc, List.of(NANOS_PER_TOKEN), 1)), NETWORK, Slo.NONE);
    }

    static LlmBatching llmBatching(long kvTokens, Preemption preemption) {
        return new LlmBatching(2048, 64, true, preemption, kvTokens, Long.MAX_VALUE);
    }

    static SimConfig llmOnly(int replicas, LlmBatching batching, LlmCost cost, String router) {
        DeploymentConfig dc = new DeploymentConfig("llm", List.of(new TaskConfig.Llm("m/llm", LlmPhase.FULL, batching)),
                replicas, router, 7, 0);
        return SimConfig.of(List.of(SimDeployment.oneNode(dc, List.of(cost), 1)), NETWORK, Slo.NONE);
    }

    static InvocationGraph textRequest(long prompt, long output) {
        return InvocationGraph.single(new Invocation("m/llm", Work.llm(prompt, output), true));
    }

    /** A text request capped at {@code maxTokens} that, by the trace, generates {@code traceOutput} tokens. */
    static InvocationGraph textRequest(long prompt, long maxTokens, long traceOutput) {
        return InvocationGraph.single(new Invocation("m/llm", Work.llm(prompt, maxTokens), true), traceOutput);
    }

    /** An image request: vision encoder -> LLM, embeddings of 2 bytes x 3584 per token. */
    static InvocationGraph imageRequest(int images, long imageTokens, long textTokens, long output) {
        return InvocationGraph.of(List.of(
                new Invocation("m/vision", Work.batch(Modality.IMAGE, images, imageTokens), false),
                new Invocation("m/llm", Work.llm(textTokens + imageTokens, output), true)),
                List.of(new DataEdge(0, 1, imageTokens * 2 * 3584)));
    }

    static List<SimRequest> fixedArrivals(long[] arrivals, long[] tokens) {
        List<SimRequest> out = new ArrayList<>();
        for (int i = 0; i < arrivals.length; i++) {
            out.add(new SimRequest(i, arrivals[i], "app",
                    InvocationGraph.single(new Invocation("svc", Work.batch(Modality.TEXT, 1, tokens[i]), true)), tokens[i]));
        }
        return out;
    }

    private Fixtures() {
    }
}
