package org.cornserve.cli.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cornserve.cli.CliRun;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.json.Json;
import org.junit.jupiter.api.Test;

class CatalogCommandsTest {
    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    @Test
    void modelsTableListsEveryModelWithParamsAndWeights() {
        CliRun r = run("models");
        assertEquals(0, r.code(), r.err());
        for (String name : ModelCatalog.builtIn().names()) {
            assertTrue(r.out().contains(name), name);
        }
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("llama-3.1-8b") && l.contains("8.03B") && l.contains("16.06GB")),
                r.out());
        assertTrue(r.out().contains("vision-encoder=gemma-3-siglip"), r.out());
    }

    @Test
    void modelDetailShowsComponentsArchitectureAndSources() {
        CliRun r = run("models", "qwen3-omni-30b-a3b");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("MoE 128 experts x 768, 8 per token"), r.out());
        assertTrue(r.out().contains("30.53B parameters (published"), r.out());
        assertTrue(r.out().contains("3.30B active per token"), r.out());
        assertTrue(r.out().contains("keras-team/keras-hub"), r.out());
        assertTrue(r.out().contains("13.0 tokens per second"), r.out());
        assertTrue(r.out().contains("talker -> vocoder: audio-codes"), r.out());
    }

    @Test
    void unknownModelExitsTwoListingKnownOnes() {
        CliRun r = run("models", "gpt-4o");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("cornserve models: unknown model 'gpt-4o'; known: qwen2.5-omni-7b"), r.err());
    }

    @Test
    void jsonOutputsReadBack() {
        CliRun all = run("models", "--json");
        assertEquals(0, all.code(), all.err());
        assertEquals(ModelCatalog.builtIn().models(),
                Json.parse(all.out(), "stdout", ModelCatalog.File.class).models());
        CliRun hw = run("hardware", "--json");
        assertEquals(HardwareCatalog.builtIn().all(), Json.parse(hw.out(), "stdout", HardwareCatalog.File.class).hardware());
    }

    @Test
    void hardwareTableAndDetail() {
        CliRun r = run("hardware");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("h100-sxm") && l.contains("989") && l.contains("3.35")), r.out());
        assertTrue(r.out().contains("assumptions"), r.out());
        CliRun d = run("hardware", "h100");
        assertTrue(d.out().contains("hpctech"), d.out());
        assertTrue(d.out().contains("GEMM roofline exponent 1.2"), d.out());  // the catalog's H100 value
        CliRun bad = run("hardware", "tpu");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown hardware 'tpu'; known: a100-80gb (a100), h100-sxm (h100)"), bad.err());
    }
}
