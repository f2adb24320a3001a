package org.cornserve.model.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cornserve.model.arch.TransformerArch;
import org.junit.jupiter.api.Test;

/**
 * Holds the per-operator LLM iteration cost against sums worked by hand on a tiny model and device, so each
 * operator's FLOPs, bytes and the device rates it is charged against are pinned down.
 */
class RooflineOperatorCostTest {

    /** hidden 64, 2 layers, 4 heads, 2 KV heads, head 16, gated MLP 128, vocab 100, untied embeddings. */
    static final TransformerArch TINY = TransformerArch.denseLlm(64, 2, 4, 2, 16, 128, 100);
    /** 1 TFLOP/s, 100 GB/s, 10 GB/s link with 1 us steps, every efficiency 1. */
    static final RooflineDevice DEVICE = new RooflineDevice("tiny", 1e12, 1e9, 1e11, 1e10, 1e-6, 1, 1, 1);
    static final RooflineEstimator.Options OPTIONS = new RooflineEstimator.Options(2, 2, 1e-4, 0);

    // Per-token counts of TINY, by hand:
    // attention params per layer: Q 64*4*16 = 4096, K and V 2*64*2*16 = 4096, O 4*16*64 = 4096 -> 12288
    // MLP params per layer: 3 * 64 * 128 = 24576; linear params: 2 layers * 36864 = 73728
    static final double LINEAR_FLOPS_PER_TOKEN = 2 * 73728;
    static final double LINEAR_BYTES = 2 * 73728;
    static final double HEAD_FLOPS_PER_TOKEN = 2 * 100 * 64;
    static final double HEAD_BYTES = 2 * 100 * 64;
    static final double PAIR_FLOPS = 4 * 2 * 4 * 16;            // QK^T and AV, 2 layers, 4 heads of 16
    static final double KV_BYTES_PER_TOKEN = 2 * 2 * 2 * 16 * 2; // K and V, 2 layers, 2 heads of 16, bf16
    static final double NORM_BYTES_PER_TOKEN = 5 * 64 * 2 * 2;   // 2L+1 norms, read and write bf16

    private static RooflineLlmCost cost(TransformerArch arch, int tp) {
        return new RooflineEstimator(DEVICE, OPTIONS).llm(arch, tp);
    }

    @Test
    void mixedIterationIsTheSumOfItsOperators() {
        // 8 prefill tokens attending 36 pairs (a fresh 8-token prompt), 3 decoding sequences with 300 cached tokens
        RooflineLlmCost.OperatorSeconds ops = cost(TINY, 1).operators(8, 36, 3, 300);
        double linear = Math.max(LINEAR_FLOPS_PER_TOKEN * 11 / 1e12, LINEAR_BYTES / 1e11);  // compute-bound
        double head = Math.max(HEAD_FLOPS_PER_TOKEN * 4 / 1e12, HEAD_BYTES / 1e11);          // 3 decodes + 1 prompt
        double prefillAttention = Math.max(PAIR_FLOPS * 36 / 1e12, KV_BYTES_PER_TOKEN * 36 / 128 / 1e11);
        double decodeAttention = Math.max(PAIR_FLOPS * 300 / 1e12, KV_BYTES_PER_TOKEN * 300 / 1e11);
        double kvWrite = KV_BYTES_PER_TOKEN * 11 / 1e11;
        double norms = NORM_BYTES_PER_TOKEN * 11 / 1e11;
        assertEquals(1.622016e-6, linear, 1e-18, "the hand sum itself");
        assertEquals(linear, ops.linear(), 1e-18);
        assertEquals(0, ops.experts());
        assertEquals(head, ops.lmHead(), 1e-18);
        assertEquals(1.28e-7, ops.lmHead(), 1e-18);
        assertEquals(prefillAttention, ops.prefillAttention(), 1e-18);
        assertEquals(7.68e-7, ops.decodeAttention(), 1e-18);
        assertEquals(decodeAttention, ops.decodeAttention(), 1e-18);
        assertEquals(kvWrite, ops.kvWrite(), 1e-18);
        assertEquals(norms, ops.norms(), 1e-18);
        assertEquals(0, ops.allReduce());
        assertEquals(1e-4, ops.overhead());
        double total = linear + head + prefillAttention + decodeAttention + kvWrite + norms + 1e-4;
        assertEquals(total, ops.totalSeconds(), 1e-15);
        assertEquals(total, cost(TINY, 1).iterationSeconds(8, 36, 3, 300), 1e-15);
    }

