package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.cornserve.model.Modality;
import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.DiffusionCost;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.TaskConfig;
import org.cornserve.planner.schedule.batch.DiffusionBatching;
import org.cornserve.planner.schedule.batch.ItemBatching;
import org.cornserve.planner.schedule.batch.LlmBatching;
import org.cornserve.planner.schedule.batch.LlmPhase;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.planner.schedule.graph.DataEdge;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.Work;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.SimDeployment;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.RequestRecord;
import org.cornserve.simulator.metrics.ResultWriter;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.simulator.workload.PoissonWorkload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An Any-to-Any workload on a fully split plan across two nodes (encoders, LLM prefill, LLM decode with KV
 * transfer, a diffusion generator, a vocoder) under overload with admission bounds: every request completes
 * or is rejected with a reason, none is lost or counted twice, and every recorded time is causally ordered.
 */
class ConservationTest {

    static SimConfig fullSplit(int bound) {
        BatchCost encoder = (items, tokens) -> 0.002 + tokens * 2e-6;
        DiffusionCost gen = (jobs, latent) -> 0.01 + latent * 1e-6;
        BatchCost vocoder = (items, tokens) -> 0.001 + tokens * 1e-6;
        LlmBatching llm = new LlmBatching(4096, 64, true, Preemption.RECOMPUTE, 60_000, Long.MAX_VALUE);
        List<SimDeployment> deps = List.of(
                new SimDeployment(new DeploymentConfig("encoders", List.of(
                        new TaskConfig.Batch("omni/vision", new ItemBatching(16, 20_000, 2_000_000)),
                        new TaskConfig.Batch("omni/audio", new ItemBatching(16, 20_000, 2_000_000))), 2,
                        "power-of-two", 3, bound), List.of(encoder, encoder), 1, List.of(0, 1)),
                new SimDeployment(new DeploymentConfig("prefill", List.of(
                        new TaskConfig.Llm("omni/llm:prefill", LlmPhase.PREFILL, llm)), 2, "least-outstanding", 0,
                        bound), List.of(new Fixtures.LinearLlm(true)), 1, List.of(0, 1)),
                new SimDeployment(new DeploymentConfig("decode", List.of(
                        new TaskConfig.Llm("omni/llm:decode", LlmPhase.DECODE, llm)), 2, "round-robin", 0, bound),
                        List.of(new Fixtures.LinearLlm(true)), 1, List.of(1, 0)),
                new SimDeployment(new DeploymentConfig("generator", List.of(
                        new TaskConfig.Diffusion("omni/image-gen", new DiffusionBatching(4, 20_000)),
                        new TaskConfig.Batch("omni/vocoder", new ItemBatching(8, 100_000, 0))), 1, "round-robin", 0,
                        bound), List.of(gen, vocoder), 2, List.of(1)));
        return SimConfig.of(deps, Fixtures.NETWORK, new Slo(2000, 100, 0));
    }

    static InvocationGraph omniRequest(SplittableRandom r) {
        List<Invocation> nodes = new ArrayList<>();
        List<DataEdge> edges = new ArrayList<>();
        long prompt = 20 + r.nextInt(500);
        long output = 1 + r.nextInt(300);
        int images = r.nextInt(3);
        boolean audio = r.nextInt(4) == 0;
        for (int i = 0; i < images; i++) {
            nodes.add(new Invocation("omni/vision", Work.batch(Modality.IMAGE, 1, 256 + r.nextInt(1024)), false));
        }
        if (audio) {
            nodes.add(new Invocation("omni/audio", Work.batch(Modality.AUDIO, 1, 100 + r.nextInt(400)), false));
        }
        int encoders = nodes.size();
        long media = 0;
        for (Invocation n : nodes) {
            media += n.work().tokens();
        }
        int prefill = nodes.size();
        nodes.add(new Invocation("omni/llm:prefill", Work.llm(prompt + media, output), true));
        for (int i = 0; i < encoders; i++) {
            edges.add(new DataEdge(i, prefill, nodes.get(i).work().tokens() * 7168));
        }
        if (output > 1) {
            nodes.add(new Invocation("omni/llm:decode", Work.llm(prompt + media, output), true));
            edges.add(new DataEdge(prefill, prefill + 1, (prompt + media) * 131_072));
        }
        int last = nodes.size() - 1;
        int kind = r.nextInt(4);
        if (kind == 0) {
            nodes.add(new Invocation("omni/image-gen", Work.diffusion(1024 + r.nextInt(3000), 10 + r.nextInt(30)), true));
            edges.add(new DataEdge(last, nodes.size() - 1, 4096));
        } else if (kind == 1) {
            nodes.add(new Invocation("omni/vocoder", Work.batch(Modality.AUDIO, 1, output * 4), true));
            edges.add(new DataEdge(last, nodes.size() - 1, output * 4 * 2));
        }
        return InvocationGraph.of(nodes, edges);
    }

