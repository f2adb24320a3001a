package org.cornserve.model.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.json.Json;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.jgrapht.alg.cycle.CycleDetector;
import org.junit.jupiter.api.Test;

class CompositeTaskTest {
    private final ModelCatalog catalog = ModelCatalog.builtIn();

    private RequestGraph graph(String model, RequestShape shape, boolean split) {
        return new CompositeTask(catalog.model(model)).requestGraph(shape, split);
    }

    private static Set<String> names(RequestGraph g) {
        return g.nodes().stream().map(TaskNode::name).collect(Collectors.toSet());
    }

    @Test
    void textOnlyRequestOnOmniTouchesOnlyTheThinker() {
        RequestGraph g = graph("qwen2.5-omni-7b", RequestShape.text(100, 20), false);
        assertEquals(Set.of("input", "llm", "output"), names(g));
        assertEquals(List.of("input"), g.predecessors("llm"));
        Flow out = g.outFlows("llm").get(0);
        assertEquals(FlowKind.TEXT_TOKENS, out.kind());
        assertEquals(20 * 4, out.bytes());
    }

    @Test
    void imageAddsTheVisionEncoderWithEmbeddingBytes() {
        RequestShape shape = new RequestShape(50, List.of(MediaItem.imagePixels(448, 448)), 10, null);
        RequestGraph g = graph("qwen2.5-vl-7b", shape, false);
        assertEquals(Set.of("input", "vision-encoder", "llm", "output"), names(g));
        Flow emb = g.inFlows("llm").stream().filter(f -> f.kind() == FlowKind.EMBEDDINGS).findFirst().orElseThrow();
        // 256 tokens x 3584 wide x 2 bytes
        assertEquals(256L * 3584 * 2, emb.bytes());
        TaskNode v = g.node("vision-encoder");
        assertEquals(new TaskWork(1, 1024, 256, 1), v.work());
        // pixel patches: 1024 patches x 3 x 2 x 14 x 14 values x 2 bytes
        assertEquals(1024L * 3 * 2 * 14 * 14 * 2, g.inFlows("vision-encoder").get(0).bytes());
        assertEquals(new TaskWork(1, 50 + 256, 10, 1), g.node("llm").work());
        assertEquals("qwen2.5-vl-7b/vision-encoder", v.taskId());
    }

    @Test
    void speechOutputAddsTalkerAndVocoder() {
        RequestShape shape = new RequestShape(30, List.of(MediaItem.audioSeconds(2)), 30,
                Set.of(Modality.TEXT, Modality.AUDIO));
        RequestGraph g = graph("qwen2.5-omni-7b", shape, false);
        assertEquals(Set.of("input", "audio-encoder", "llm", "talker", "vocoder", "output"), names(g));
        // 30 text tokens at 3 tokens/s = 10 s of speech at 50 codes/s
        assertEquals(500, g.node("talker").work().outputTokens());
        assertEquals(500L * 480, g.node("vocoder").work().outputTokens());
        assertEquals(10, g.node("vocoder").work().steps());
        assertEquals(Set.of("llm", "vocoder"), Set.copyOf(g.predecessors("output")));
        Flow hidden = g.inFlows("talker").get(0);
        assertEquals(FlowKind.HIDDEN_STATES, hidden.kind());
        assertEquals(2L * (30 + 50 + 30) * 3584 * 2, hidden.bytes());
        // audio-only answer: no text flow out, the talker still follows the thinker
        RequestGraph speechOnly = graph("qwen2.5-omni-7b",
                new RequestShape(30, List.of(), 30, Set.of(Modality.AUDIO)), false);
        assertEquals(List.of("vocoder"), speechOnly.predecessors("output"));
    }

    @Test
    void splitLlmHasKvCacheFlow() {
        RequestGraph g = graph("llama-3.1-8b", RequestShape.text(1000, 50), true);
        assertEquals(Set.of("input", "llm:prefill", "llm:decode", "output"), names(g));
        Flow kv = g.outFlows("llm:prefill").get(0);
        assertEquals(FlowKind.KV_CACHE, kv.kind());
        // 2 (K,V) x 32 layers x 8 kv heads x 128 x 2 bytes = 131072 bytes per token
        assertEquals(1000L * 131072, kv.bytes());
        assertEquals(1, g.node("llm:prefill").work().outputTokens());
        assertEquals(49, g.node("llm:decode").work().outputTokens());
        assertEquals("llama-3.1-8b/llm:decode", g.node("llm:decode").taskId());
    }

    @Test
    void imageGenerationChain() {
        RequestGraph g = graph("qwen-image", new RequestShape(2000, List.of(), 0, Set.of(Modality.IMAGE)), false);
        assertEquals(List.of("input", "text-encoder", "diffusion-transformer", "vae-decoder", "output"),
                g.nodes().stream().map(TaskNode::name).toList());
        // the text encoder takes at most 1024 tokens
        assertEquals(1024, g.node("text-encoder").work().inputTokens());
        assertEquals(new TaskWork(1, 1024, 4096, 50), g.node("diffusion-transformer").work());
        assertEquals(1024L * 1024 * 3, g.inFlows("output").get(0).bytes());
        var e = assertThrows(IllegalArgumentException.class, () -> graph("qwen-image", RequestShape.text(10, 10), false));
        assertTrue(e.getMessage().contains("cannot output text"), e.getMessage());
    }

