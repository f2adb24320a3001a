package org.cornserve.model.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.HardwareCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Holds the per-operator estimate of an LLM layer's matrix multiplies against kernel times measured by others:
 * Vidur's profile of Llama-3-8B on an A100 80GB (microsoft/vidur : data/profiling/compute/a100/meta-llama/
 * Meta-Llama-3-8B/mlp.csv, repository head 7d47513): the medians of {@code attn_pre_proj} (QKV),
 * {@code attn_post_proj} (O), {@code mlp_up_proj} (gate and up) and {@code mlp_down_proj} at tensor parallel 1,
 * summed and times 32 layers. Llama-3.1-8B has the same shape. The catalog's A100 efficiencies (0.72 compute,
 * 0.77 bandwidth) were read off the same file at 2048-8192 and 1-4 tokens, so the points in between test the
 * roofline's shape, not the fit: it is within 5% where a GEMM is clearly weight- or compute-bound and up to 26%
 * fast near the ridge point (32 to 256 tokens), where real kernels are neither.
 */
class VidurGemmValidationTest {

    @ParameterizedTest(name = "{0} tokens: measured {1} ms")
    @CsvSource({
        // tokens, measured ms (32 layers), tolerance
        "1, 8.832, 0.05",
        "8, 9.152, 0.05",
        "16, 9.296, 0.05",
        "128, 12.064, 0.30",
        "512, 31.808, 0.05",
        "1024, 69.600, 0.10",
        "2048, 132.088, 0.05",
        "4096, 250.496, 0.05",
        "8192, 498.824, 0.05",
        "16384, 1001.064, 0.05"})
    void layerMatmulsMatchVidursA100Profile(long tokens, double measuredMs, double tolerance) {
        RooflineTaskCosts costs = new RooflineTaskCosts(HardwareCatalog.builtIn().get("a100-80gb"));
        RooflineLlmCost llm = (RooflineLlmCost) ((TaskCost.Llm) costs.cost(
                ModelCatalog.builtIn().unitTask("llama-3.1-8b/llm"), 1)).cost();
        double ms = llm.operators(tokens, tokens * (tokens + 1) / 2, 0, 0).linear() * 1e3;
        assertEquals(measuredMs, ms, tolerance * measuredMs, "estimated " + ms + " ms");
    }
}