    static SimResult run(long seed, int count, double rate, int bound) {
        return new Simulator(fullSplit(bound)).run(new PoissonWorkload(count, rate, seed, "omni",
                ConservationTest::omniRequest));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void everyRequestCompletesOrIsRejectedWithAReasonExactlyOnce(long seed) {
        int count = 4000;
        SimResult result = run(seed, count, 60, 40);
        System.out.printf("seed %d: %d completed, %d rejected %s, TTFT p50 %.1f p99 %.1f ms, TPOT p50 %.2f ms, %s%n",
                seed, result.completed(), result.rejected(), result.rejectReasons(), result.ttftMs().p50(),
                result.ttftMs().p99(), result.tpotMs().p50(), result.deployments());
        assertEquals(count, result.requests());
        assertEquals(count, result.completed() + result.rejected(), "none lost");
        assertTrue(result.rejected() > 0, "the bound is tight enough to reject under this load");
        assertTrue(result.completed() > count / 4, "most work still gets through");
        Set<Long> ids = new HashSet<>();
        for (RequestRecord rec : result.records()) {
            assertTrue(ids.add(rec.request().id()), "request counted twice: " + rec.request().id());
            assertTrue(rec.completed() ^ rec.rejected(), "request " + rec.request().id() + " ended once");
            if (rec.rejected()) {
                assertTrue(rec.rejectReason().contains("is full"), rec.rejectReason());
                continue;
            }
            long arrival = rec.request().arrivalNanos();
            assertTrue(arrival <= rec.firstOutputNanos() && rec.firstOutputNanos() <= rec.completionNanos());
            InvocationGraph g = rec.request().graph();
            for (int i = 0; i < g.size(); i++) {
                assertTrue(arrival <= rec.queuedNanos(i) && rec.queuedNanos(i) <= rec.startedNanos(i)
                        && rec.startedNanos(i) <= rec.finishedNanos(i) && rec.finishedNanos(i) <= rec.completionNanos(),
                        "request " + rec.request().id() + " invocation " + i);
            }
            for (DataEdge e : g.edges()) {
                assertTrue(rec.finishedNanos(e.from()) <= rec.queuedNanos(e.to()), "data before consumer");
            }
        }
        for (int d = 0; d < 4; d++) {
            assertEquals(0, result.deployments().get(d).utilization() > 1 ? 1 : 0, "utilization <= 1");
        }
    }

    @Test
    void sameSeedGivesByteIdenticalFiles(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        ResultWriter.write(run(9, 1500, 40, 60), a);
        ResultWriter.write(run(9, 1500, 40, 60), b);
        for (String f : new String[] {"requests.csv", "queues.csv"}) {
            assertEquals(-1L, Files.mismatch(a.resolve(f), b.resolve(f)), f);
        }
        String sa = Files.readString(a.resolve("summary.json")).replaceAll("\"wall_seconds\" : [^,]+,", "");
        String sb = Files.readString(b.resolve("summary.json")).replaceAll("\"wall_seconds\" : [^,]+,", "");
        assertEquals(sa, sb);
        assertTrue(sa.contains("\"ttft_ms\""), sa);
        List<String> rows = Files.readAllLines(a.resolve("requests.csv"));
        assertEquals(1501, rows.size());
    }

    @Test
    void requestsOutOfArrivalOrderAreRefused() {
        InvocationGraph g = Fixtures.textRequest(10, 2);
        List<SimRequest> bad = List.of(new SimRequest(0, 100, "a", g, 10), new SimRequest(1, 50, "a", g, 10));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Simulator(Fixtures.llmOnly(1, Fixtures.llmBatching(10_000, Preemption.NONE),
                        new Fixtures.LinearLlm(true), "round-robin")).run(bad.iterator()));
        assertTrue(e.getMessage().contains("request 1 arrives at 50"), e.getMessage());
    }
}