    @Test
    void gemmaNodesUseTheSharedEncoderId() {
        RequestShape shape = new RequestShape(10, List.of(MediaItem.imageTokens(256)), 5, null);
        assertEquals("gemma-3-siglip", graph("gemma-3-27b", shape, false).node("vision-encoder").taskId());
        // the encoder computes 4096 patches for its 256 tokens
        assertEquals(4096, graph("gemma-3-4b", shape, false).node("vision-encoder").work().inputTokens());
    }

    @Test
    void randomShapesGiveValidDagsAndRoundTripThroughJson() {
        Random rnd = new Random(2024);
        List<String> models = List.of("qwen2.5-omni-7b", "qwen3-omni-30b-a3b", "qwen2.5-vl-7b", "internvl3-38b",
                "gemma-3-4b", "llama-3.1-8b", "tiny-omni", "tiny-vl");
        for (int i = 0; i < 200; i++) {
            ModelSpec m = catalog.model(models.get(rnd.nextInt(models.size())));
            List<MediaItem> media = new java.util.ArrayList<>();
            for (Modality mod : m.inputModalities()) {
                if (mod != Modality.TEXT && rnd.nextBoolean()) {
                    media.add(switch (mod) {
                        case IMAGE -> MediaItem.imagePixels(28 + rnd.nextInt(2000), 28 + rnd.nextInt(2000));
                        case AUDIO -> MediaItem.audioSeconds(rnd.nextDouble() * 30);
                        case VIDEO -> new MediaItem(Modality.VIDEO, 0, 0, 0, 0, 1 + rnd.nextInt(16));
                        default -> throw new AssertionError();
                    });
                }
            }
            Set<Modality> out = m.outputModalities().contains(Modality.AUDIO) && rnd.nextBoolean()
                    ? Set.of(Modality.TEXT, Modality.AUDIO) : Set.of(Modality.TEXT);
            RequestShape shape = new RequestShape(rnd.nextInt(500), media, 1 + rnd.nextInt(300), out);
            boolean split = rnd.nextBoolean();
            RequestGraph g = new CompositeTask(m).requestGraph(shape, split);
            assertFalse(new CycleDetector<>(g.graph()).detectCycles());
            assertEquals("input", g.nodes().get(0).name());
            assertEquals(m.promptTokens(shape), g.node(split ? "llm:prefill" : "llm").work().inputTokens());
            assertEquals(shape.has(Modality.IMAGE) || shape.has(Modality.VIDEO), g.contains("vision-encoder"));
            assertEquals(shape.has(Modality.AUDIO), g.contains("audio-encoder"));
            assertEquals(shape.wants(Modality.AUDIO), g.contains("talker"));
            for (TaskNode n : g.taskNodes()) {
                assertFalse(g.predecessors(n.name()).isEmpty(), n.name() + " has an input");
                assertFalse(g.successors(n.name()).isEmpty(), n.name() + " feeds something");
            }
            RequestGraph back = Json.parse(Json.write(g), "graph", RequestGraph.class);
            assertEquals(g, back);
            assertEquals(g.flows(), back.flows());
        }
    }

    @Test
    void structureCoversEveryComponent() {
        for (ModelSpec m : catalog.models()) {
            RequestGraph g = new CompositeTask(m).structure(false);
            assertEquals(m.components().size(), g.taskNodes().size(), m.name());
            RequestGraph split = new CompositeTask(m).structure(true);
            assertEquals(m.components().size() + (m.llm().isPresent() ? 1 : 0), split.taskNodes().size(), m.name());
        }
    }

    @Test
    void badGraphJsonIsRejected() {
        String json = "{\"model\":\"x\",\"nodes\":[{\"name\":\"input\",\"role\":\"input\"},{\"name\":\"output\",\"role\":\"output\"}],"
                + "\"flows\":[{\"source\":\"input\",\"target\":\"nowhere\",\"kind\":\"text-tokens\",\"elements\":1,\"bytes\":4}]}";
        var e = assertThrows(org.cornserve.model.json.JsonFileException.class, () -> Json.parse(json, "g.json", RequestGraph.class));
        assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
        String cyc = "{\"model\":\"x\",\"nodes\":[{\"name\":\"a\",\"role\":\"input\"},{\"name\":\"b\",\"role\":\"output\"}],"
                + "\"flows\":[{\"source\":\"a\",\"target\":\"b\",\"kind\":\"text-tokens\",\"elements\":1,\"bytes\":4},"
                + "{\"source\":\"b\",\"target\":\"a\",\"kind\":\"text-tokens\",\"elements\":1,\"bytes\":4}]}";
        var c = assertThrows(org.cornserve.model.json.JsonFileException.class, () -> Json.parse(cyc, "g.json", RequestGraph.class));
        assertTrue(c.getMessage().contains("cycle"), c.getMessage());
    }
}
