package org.cornserve.model.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.cornserve.model.task.Component;
import org.cornserve.model.task.LanguageModel;
import org.cornserve.model.task.LlmPhase;
import org.cornserve.model.task.UnitTask;
import org.cornserve.model.task.UnitTaskKind;
import org.junit.jupiter.api.Test;

class ModelCatalogTest {
    private final ModelCatalog catalog = ModelCatalog.builtIn();

    @Test
    void everyRequiredModelIsPresent() {
        assertEquals(List.of("qwen2.5-omni-7b", "qwen3-omni-30b-a3b", "qwen2.5-vl-7b", "qwen2.5-vl-32b",
                "internvl3-38b", "gemma-3-4b", "gemma-3-12b", "gemma-3-27b", "llama-3.1-8b", "qwen3-30b-a3b",
                "qwen-image", "tiny-vl", "tiny-omni", "tiny-image"), catalog.names());
    }

    @Test
    void unknownModelListsKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> catalog.model("qwen-9000"));
        assertTrue(e.getMessage().contains("unknown model 'qwen-9000'"), e.getMessage());
        assertTrue(e.getMessage().contains("llama-3.1-8b"), e.getMessage());
    }

    private static void near(double expected, double actual, double relTol, String what) {
        double rel = Math.abs(actual - expected) / expected;
        assertTrue(rel <= relTol, what + ": expected ~" + expected + " got " + actual + " (" + rel * 100 + "% off)");
    }

    @Test
    void llamaParamsMatchThePublished8point03B() {
        // Meta's model card calls it 8B; the commonly quoted exact count is 8.03B
        near(8.03e9, catalog.model("llama-3.1-8b").params(), 0.01, "llama-3.1-8b");
    }

    @Test
    void qwen3OmniThinkerArchMatchesPublishedTotalAndActive() {
        LanguageModel thinker = catalog.model("qwen3-omni-30b-a3b").llm().orElseThrow();
        assertEquals(30_532_122_624L, thinker.params());
        near(30_532_122_624L, thinker.arch().totalParams(), 0.01, "thinker total from arch");
        // TransformerArch.activeParams leaves out the input embedding lookup (0.31B) that the 3.3B counts
        near(3.3e9, thinker.arch().activeParams() + (long) thinker.arch().vocabSize() * thinker.arch().hiddenSize(),
                0.03, "thinker active from arch (incl. embedding)");
        assertEquals(3_300_000_000L, thinker.activeParams());
    }

    @Test
    void qwen3MoeArchMatchesItsModelCard() {
        LanguageModel llm = catalog.model("qwen3-30b-a3b").llm().orElseThrow();
        // the card's 30.5B total and 3.3B activated (embedding lookup included in the latter)
        near(30.5e9, llm.arch().totalParams(), 0.01, "qwen3-30b-a3b total from arch");
        near(3.3e9, llm.arch().activeParams() + (long) llm.arch().vocabSize() * llm.arch().hiddenSize(), 0.03,
                "qwen3-30b-a3b active from arch (incl. embedding)");
        assertEquals(128, llm.arch().experts());
        assertEquals(8, llm.arch().expertsPerToken());
        assertEquals(768, llm.arch().moeIntermediateSize());
    }

    @Test
    void qwenImageDitArchMatchesPublished20B() {
        var dit = catalog.model("qwen-image").diffusionTransformer().orElseThrow();
        near(20e9, dit.computedParams(), 0.04, "qwen-image DiT");
    }

    @Test
    void familiarSizesComeOutOfTheArchitectures() {
        // sizes in the names (and well-known totals) - loose bounds that catch a wrong field
        near(7.6e9, catalog.model("qwen2.5-vl-7b").llm().orElseThrow().params(), 0.02, "Qwen2.5-7B LLM");
        near(0.675e9, catalog.model("qwen2.5-vl-7b").visionEncoder().orElseThrow().params(), 0.03, "Qwen2.5-VL ViT");
        near(32.8e9, catalog.model("qwen2.5-vl-32b").llm().orElseThrow().params(), 0.02, "Qwen2.5-32B LLM");
        near(38.4e9, catalog.model("internvl3-38b").params(), 0.03, "InternVL3-38B");
        near(4.3e9, catalog.model("gemma-3-4b").params(), 0.03, "Gemma 3 4B");
        near(12.2e9, catalog.model("gemma-3-12b").params(), 0.03, "Gemma 3 12B");
        near(27.4e9, catalog.model("gemma-3-27b").params(), 0.03, "Gemma 3 27B");
    }

    @Test
    void tinyConvolutionStacksCountTheEnginesWeights() {
        // tiny-omni vocoder as the engine builds it (biases aside): code embedding 256x64; transposed convs
        // 64x64x8, 64x32x5, 32x32x4, 32x16x3, 16x8x2; one 3-tap residual conv per stage; a 7-tap conv_post
        long vocoder = 256 * 64
                + 64 * 64 * 8 + 64 * 32 * 5 + 32 * 32 * 4 + 32 * 16 * 3 + 16 * 8 * 2
                + 3 * (64 * 64 + 32 * 32 + 32 * 32 + 16 * 16 + 8 * 8)
                + 8 * 7;
        assertEquals(vocoder, catalog.model("tiny-omni").vocoder().orElseThrow().params());
        assertEquals(960, catalog.model("tiny-omni").vocoder().orElseThrow().samplesPerCode());
        // tiny-image VAE: 3x3 convs z16->64, 64->32, 32->16, 16->16, 16->3
        long vae = 9L * (16 * 64 + 64 * 32 + 32 * 16 + 16 * 16 + 16 * 3);
        var dec = catalog.model("tiny-image").vaeDecoder().orElseThrow();
        assertEquals(vae, dec.params());
        // FLOPs of a 32x32 latent: each conv does 2 x weights MACs per output position
        double flops = 2.0 * 9 * (16 * 64 * 1024 + 64 * 32 * 4096 + 32 * 16 * 16384 + 16 * 16 * 65536 + 16 * 3 * 65536);
        assertEquals(flops, dec.flops(32, 32), 1e-6 * flops);
    }

    @Test
    void gemmaSizesShareOneVisionEncoder() {
        Set<UnitTask> tasks = catalog.distinctUnitTasks(List.of("gemma-3-4b", "gemma-3-12b", "gemma-3-27b"), false);
        assertEquals(4, tasks.size(), tasks.toString());
        long vision = tasks.stream().filter(t -> t.kind() == UnitTaskKind.ENCODER).count();
        assertEquals(1, vision);
        UnitTask v = catalog.model("gemma-3-12b").unitTask("vision-encoder");
        assertEquals("gemma-3-siglip", v.id());
        assertEquals(v, catalog.model("gemma-3-27b").unitTask("vision-encoder"));
        assertEquals(v, catalog.unitTask("gemma-3-siglip"));
        assertEquals(v, catalog.unitTask("gemma-3-4b/vision-encoder"));
    }

    @Test
    void qwenVisionEncodersAreNotSharedAcrossDifferentModels() {
        Set<UnitTask> tasks = catalog.distinctUnitTasks(List.of("qwen2.5-vl-7b", "qwen2.5-omni-7b"), false);
        assertEquals(2 + 5, tasks.size());
    }

    @Test
    void taskIdsResolveWithPhases() {
        UnitTask pre = catalog.unitTask("qwen2.5-vl-7b/llm:prefill");
        assertEquals(LlmPhase.PREFILL, pre.phase());
        assertEquals("qwen2.5-vl-7b/llm:prefill", pre.id());
        assertTrue(pre.runsPrefill() && !pre.runsDecode());
        UnitTask dec = catalog.unitTask("qwen2.5-vl-7b/llm:decode");
        assertTrue(dec.runsDecode() && !dec.runsPrefill());
        UnitTask te = catalog.unitTask("qwen-image/text-encoder");
        assertTrue(te.runsPrefill() && !te.runsDecode());
        var e = assertThrows(IllegalArgumentException.class, () -> catalog.unitTask("qwen-image/text-encoder:decode"));
        assertTrue(e.getMessage().contains("qwen-image/text-encoder"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> catalog.unitTask("qwen2.5-vl-7b/talker"));
        assertTrue(e2.getMessage().contains("qwen2.5-vl-7b/vision-encoder"), e2.getMessage());
    }

    @Test
    void builtInIsLoadedOnce() {
        assertSame(ModelCatalog.builtIn(), ModelCatalog.builtIn());
    }

    @Test
    void everyComponentHasPositiveWeights() {
        for (ModelSpec m : catalog.models()) {
            for (Component c : m.components()) {
                assertTrue(c.params() > 0 && c.weightBytes() >= c.params(), m.name() + "/" + c.id());
                assertTrue(c.activeParams() <= c.params(), m.name() + "/" + c.id());
            }
        }
    }
}
