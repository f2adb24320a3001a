package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
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
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.SimDeployment;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.metrics.RequestRecord;
import org.cornserve.simulator.metrics.ResultWriter;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.simulator.workload.PoissonWorkload;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A thinker -> talker -> vocoder plan where every request also asks for 10 s of speech. With a vocoder that
 * serves 2 requests per second under 5 arriving per second, its backlog grows without bound: the text targets
 * (TTFT, TPOT on the thinker's stream) still pass for every request, but the speech target fails for most;
 * with a fast vocoder the same run meets both. A talker slower than playback (30 ms a codec frame against 20 ms
 * of speech) fails it even unloaded. SLO attainment matches a recount from the records.
 */
class SpeechSloTest {
    static final String TEXT = "ttft=500,tpot=100";
    static final String SPEECH = TEXT + ",speech_rtf=1,speech_slack=2000";

    static SimConfig plan(BatchCost vocoder, Slo slo) {
        return plan(new Fixtures.LinearLlm(true), vocoder, slo);
    }

    static SimConfig plan(LlmCost talker, BatchCost vocoder, Slo slo) {
        LlmBatching llm = new LlmBatching(4096, 64, true, Preemption.RECOMPUTE, 1_000_000, Long.MAX_VALUE);
        List<SimDeployment> deps = List.of(
                SimDeployment.oneNode(new DeploymentConfig("thinker", List.of(
                        new TaskConfig.Llm("omni/llm", LlmPhase.FULL, llm)), 1, "round-robin", 0, 0),
                        List.of(new Fixtures.LinearLlm(true)), 1),
                SimDeployment.oneNode(new DeploymentConfig("talker", List.of(
                        new TaskConfig.Llm("omni/talker", LlmPhase.FULL, llm)), 1, "round-robin", 0, 0),
                        List.of(talker), 1),
                SimDeployment.oneNode(new DeploymentConfig("vocoder", List.of(
                        new TaskConfig.Batch("omni/vocoder", new ItemBatching(1, 1_000_000, 0))), 1, "round-robin", 0,
                        0), List.of(vocoder), 1));
        return SimConfig.of(deps, Fixtures.NETWORK, slo);
    }

    /** 50 text tokens, then 500 codec frames (10 s at 50 frames per second) vocoded into the response. */
    static InvocationGraph speechRequest(SplittableRandom r) {
        long prompt = 50 + r.nextInt(100);
        return InvocationGraph.of(List.of(
                new Invocation("omni/llm", Work.llm(prompt, 50), true),
                new Invocation("omni/talker", Work.llm(prompt + 50, 500), false),
                new Invocation("omni/vocoder", Work.batch(Modality.AUDIO, 1, 500), true)),
                List.of(new DataEdge(0, 1, 100_000), new DataEdge(1, 2, 8_000))).withSpeech(2, 1, 10.0);
    }

    static SimResult run(BatchCost vocoder, String slo, long seed) {
        return new Simulator(plan(vocoder, Slo.parse(slo))).run(new PoissonWorkload(300, 5, seed, "omni",
                SpeechSloTest::speechRequest));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void overloadedVocoderFailsTheSpeechTargetWhileTextTargetsPass(long seed) {
        BatchCost slow = (items, tokens) -> 0.5 * items;
        SimResult text = run(slow, TEXT, seed);
        SimResult speech = run(slow, SPEECH, seed);
        System.out.printf("seed %d: text-only attainment %.3f, with speech %.3f; TTFA p50 %.0f ms, RTF p50 %.2f p99 %.2f%n",
                seed, text.sloAttainment(), speech.sloAttainment(), speech.speech().ttfaMs().p50(),
                speech.speech().rtf().p50(), speech.speech().rtf().p99());
        assertEquals(300, speech.completed());
        assertEquals(1.0, text.sloAttainment(), "the thinker's text stream meets TTFT and TPOT");
        assertTrue(speech.sloAttainment() < 0.5, "the vocoder backlog stalls most speech: " + speech.sloAttainment());
        assertTrue(speech.speech().rtf().p99() > 2, "RTF p99 " + speech.speech().rtf().p99());
        assertEquals(speech.sloAttainment(), speech.speech().attainment(), 1e-12, "every request asks for speech");
        assertEquals(recount(speech, Slo.parse(SPEECH)), speech.sloAttainment(), 1e-12);
        assertNotNull(ResultWriter.summary(speech).get("speech"));

        SimResult fast = run((items, tokens) -> 0.001 + tokens * 1e-6, SPEECH, seed);
        assertEquals(1.0, fast.sloAttainment(), "a vocoder that keeps up meets the speech target");
        assertTrue(fast.speech().ttfaMs().p99() < 500 && fast.speech().rtf().p99() < 1,
                "TTFA " + fast.speech().ttfaMs() + " RTF " + fast.speech().rtf());
    }

    @ParameterizedTest
    @ValueSource(longs = {5, 6})
    void talkerSlowerThanPlaybackFailsTheSpeechTargetEvenUnloaded(long seed) {
        // 30 ms a decode step: 500 frames take 15 s, past 10 s of speech + 2 s of slack, whatever the load
        LlmCost slowTalker = new LlmCost() {
            @Override
            public double iterationSeconds(long prefillTokens, long prefillContextTokens, int decodeSequences,
                    long decodeContextTokens) {
                return 0.030;
            }

            @Override
            public long kvBytesPerToken() {
                return 131_072;
            }
        };
        BatchCost fastVocoder = (items, tokens) -> 0.001;
        SimResult text = new Simulator(plan(slowTalker, fastVocoder, Slo.parse(TEXT))).run(new PoissonWorkload(60, 0.5,
                seed, "omni", SpeechSloTest::speechRequest));
        SimResult speech = new Simulator(plan(slowTalker, fastVocoder, Slo.parse(SPEECH))).run(new PoissonWorkload(60,
                0.5, seed, "omni", SpeechSloTest::speechRequest));
        assertEquals(1.0, text.sloAttainment());
        assertEquals(0.0, speech.sloAttainment());
        assertEquals(1.5, speech.speech().rtf().p50(), 0.01, "15 s of talker decode for 10 s of speech");
        SimResult loose = new Simulator(plan(slowTalker, fastVocoder, Slo.parse(TEXT + ",speech_rtf=1.6")))
                .run(new PoissonWorkload(60, 0.5, seed, "omni", SpeechSloTest::speechRequest));
        assertEquals(1.0, loose.sloAttainment(), "a real-time factor bound of 1.6 admits it");
    }

    @ParameterizedTest
    @ValueSource(longs = {4})
    void textOnlyRequestsHaveNoSpeechSummary(long seed) {
        SimResult r = new Simulator(plan((items, tokens) -> 0.001, Slo.parse(SPEECH))).run(new PoissonWorkload(50, 5,
                seed, "omni", g -> InvocationGraph.single(new Invocation("omni/llm", Work.llm(100, 20), true))));
        assertNull(r.speech());
        assertTrue(!ResultWriter.summary(r).containsKey("speech"));
        assertEquals(1.0, r.sloAttainment());
    }

    /** The share of requests meeting the text targets and, for speech, the speech target: from the records. */
    static double recount(SimResult r, Slo slo) {
        long met = 0;
        for (RequestRecord rec : r.records()) {
            if (!rec.completed()) {
                continue;
            }
            boolean ok = slo.met(rec.ttftMs(), rec.tpotMs(), rec.e2eMs(), rec.request().graph().outputTokens());
            if (rec.request().graph().hasSpeech()) {
                double afterMs = (rec.completionNanos() - rec.firstAudioNanos()) / 1e6;
                ok &= slo.speechMet(rec.ttfaMs(), afterMs, rec.audioSeconds());
            }
            met += ok ? 1 : 0;
        }
        return (double) met / r.requests();
    }
}
