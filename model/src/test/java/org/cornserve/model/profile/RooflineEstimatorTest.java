package org.cornserve.model.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.cornserve.model.arch.TransformerArch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RooflineEstimatorTest {

    /** Llama-3.1-8B (catalog-facts.md: hidden 4096, 32 layers, 32/8 heads, head 128, MLP 14336, vocab 128256). */
    static final TransformerArch LLAMA_8B = TransformerArch.denseLlm(4096, 32, 32, 8, 128, 14336, 128256);
    /** H100 SXM: 989 TFLOP/s dense bf16, 80 GB, 3.35 TB/s, NVLink 900 GB/s (450 one way); efficiencies assumed. */
    static final RooflineDevice H100 = new RooflineDevice("h100-sxm", 989e12, 80e9, 3.35e12, 450e9, 5e-6, 0.7, 0.8, 0.8);
    /** A100 40GB: 312 TFLOP/s, 1.555 TB/s (the ceiling the measurement below is read against). */
    static final RooflineDevice A100_40 = new RooflineDevice("a100-40gb", 312e12, 40e9, 1.555e12, 300e9, 5e-6, 0.7, 0.8, 0.8);
    static final RooflineDevice A100_40_GEMM_ROOFLINE = new RooflineDevice("a100-40gb", 312e12, 40e9, 1.555e12, 300e9,
            5e-6, 0.7, 0.8, 0.8, 300e9, 1.35);

    /** A Qwen3-Omni-thinker-like MoE: 48 layers, 128 experts of 768, 8 per token (catalog-facts.md). */
    static final TransformerArch MOE = new TransformerArch(2048, 48, 32, 4, 128, 0, 152064, true, 128, 8, 768, false);

    @Test
    void llamaWeightsAreAboutEightBillionParameters() {
        assertEquals(8.03e9, LLAMA_8B.totalParams(), 0.02e9);
    }

    @Test
    void moeCountsActiveParameters() {
        // Published: 30.5B total, 3.3B active (keras-hub presets, catalog-facts.md); attention-only layers here
        // have no shared expert, so the counts land near but not on the published ones.
        assertEquals(30.5e9, MOE.totalParams(), 1.5e9);
        assertEquals(3.3e9, MOE.activeParams(), 0.5e9);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void decodeNeverBeatsReadingTheWeightsAtPeakBandwidth(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 200; trial++) {
            int heads = 1 << random.nextInt(1, 6);
            int kv = heads >> random.nextInt(0, 3);
            TransformerArch arch = TransformerArch.denseLlm(heads * 64, random.nextInt(1, 80), heads, Math.max(1, kv), 64,
                    random.nextInt(64, 30000), random.nextInt(0, 200000));
            int tp = 1 << random.nextInt(0, 4);
            int batch = random.nextInt(1, 600);
            long context = random.nextLong(0, 100000) * batch;
            double seconds = new RooflineEstimator(H100).llm(arch, tp).iterationSeconds(0, 0, batch, context);
            double inputEmbedding = (double) arch.vocabSize() * arch.hiddenSize();
            double weightBytes = (arch.totalParams() - inputEmbedding) * 2;
            double bound = weightBytes / (H100.memoryBytesPerSecond() * tp);
            assertTrue(seconds >= bound, "decode of " + arch + " at tp " + tp + " took " + seconds + " s < bound " + bound);
            double computeBound = 2.0 * arch.activeParams() * batch / (H100.peakFlopsPerSecond() * tp);
            assertTrue(seconds >= computeBound, "decode beat peak compute");
        }
    }

    @Test
    void llamaDecodeOnH100MatchesPublishedMeasurement() {
        // InferenceBench concurrency sweep (https://yobitelcomm.github.io/bench/recipes/concurrency-sweep/):
        // Llama-3.1-8B-Instruct, one H100-80GB-HBM3, vLLM 0.21.0, fp16, concurrency 1: TPOT p50 6.48 ms.
        // Chat-short prompts: take a few hundred tokens of context.
        double seconds = new RooflineEstimator(H100).llm(LLAMA_8B, 1).iterationSeconds(0, 0, 1, 300);
        assertEquals(6.48e-3, seconds, 0.2 * 6.48e-3, "estimated " + seconds * 1e3 + " ms");
    }

    @Test
    void llamaDecodeOnA100MatchesPublishedMeasurement() {
        // J. Musgrave, "vLLM throughput-latency sweep on NVIDIA A100" (https://johnmusgrave.com/p/vllm-throughput-latency-sweep-on):
        // Llama-3.1-8B-Instruct bf16, one A100 40GB, vLLM 0.23.0, 1024 input / 128 output tokens, concurrency 1:
        // about 75 tokens/s, i.e. 13.3 ms per output token. Mean context over the output: 1024 + 64.
        double seconds = new RooflineEstimator(A100_40).llm(LLAMA_8B, 1).iterationSeconds(0, 0, 1, 1088);
        assertEquals(1 / 75.0, seconds, 0.2 / 75.0, "estimated " + seconds * 1e3 + " ms");
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16})
    void decodeRunClosedFormMatchesSteppingOneIterationAtATime(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 50; trial++) {
            TransformerArch arch = random.nextBoolean() ? LLAMA_8B : MOE;
            RooflineDevice device = switch (random.nextInt(3)) {
                case 0 -> H100;
                case 1 -> A100_40;
                default -> A100_40_GEMM_ROOFLINE;  // matrix multiplies on the GEMM roofline: still a + b C per step
            };
            LlmCost cost = new RooflineEstimator(device).llm(arch, 1 << random.nextInt(0, 4));
            int batch = random.nextInt(1, 1024);
            long context = random.nextLong(0, 4000) * batch;
            long iterations = random.nextLong(1, 3000);
            double stepped = 0;
            long c = context;
            for (long i = 0; i < iterations; i++) {
                stepped += cost.iterationSeconds(0, 0, batch, c);
                c += batch;
            }
            double closed = cost.decodeRunSeconds(batch, context, iterations);
            assertEquals(stepped, closed, 1e-9 * stepped, "batch " + batch + " context " + context + " n " + iterations);
        }
    }

    @Test
    void tensorParallelismSpeedsPrefillUpButLessThanLinearly() {
        RooflineEstimator estimator = new RooflineEstimator(H100);
        double tp1 = estimator.llm(LLAMA_8B, 1).iterationSeconds(4096, 4096L * 4097 / 2, 0, 0);
        double tp2 = estimator.llm(LLAMA_8B, 2).iterationSeconds(4096, 4096L * 4097 / 2, 0, 0);
        double tp8 = estimator.llm(LLAMA_8B, 8).iterationSeconds(4096, 4096L * 4097 / 2, 0, 0);
        assertTrue(tp2 < tp1 && tp8 < tp2);
        assertTrue(tp2 > tp1 / 2 && tp8 > tp1 / 8, "all-reduce costs something");
    }

    @Test
    void moeDecodeReadsFewExpertsAtBatchOneAndAllAtLargeBatch() {
        RooflineEstimator estimator = new RooflineEstimator(H100);
        double one = estimator.weightBytesRead(MOE, 1);
        double many = estimator.weightBytesRead(MOE, 4096);
        assertTrue(one < 0.25 * MOE.totalParams() * 2, "batch 1 reads about the active weights");
        assertEquals(MOE.totalParams() * 2 - MOE.vocabSize() * (double) MOE.hiddenSize() * 2, many, 0.01 * many);
    }

    @Test
    void encoderAttentionGrowsWithTokensPerItem() {
        TransformerArch vit = TransformerArch.encoder(1280, 32, 16, 3420);
        BatchCost cost = new RooflineEstimator(H100).encoder(vit, 1);
        // same total tokens: one big image costs more attention than sixteen small ones
        assertTrue(cost.batchSeconds(1, 16384) > cost.batchSeconds(16, 16384));
        assertTrue(cost.batchSeconds(8, 8 * 1024) > cost.batchSeconds(4, 4 * 1024));
    }

    @Test
    void badInputsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RooflineEstimator(H100).llm(LLAMA_8B, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new RooflineDevice("x", 1e12, 1e9, 1e12, 1e9, 0, 1.5, 0.8, 0.8));
        assertThrows(IllegalArgumentException.class,
                () -> new RooflineEstimator(H100).encoder(LLAMA_8B, 1).batchSeconds(0, 10));
    }
}
