package org.cornserve.experiments.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.cornserve.model.arch.TransformerArch;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.model.profile.RooflineDevice;
import org.cornserve.model.profile.RooflineEstimator;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.TaskConfig;
import org.cornserve.planner.schedule.batch.LlmBatching;
import org.cornserve.planner.schedule.batch.LlmPhase;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.Work;
import org.cornserve.simulator.config.Network;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.SimDeployment;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.workload.PoissonWorkload;

/**
 * A Llama-3.1-8B plan on H100s (roofline costs) and a conversation-like synthetic workload (prompts and outputs
 * drawn around the Azure 2023 conversation trace's medians), shared by the benchmarks.
 */
public final class LlamaWorkloads {
    /** Llama-3.1-8B: hidden 4096, 32 layers, 32 heads (8 KV) of 128, MLP 14336, vocab 128256. */
    public static final TransformerArch LLAMA_8B = TransformerArch.denseLlm(4096, 32, 32, 8, 128, 14336, 128256);

    /** H100 SXM: 989 TFLOP/s dense bf16, 80 GB HBM3 at 3.35 TB/s, NVLink 450 GB/s per direction. */
    public static final RooflineDevice H100 = new RooflineDevice("h100-sxm", 989e12, 80e9, 3.35e12, 450e9, 5e-6,
            0.6, 0.8, 0.7);

    private LlamaWorkloads() {
    }

    /** {@code replicas} single-GPU replicas of Llama-3.1-8B behind least-outstanding routing. */
    public static SimConfig llamaPlan(int replicas) {
        LlmCost cost = new RooflineEstimator(H100).llm(LLAMA_8B, 1);
        double weights = LLAMA_8B.totalParams() * 2;
        long kvTokens = (long) ((H100.memoryBytes() * 0.9 - weights) / cost.kvBytesPerToken());
        LlmBatching batching = new LlmBatching(8192, 256, true, Preemption.RECOMPUTE, kvTokens, Long.MAX_VALUE);
        DeploymentConfig dc = new DeploymentConfig("llm", List.of(new TaskConfig.Llm("llama-3.1-8b/llm", LlmPhase.FULL,
                batching)), replicas, "least-outstanding", 1, 0);
        SimDeployment sd = new SimDeployment(dc, List.of(cost), 1, Collections.nCopies(replicas, 0));
        return SimConfig.of(List.of(sd), new Network(9e11, 5_000, 5e10, 10_000), new Slo(1000, 100, 0));
    }

    /** A request of a conversation-like shape: prompt ~ 1k tokens, output ~ 200 tokens, both skewed. */
    public static InvocationGraph conversation(SplittableRandom r) {
        long prompt = Math.min(8000, 50 + (long) (-Math.log(1 - r.nextDouble()) * 1000));
        long output = Math.min(2000, 1 + (long) (-Math.log(1 - r.nextDouble()) * 230));
        return InvocationGraph.single(new Invocation("llama-3.1-8b/llm", Work.llm(prompt, output), true));
    }

    /** {@code count} Poisson requests at {@code rate} per second. */
    public static PoissonWorkload workload(long count, double rate, long seed) {
        return new PoissonWorkload(count, rate, seed, "chat", LlamaWorkloads::conversation);
    }

    /** The same workload materialised, so a benchmark times the simulation and not the generator. */
    public static List<SimRequest> materialise(long count, double rate, long seed) {
        List<SimRequest> out = new ArrayList<>();
        workload(count, rate, seed).forEachRemaining(out::add);
        return out;
    }
}
