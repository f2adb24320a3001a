package org.cornserve.planner.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.request.RequestShape;
import org.cornserve.planner.CandidatePlan;
import org.cornserve.planner.CatalogProblems;
import org.cornserve.planner.PlanningProblem;
import org.cornserve.planner.RequestWork;
import org.cornserve.planner.Slo;
import org.cornserve.planner.baseline.Strategies;
import org.cornserve.planner.search.Objective;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;

/** The analytic estimate judges speech responses on the streaming-speech target when one is set. */
class SpeechEstimateTest {
    private static final ModelCatalog CATALOG = ModelCatalog.builtIn();

    static PlanningProblem omni(String slo) {
        SplittableRandom r = new SplittableRandom(5);
        List<TraceRecord> trace = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            Set<Modality> out = i % 2 == 0 ? Set.of(Modality.TEXT, Modality.AUDIO) : Set.of(Modality.TEXT);
            trace.add(new TraceRecord(i * 50_000_000L, "qwen2.5-omni-7b",
                    new RequestShape(100 + r.nextInt(400), List.of(), 50 + r.nextInt(300), out)));
        }
        return CatalogProblems.build(CATALOG, List.of("qwen2.5-omni-7b"), HardwareCatalog.builtIn().get("h100-sxm"),
                1, 8, trace, Slo.parse(slo, 0.9), 1, 400, 0);
    }

    static double monolithCapacity(PlanningProblem p) {
        return monolithCapacity(p, EstimatorOptions.DEFAULT);
    }

    static double monolithCapacity(PlanningProblem p, EstimatorOptions options) {
        CandidatePlan plan = Strategies.byName("monolithic").plan(p, Objective.goodput(), null).plan();
        return new AnalyticEstimator(p, options).capacityRps(plan);
    }

    @Test
    void theStreamedHandOffShortensTheTalkersPromptToItsFirstChunk() {
        PlanningProblem p = omni("ttft=2000,tpot=100");
        int talker = new WorkloadMix(p).index("qwen2.5-omni-7b/talker");
        int thinker = new WorkloadMix(p).index("qwen2.5-omni-7b/llm");
        WorkloadMix whole = new WorkloadMix(p, 0);
        WorkloadMix streamed = new WorkloadMix(p, 4);
        assertEquals(thinker, streamed.streamSource[talker]);
        assertEquals(-1, whole.streamSource[talker]);
        int speech = 0;
        for (int s = 0; s < whole.samples; s++) {
            if (whole.tokens[talker][s] > 0) {
                speech++;
                double answer = whole.outputs[thinker][s];
                assertEquals(whole.tokens[talker][s] - answer + Math.min(4, answer), streamed.tokens[talker][s], 1e-9,
                        "the thinker's prompt and first chunk");
            }
        }
        assertEquals(200, speech);
    }

    @Test
    void aTimeToFirstAudioTargetIsMetAtHigherLoadWhenTheTalkerStartsOnTheFirstChunk() {
        // a target the talker meets only when it need not wait for the whole text answer
        PlanningProblem p = omni("ttft=2000,tpot=100,ttfa=600");
        double whole = monolithCapacity(p, EstimatorOptions.DEFAULT.withStreamChunkTokens(0));
        double streamed = monolithCapacity(p, EstimatorOptions.DEFAULT);
        assertEquals(1, EstimatorOptions.DEFAULT.streamChunkTokens(), "the plan's default chunk");
        assertTrue(streamed > whole, "streamed " + streamed + " vs whole " + whole);
        // text only: the hand-off does not matter
        PlanningProblem text = omni("ttft=2000,tpot=100");
        double textWhole = monolithCapacity(text, EstimatorOptions.DEFAULT.withStreamChunkTokens(0));
        assertTrue(monolithCapacity(text) >= textWhole * (1 - 1e-9), "no worse without a speech target");
    }

    @Test
    void speechSamplesCarryTheirDurationFromTheVocodersSamples() {
        PlanningProblem p = omni("ttft=2000,tpot=100");
        var talker = CATALOG.model("qwen2.5-omni-7b").talker().orElseThrow();
        int speech = 0;
        for (RequestWork w : p.workload().samples()) {
            if (w.audioSeconds() > 0) {
                speech++;
                long frames = w.of("qwen2.5-omni-7b/talker").outputTokens();
                assertEquals(frames / talker.codeFramesPerSecond(), w.audioSeconds(), 1e-9, "50 codec frames a second");
            }
        }
        assertEquals(200, speech);
    }

    @Test
    void aLooseSpeechTargetChangesNothingAndAnImpossibleOneHalvesAttainment() {
        double text = monolithCapacity(omni("ttft=2000,tpot=100"));
        double loose = monolithCapacity(omni("ttft=2000,tpot=100,ttfa=1e9,speech_rtf=100"));
        assertTrue(text > 0);
        assertEquals(text, loose, text * 1e-9);
        // No talker produces 1 s of speech in 1 ms: every speech response fails, half of the requests
        double impossible = monolithCapacity(omni("ttft=2000,tpot=100,speech_rtf=0.001,speech_slack=0"));
        assertEquals(0, impossible, "attainment at most 0.5 < 0.9 at any rate");
        double real = monolithCapacity(omni("ttft=2000,tpot=100,ttfa=10000,speech_rtf=1"));
        assertTrue(real > 0 && real <= text * (1 + 1e-9), real + " vs " + text);
    }
}