    /**
     * On the GEMM roofline of exponent 1.5 the matrix multiplies take {@code (m^1.5 + c^1.5)^(1/1.5)}, worked by hand;
     * every other operator is as on the hard roofline.
     */
    @Test
    void matrixMultipliesOnTheGemmRooflineTakeThePowerMeanOfTheirTwoTimes() {
        RooflineDevice soft = new RooflineDevice("tiny", 1e12, 1e9, 1e11, 1e10, 1e-6, 1, 1, 1, 1e10, 1.5);
        RooflineLlmCost.OperatorSeconds hard = cost(TINY, 1).operators(8, 36, 3, 300);
        RooflineLlmCost.OperatorSeconds ops = new RooflineEstimator(soft, OPTIONS).llm(TINY, 1).operators(8, 36, 3, 300);
        double linearCompute = LINEAR_FLOPS_PER_TOKEN * 11 / 1e12;   // 1.622016e-6
        double linearMemory = LINEAR_BYTES / 1e11;                     // 1.47456e-6
        double linear = Math.pow(Math.pow(linearCompute, 1.5) + Math.pow(linearMemory, 1.5), 1 / 1.5);
        assertEquals(2.459147e-6, linear, 1e-12, "the hand sum itself");
        assertEquals(linear, ops.linear(), 1e-18);
        double head = Math.pow(Math.pow(HEAD_FLOPS_PER_TOKEN * 4 / 1e12, 1.5) + Math.pow(HEAD_BYTES / 1e11, 1.5), 1 / 1.5);
        assertEquals(head, ops.lmHead(), 1e-18);
        assertEquals(hard.decodeAttention(), ops.decodeAttention());
        assertEquals(hard.prefillAttention(), ops.prefillAttention());
        assertEquals(hard.norms(), ops.norms());
        assertEquals(hard.kvWrite(), ops.kvWrite());
        // one token: c/m = 0.1 on this device (ridge at 10 FLOP/byte), so 2.1% over the weights' streaming time
        double oneToken = new RooflineEstimator(soft, OPTIONS).llm(TINY, 1).operators(0, 0, 1, 0).linear();
        assertEquals(linearMemory * Math.pow(1 + Math.pow(0.1, 1.5), 1 / 1.5), oneToken, 1e-18);
        assertEquals(1.021, oneToken / linearMemory, 1e-3);
    }

    @Test
    void decodeKvReadsAreNotHiddenBehindPrefillMatmuls() {
        // a whole-step roofline would charge max(all FLOPs, all bytes); per operator the decode's KV reads add on top
        RooflineLlmCost c = cost(TINY, 1);
        double mixed = c.iterationSeconds(4096, 4096L * 4097 / 2, 64, 64 * 4000L) - OPTIONS.llmIterationOverheadSeconds();
        double prefillOnly = c.iterationSeconds(4096, 4096L * 4097 / 2, 0, 0) - OPTIONS.llmIterationOverheadSeconds();
        double decodeReads = KV_BYTES_PER_TOKEN * 64 * 4000 / 1e11;
        assertTrue(mixed >= prefillOnly + decodeReads, mixed + " < " + prefillOnly + " + " + decodeReads);
    }

    @Test
    void tensorParallelSplitsMatmulsButNotNormsAndAddsAllReduces() {
        RooflineLlmCost.OperatorSeconds ops = cost(TINY, 2).operators(8, 36, 3, 300);
        assertEquals(LINEAR_FLOPS_PER_TOKEN * 11 / 2e12, ops.linear(), 1e-18);
        assertEquals(NORM_BYTES_PER_TOKEN * 11 / 1e11, ops.norms(), 1e-18, "every rank runs the norms whole");
        // two ring all-reduces per layer of 11 x 64 bf16 activations: 2(tp-1)/tp x 1408 B / 10 GB/s + 2(tp-1) x 1 us
        double oneAllReduce = 1.0 * 1408 / 1e10 + 2 * 1e-6;
        assertEquals(2 * 2 * oneAllReduce, ops.allReduce(), 1e-15);
    }

    @Test
    void moeExpertsReadOnlyTheExpertsTokensWereRoutedTo() {
        // 8 experts of 32, 2 per token, no shared expert
        TransformerArch moe = new TransformerArch(64, 2, 4, 2, 16, 0, 100, true, 8, 2, 32, false);
        RooflineLlmCost.OperatorSeconds one = cost(moe, 1).operators(0, 0, 1, 10);
        double expertParams = 3 * 64 * 32;
        // one token: 2 experts per layer touched; flops 2 x 2 layers x 2 experts x params
        double expected = Math.max(2.0 * 2 * 2 * expertParams / 1e12, 2 * 2 * expertParams * 2 / 1e11);
        assertEquals(expected, one.experts(), 1e-18);
        // linear params: attention 12288 + router 8 x 64 per layer
        assertEquals(Math.max(2.0 * 2 * (12288 + 512) / 1e12, 2 * 2 * (12288 + 512) / 1e11), one.linear(), 1e-18);
        RooflineLlmCost.OperatorSeconds many = cost(moe, 1).operators(100000, 100000, 0, 0);
        double touched = 8 * (1 - Math.pow(1 - 2.0 / 8, 100000));
        assertEquals(Math.max(2.0 * 2 * 2 * expertParams * 100000 / 1e12, 2 * touched * expertParams * 2 / 1e11),
                many.experts(), 1e-15);
    }

    @Test
    void emptyIterationCostsNothing() {
        assertEquals(0, cost(TINY, 1).iterationSeconds(0, 0, 0, 0));
        assertEquals(0, cost(TINY, 1).operators(0, 0, 0, 0).totalSeconds());
    }
}
