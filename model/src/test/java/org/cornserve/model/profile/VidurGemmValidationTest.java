package org.cornserve.model.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.hardware.Efficiency;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.hardware.HardwareCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Holds the per-operator estimate of an LLM layer's matrix multiplies against kernel times measured by others:
 * Vidur's profile of Llama-3-8B on an A100 80GB (microsoft/vidur : data/profiling/compute/a100/meta-llama/
 * Meta-Llama-3-8B/mlp.csv, repository head 7d47513): the medians of {@code attn_pre_proj} (QKV),
 * {@code attn_post_proj} (O), {@code mlp_up_proj} (gate and up) and {@code mlp_down_proj} at tensor parallel 1,
 * summed and times 32 layers. Llama-3.1-8B has the same shape. The catalog's A100 efficiencies (0.72 compute,
 * 0.77 bandwidth) were read off the same file at 2048-8192 and 1-4 tokens, and its GEMM roofline exponent (1.35) was
 * fitted to all of the file's token counts, so these points check the fit's shape: within 5% where a GEMM is clearly
 * weight- or compute-bound; near the ridge point (32 to 512 tokens) real kernels are neither, and their times jump with
 * the kernel's tiling (128 and 256 tokens are fast for their size), so the estimate is 3% fast to 19% slow there,
 * where the hard roofline {@code max(m, c)} was up to 26% fast.
 */
class VidurGemmValidationTest {

    @ParameterizedTest(name = "{0} tokens: measured {1} ms")
    @CsvSource({
        // tokens, measured ms (32 layers), tolerance
        "1, 8.832, 0.05",
        "8, 9.152, 0.05",
        "16, 9.296, 0.05",
        "32, 10.080, 0.05",
        "64, 10.368, 0.10",
        "96, 11.584, 0.10",
        "128, 12.064, 0.20",
        "192, 15.552, 0.15",
        "256, 17.728, 0.20",
        "512, 31.808, 0.15",
        "1024, 69.600, 0.10",
        "2048, 132.088, 0.05",
        "4096, 250.496, 0.05",
        "8192, 498.824, 0.05",
        "16384, 1001.064, 0.05"})
    void layerMatmulsMatchVidursA100Profile(long tokens, double measuredMs, double tolerance) {
        double ms = linearMs(HardwareCatalog.builtIn().get("a100-80gb"), tokens);
        assertEquals(measuredMs, ms, tolerance * measuredMs, "estimated " + ms + " ms");
    }

    /**
     * Near the ridge (32 to 512 tokens), the GEMM roofline is closer to the measured times than the hard one: on these
     * seven points mean absolute error 11.1% against 15.6% (on all 29 profiled token counts from 32 to 256, 8.5% against
     * 24.1%).
     */
    @Test
    void gemmRooflineIsCloserThanTheHardRooflineNearTheRidge() {
        Hardware a100 = HardwareCatalog.builtIn().get("a100-80gb");
        Hardware hard = a100.withEfficiency(new Efficiency(a100.efficiency().compute(), a100.efficiency().memoryBandwidth(),
                a100.efficiency().interconnect(), a100.efficiency().iterationOverheadMs(), Double.POSITIVE_INFINITY, "hard"),
                a100.sources());
        long[] tokens = {32, 64, 96, 128, 192, 256, 512};
        double[] measuredMs = {10.080, 10.368, 11.584, 12.064, 15.552, 17.728, 31.808};
        double soft = 0;
        double max = 0;
        for (int i = 0; i < tokens.length; i++) {
            soft += Math.abs(linearMs(a100, tokens[i]) / measuredMs[i] - 1) / tokens.length;
            max += Math.abs(linearMs(hard, tokens[i]) / measuredMs[i] - 1) / tokens.length;
        }
        assertTrue(soft < 0.12 && soft < 0.8 * max, "mean abs error: GEMM roofline " + soft + ", hard roofline " + max);
    }

    private static double linearMs(Hardware hardware, long tokens) {
        RooflineTaskCosts costs = new RooflineTaskCosts(hardware);
        RooflineLlmCost llm = (RooflineLlmCost) ((TaskCost.Llm) costs.cost(
                ModelCatalog.builtIn().unitTask("llama-3.1-8b/llm"), 1)).cost();
        return llm.operators(tokens, tokens * (tokens + 1) / 2, 0, 0).linear() * 1e3;
    }
}
