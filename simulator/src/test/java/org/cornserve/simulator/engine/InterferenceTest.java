package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.cornserve.model.profile.BatchCost;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.TaskConfig;
import org.cornserve.planner.schedule.batch.ItemBatching;
import org.cornserve.planner.schedule.batch.LlmBatching;
import org.cornserve.planner.schedule.batch.LlmPhase;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.SimDeployment;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.simulator.workload.PoissonWorkload;
import org.junit.jupiter.api.Test;

/**
 * Four GPUs, an image-heavy workload: colocating the vision encoder with the LLM (monolithic) lets encoder
 * batches stall every decoding sequence of the replica, so time per output token suffers; giving the encoder
 * its own GPU (encoder split) removes that interference from decoding.
 */
class InterferenceTest {
    private static final BatchCost VISION = (items, tokens) -> 0.003 + tokens * 15e-6;
    private static final LlmBatching LLM = new LlmBatching(8192, 128, true, Preemption.RECOMPUTE, 400_000, Long.MAX_VALUE);
    private static final ItemBatching ENCODER = new ItemBatching(16, 16_384, 2_000_000);

    static SimResult run(boolean split) {
        List<SimDeployment> deployments = split
                ? List.of(
                        SimDeployment.oneNode(new DeploymentConfig("vision", List.of(
                                new TaskConfig.Batch("m/vision", ENCODER)), 1, "least-outstanding", 0, 0),
                                List.of(VISION), 1),
                        SimDeployment.oneNode(new DeploymentConfig("llm", List.of(
                                new TaskConfig.Llm("m/llm", LlmPhase.FULL, LLM)), 3, "least-outstanding", 0, 0),
                                List.of(new Fixtures.LinearLlm(true)), 1))
                : List.of(SimDeployment.oneNode(new DeploymentConfig("mono", List.of(
                        new TaskConfig.Batch("m/vision", ENCODER), new TaskConfig.Llm("m/llm", LlmPhase.FULL, LLM)), 4,
                        "least-outstanding", 0, 0), List.of(VISION, new Fixtures.LinearLlm(true)), 1));
        SimConfig config = SimConfig.of(deployments, Fixtures.NETWORK, new Slo(0, 0, 0));
        return new Simulator(config).run(new PoissonWorkload(6000, 25, 11, "vqa", (SplittableRandom r) ->
                Fixtures.imageRequest(1 + r.nextInt(2), 1024 + r.nextInt(1024), 50 + r.nextInt(200), 50 + r.nextInt(250))));
    }

    @Test
    void splittingTheEncoderOffProtectsDecoding() {
        SimResult mono = run(false);
        SimResult split = run(true);
        System.out.printf("monolithic: TPOT p50 %.2f p99 %.2f ms, TTFT p50 %.1f p99 %.1f ms%n", mono.tpotMs().p50(),
                mono.tpotMs().p99(), mono.ttftMs().p50(), mono.ttftMs().p99());
        System.out.printf("encoder split: TPOT p50 %.2f p99 %.2f ms, TTFT p50 %.1f p99 %.1f ms%n", split.tpotMs().p50(),
                split.tpotMs().p99(), split.ttftMs().p50(), split.ttftMs().p99());
        assertTrue(mono.tpotMs().p99() > 1.3 * split.tpotMs().p99(),
                "encoder work inside LLM replicas slows decoding: " + mono.tpotMs().p99() + " vs " + split.tpotMs().p99());
    }
}
