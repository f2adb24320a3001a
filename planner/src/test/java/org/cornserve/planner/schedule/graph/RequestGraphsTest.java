package org.cornserve.planner.schedule.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.graph.CompositeTask;
import org.cornserve.model.graph.RequestGraph;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestGraphsTest {
    private static final ModelCatalog CATALOG = ModelCatalog.builtIn();

    private static RequestGraph graph(String model, RequestShape shape, boolean split) {
        return new CompositeTask(CATALOG.model(model)).requestGraph(shape, split);
    }

    @Test
    void imageRequestOnQwenVlBecomesEncoderThenLlm() {
        RequestShape shape = new RequestShape(100, List.of(MediaItem.imagePixels(1024, 1024)), 50, Set.of(Modality.TEXT));
        RequestGraph rg = graph("qwen2.5-vl-7b", shape, false);
        InvocationGraph g = RequestGraphs.toInvocations(rg);
        assertEquals(2, g.size());
        assertEquals("qwen2.5-vl-7b/vision-encoder", g.node(0).taskKey());
        assertEquals("qwen2.5-vl-7b/llm", g.node(1).taskKey());
        assertFalse(g.node(0).output());
        assertTrue(g.node(1).output());
        assertEquals(50, g.outputTokens());
        assertEquals(1, g.edges().size());
        long embeddingBytes = rg.outFlows("vision-encoder").get(0).bytes();
        assertEquals(embeddingBytes, g.edge(0).bytes());
        assertEquals(rg.node("llm").work().inputTokens(), g.node(1).work().tokens(), "prompt includes image tokens");
    }

    @ParameterizedTest
    @CsvSource({"false, 16, 200", "true, 16, 200", "false, 1, 200", "false, 500, 200", "true, 4, 1"})
    void theThinkerStreamsHiddenStatesToTheTalkerInChunks(boolean split, int chunk, int answer) {
        RequestShape shape = new RequestShape(300, List.of(), answer, Set.of(Modality.TEXT, Modality.AUDIO));
        RequestGraph rg = graph("qwen2.5-omni-7b", shape, split);
        InvocationGraph whole = RequestGraphs.toInvocations(rg, 24_000, Work.UNCAPPED);
        InvocationGraph streamed = RequestGraphs.toInvocations(rg, 24_000, Work.UNCAPPED, chunk);
        assertFalse(whole.streams());
        assertTrue(streamed.streams());
        int talker = streamed.speechSourceNode();
        DataEdge hidden = null;
        for (DataEdge e : streamed.edges()) {
            if (e.to() == talker) {
                hidden = e;
            }
        }
        long firstPositions = 300 + Math.min(chunk, answer);
        assertEquals(chunk, hidden.streamChunkTokens());
        assertEquals(chunk, streamed.streamChunkTokens(hidden.from()));
        assertEquals(answer, streamed.traceOutputTokens(hidden.from()), "the thinker's answer, split or not");
        long bytesPerPosition = hidden.bytes() / (300 + answer);
        assertEquals(bytesPerPosition * (300 + answer), hidden.bytes());
        assertEquals(bytesPerPosition * firstPositions, hidden.firstChunkBytes());
        assertEquals(firstPositions, streamed.node(talker).work().tokens(), "the talker prompts on what has arrived");
        assertEquals(300 + answer, whole.node(talker).work().tokens(), "handed off whole: every position");
        for (int i = 0; i < whole.size(); i++) {
            assertEquals(whole.node(i).taskKey(), streamed.node(i).taskKey());
            assertEquals(whole.traceOutputTokens(i), streamed.traceOutputTokens(i));
            if (i != talker) {
                assertEquals(whole.node(i), streamed.node(i));
            }
            if (i != hidden.from()) {
                assertEquals(0, streamed.streamChunkTokens(i), "one streamed edge");
            }
        }
    }

    @Test
    void splitLlmCarriesTheKvCacheAndFirstTokenComesFromPrefill() {
        RequestGraph rg = graph("llama-3.1-8b", RequestShape.text(1000, 200), true);
        InvocationGraph g = RequestGraphs.toInvocations(rg);
        assertEquals(2, g.size());
        assertEquals("llama-3.1-8b/llm:prefill", g.node(0).taskKey());
        assertEquals("llama-3.1-8b/llm:decode", g.node(1).taskKey());
        assertTrue(g.node(0).output() && g.node(1).output());
        assertEquals(1, g.node(0).work().maxTokens(), "prefill generates the first token only");
        assertEquals(Work.UNCAPPED, g.node(1).work().maxTokens(), "the request sets no max_tokens");
        assertEquals(1, g.traceOutputTokens(0));
        assertEquals(200, g.traceOutputTokens(1), "1 from prefill + 199 decoded");
        assertEquals(rg.outFlows("llm:prefill").get(0).bytes(), g.edge(0).bytes());
        assertEquals(200, g.outputTokens());
        assertEquals(1, g.tokenStreamNode(), "the decode node ends the token stream");
    }

    @Test
    void decodeWithNothingLeftIsDropped() {
        InvocationGraph g = RequestGraphs.toInvocations(graph("llama-3.1-8b", RequestShape.text(1000, 1), true));
        assertEquals(1, g.size());
        assertTrue(g.node(0).output());
    }

    @Test
    void omniSpeechRequestRunsThroughTalkerAndVocoder() {
        RequestShape shape = new RequestShape(40, List.of(MediaItem.audioSeconds(5)), 80,
                Set.of(Modality.TEXT, Modality.AUDIO));
        InvocationGraph g = RequestGraphs.toInvocations(graph("qwen2.5-omni-7b", shape, false));
        List<String> keys = g.nodes().stream().map(Invocation::taskKey).toList();
        assertTrue(keys.contains("qwen2.5-omni-7b/audio-encoder"), keys.toString());
        assertTrue(keys.contains("qwen2.5-omni-7b/talker"), keys.toString());
        assertTrue(keys.contains("qwen2.5-omni-7b/vocoder"), keys.toString());
        assertEquals(List.of(0), g.roots());
        assertEquals("qwen2.5-omni-7b/llm", g.node(g.tokenStreamNode()).taskKey(), "text tokens come from the LLM");
        assertEquals(80, g.outputTokens());
    }

    @Test
    void omniSpeechDurationIsTheVocodersSamplesOverItsSampleRate() {
        var omni = CATALOG.model("qwen2.5-omni-7b");
        var vocoder = omni.vocoder().orElseThrow();
        RequestShape shape = new RequestShape(40, List.of(), 80, Set.of(Modality.TEXT, Modality.AUDIO));
        RequestGraph rg = graph("qwen2.5-omni-7b", shape, false);
        assertFalse(RequestGraphs.toInvocations(rg).hasSpeech(), "no sample rate, no speech description");
        InvocationGraph g = RequestGraphs.toInvocations(rg, vocoder.sampleRateHz());
        assertTrue(g.hasSpeech());
        assertEquals("qwen2.5-omni-7b/vocoder", g.node(g.speechNode()).taskKey());
        assertEquals("qwen2.5-omni-7b/talker", g.node(g.speechSourceNode()).taskKey());
        long samples = rg.node("vocoder").work().outputTokens();
        long codeFrames = omni.talker().orElseThrow().codeFrames(80);
        assertEquals(codeFrames * vocoder.samplesPerCode(), samples);
        assertEquals((double) samples / vocoder.sampleRateHz(), g.audioSeconds(), 1e-12);
        assertEquals(codeFrames / vocoder.codesPerSecond(), g.audioSeconds(), 1e-9, "frames over frame rate");
        assertEquals(g.tokenStreamNode(), RequestGraphs.toInvocations(rg).tokenStreamNode());
        InvocationGraph text = RequestGraphs.toInvocations(graph("qwen2.5-omni-7b", RequestShape.text(40, 80), false),
                vocoder.sampleRateHz());
        assertFalse(text.hasSpeech());
        assertEquals(0, text.audioSeconds());
    }

    @Test
    void imageGenerationEndsWithTheVaeDecoder() {
        InvocationGraph g = RequestGraphs.toInvocations(graph("qwen-image",
                new RequestShape(60, List.of(), 0, Set.of(Modality.IMAGE)), false));
        Invocation last = g.node(g.size() - 1);
        assertTrue(last.output());
        assertTrue(last.taskKey().endsWith("vae-decoder"), last.taskKey());
        assertTrue(g.nodes().stream().anyMatch(n -> n.work().steps() > 1), "the generator steps");
    }
}
