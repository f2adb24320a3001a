package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.runtime.engine.generate.ByteTokenizer;
import org.cornserve.runtime.serve.ModelRequest;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestBuilderTest {
    @TempDir
    Path dir;

    @Test
    void anOmniRequestsGraphCarriesTheExactTokenCountsOfItsInputs() throws Exception {
        try (SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "rb", "cp", 1000, System::currentTimeMillis)) {
            RequestBuilder b = new RequestBuilder(ModelCatalog.builtIn(), sidecar);
            RequestBuilder.Built built = b.build(new ModelRequest("tiny-omni", "hi", List.of(ControlPlaneIntegrationTest.png(140,
                    56, 1)), List.of(ControlPlaneIntegrationTest.wav(2)), 5, 0, 1, Set.of(Modality.TEXT, Modality.AUDIO)));
            InvocationGraph g = built.graph();
            List<String> tasks = g.nodes().stream().map(n -> n.taskKey()).toList();
            assertTrue(tasks.containsAll(List.of("tiny-omni/llm", "tiny-omni/vision-encoder",
                    "tiny-omni/audio-encoder", "tiny-omni/talker", "tiny-omni/vocoder")), tasks.toString());
            int llm = tasks.indexOf("tiny-omni/llm");
            int imageTokens = (56 / 28) * (140 / 28);
            int audioTokens = 50;
            assertEquals(1 + imageTokens + audioTokens + 2, built.promptTokens());
            assertEquals(built.promptTokens(), g.node(llm).work().tokens());
            int[] ids = built.inputs().get(llm).tokens();
            assertEquals(ByteTokenizer.BOS, ids[0]);
            assertEquals(ByteTokenizer.IMAGE, ids[1]);
            assertEquals(ByteTokenizer.AUDIO, ids[1 + imageTokens]);
            assertArrayEquals(new int[] {'h', 'i'}, java.util.Arrays.copyOfRange(ids, ids.length - 2, ids.length));
            assertTrue(built.inputs().get(llm).keepHidden(), "the thinker hands its states to the talker");
            assertTrue(built.inputs().get(tasks.indexOf("tiny-omni/vocoder")).controlPlaneReads());
            assertEquals(2, sidecar.live(), "the image and the clip wait in shared memory for the encoders");
        }
    }

    @Test
    void aSplitPlansGraphRunsThePromptOnPrefillAndStreamsTheFirstTokenFromIt() throws Exception {
        try (SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "rb", "cp", 1000, System::currentTimeMillis)) {
            RequestBuilder b = new RequestBuilder(ModelCatalog.builtIn(), sidecar, 1, Set.of("tiny-omni"));
            RequestBuilder.Built built = b.build(new ModelRequest("tiny-omni", "hi", List.of(ControlPlaneIntegrationTest
                    .png(56, 56, 1)), List.of(), 6, 0, 1, Set.of(Modality.TEXT, Modality.AUDIO)));
            InvocationGraph g = built.graph();
            List<String> tasks = g.nodes().stream().map(n -> n.taskKey()).toList();
            int prefill = tasks.indexOf("tiny-omni/llm:prefill");
            int decode = tasks.indexOf("tiny-omni/llm:decode");
            assertTrue(prefill >= 0 && decode >= 0 && !tasks.contains("tiny-omni/llm"), tasks.toString());
            assertEquals(built.promptTokens(), g.node(prefill).work().tokens());
            assertEquals(built.promptTokens(), g.node(decode).work().tokens(), "the decode node holds the prompt's KV");
            assertEquals(decode, g.tokenStreamNode());
            assertTrue(Dispatcher.prefillOfTokenStream(g, prefill), "the first token streams from the prefill");
            assertTrue(!Dispatcher.prefillOfTokenStream(g, decode));
            assertEquals(6, built.inputs().get(prefill).maxTokens(), "a cap above 1: a decode invocation follows");
            assertArrayEquals(built.inputs().get(prefill).tokens(), built.inputs().get(decode).tokens());
            assertTrue(built.inputs().get(decode).keepHidden(), "the decode side hands every state to the talker");
            // one token in all: prefill is the whole answer, no decode node
            RequestBuilder.Built one = b.build(new ModelRequest("tiny-omni", "hi", List.of(), List.of(), 1, 0, 1,
                    Set.of(Modality.TEXT)));
            assertEquals(List.of("tiny-omni/llm:prefill"), one.graph().nodes().stream().map(n -> n.taskKey()).toList());
            assertEquals(0, one.graph().tokenStreamNode());
        }
    }

    @Test
    void badMediaIsRefusedNamingTheItem() {
        try (SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "rb", "cp", 1000, System::currentTimeMillis)) {
            RequestBuilder b = new RequestBuilder(ModelCatalog.builtIn(), sidecar);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.build(new ModelRequest(
                    "tiny-omni", "x", List.of(), List.of(new byte[] {1, 2}), 3, 0, 1, Set.of())));
            assertTrue(e.getMessage().startsWith("audio 1:"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> b.build(new ModelRequest("tiny-image", "x",
                    List.of(new byte[] {1}), List.of(), 3, 0, 1, Set.of(Modality.IMAGE))));
            assertTrue(e.getMessage().contains("text prompt only"), e.getMessage());
        }
    }

    @Test
    void aPromptPastTheContextIsRefusedBeforeItIsBatched() {
        try (SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "rb", "cp", 1000, System::currentTimeMillis)) {
            RequestBuilder b = new RequestBuilder(ModelCatalog.builtIn(), sidecar);
            String prompt = "y".repeat(4000);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.build(new ModelRequest(
                    "tiny-omni", prompt, List.of(), List.of(), 200, 0, 1, Set.of())));
            assertTrue(e.getMessage().contains("context of 4096") && e.getMessage().contains("max_tokens 200"),
                    e.getMessage());
            b.build(new ModelRequest("tiny-omni", prompt, List.of(), List.of(), 50, 0, 1, Set.of())); // fits
        }
    }
}
