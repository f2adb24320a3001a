package org.cornserve.model.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cornserve.model.arch.TransformerArch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Holds data-parallel attention with expert parallelism against a closed form worked by hand on a tiny MoE and
 * device: per-GPU expert weights, the all-gather / reduce-scatter exchange over the link, and attention on 1/DP of
 * the sequences.
 */
class RooflineExpertParallelTest {

    /** hidden 64, 2 layers, 4 heads, 2 KV heads, head 16, 8 experts of width 32, 2 per token, vocab 100. */
    static final TransformerArch MOE = new TransformerArch(64, 2, 4, 2, 16, 0, 100, true, 8, 2, 32, false);
    /** 1 TFLOP/s, 100 GB/s, 10 GB/s link with 1 us steps, every efficiency 1. */
    static final RooflineDevice DEVICE = RooflineOperatorCostTest.DEVICE;
    static final RooflineEstimator.Options OPTIONS = RooflineOperatorCostTest.OPTIONS;

    static final double EXPERT_PARAMS = 3 * 64 * 32;             // one expert, one layer
    static final double PAIR_FLOPS = 4 * 2 * 4 * 16;
    static final double KV_BYTES_PER_TOKEN = 2 * 2 * 2 * 16 * 2;

    private static RooflineLlmCost cost(int tp, int dp, boolean ep) {
        return new RooflineEstimator(DEVICE, OPTIONS).llm(MOE, new LlmParallelism(tp, dp, ep));
    }

    @Test
    void dp2EpIterationMatchesTheClosedForm() {
        // 64 prefill tokens attending 2080 pairs, 6 decodes over 3000 cached tokens: T = 70 over 2 ranks of 1 GPU
        RooflineLlmCost.OperatorSeconds ops = cost(1, 2, true).operators(64, 2080, 6, 3000);
        // experts: each GPU holds 4 of the 8 experts per layer; all 70 tokens are gathered, so each of its experts
        // is touched with probability 1 - (1 - 2/8)^70; per GPU 70 x 2 / 2 routed tokens per layer
        double localTouched = 4 * (1 - Math.pow(0.75, 70));
        double perGpuExpertBytes = 2 /* layers */ * localTouched * EXPERT_PARAMS * 2 /* bf16 */;
        double perGpuExpertFlops = 2.0 * 2 /* layers */ * (70 * 2 / 2.0) * EXPERT_PARAMS;
        assertEquals(Math.max(perGpuExpertFlops / 1e12, perGpuExpertBytes / 1e11), ops.experts(), 1e-15);
        // attention on 1/DP of the sequences, on one GPU's compute and bandwidth
        assertEquals(Math.max(PAIR_FLOPS * 1500 / 1e12, KV_BYTES_PER_TOKEN * 1500 / 1e11), ops.decodeAttention(), 1e-18);
        assertEquals(Math.max(PAIR_FLOPS * 1040 / 1e12, KV_BYTES_PER_TOKEN * 1040 / 128 / 1e11), ops.prefillAttention(),
                1e-18);
        // linear layers (attention projections + router) on each rank's 35 tokens against a full weight read
        double linearParams = 2 * (12288 + 8 * 64);
        assertEquals(Math.max(2 * linearParams * 35 / 1e12, linearParams * 2 / 1e11), ops.linear(), 1e-18);
        // no tensor parallelism inside a rank: no all-reduce
        assertEquals(0, ops.allReduce());
        // exchange per layer: all-gather of 70 x (64 + 8) bf16 and reduce-scatter of 70 x 64 bf16, each ring moving
        // half its bytes over the 10 GB/s link plus one 1 us step
        double gather = 0.5 * 70 * 72 * 2 / 1e10 + 1e-6;
        double scatter = 0.5 * 70 * 64 * 2 / 1e10 + 1e-6;
        assertEquals(2 * (gather + scatter), ops.allToAll(), 1e-18);
        assertEquals(ops.linear() + ops.experts() + ops.lmHead() + ops.prefillAttention() + ops.decodeAttention()
                + ops.kvWrite() + ops.norms() + ops.allReduce() + ops.allToAll() + ops.overhead(), ops.totalSeconds(),
                1e-18);
    }

    @Test
    void expertParallelAndSlicedExpertsCostTheSameRoofline() {
        assertEquals(cost(1, 2, false).iterationSeconds(512, 131328, 40, 80000),
                cost(1, 2, true).iterationSeconds(512, 131328, 40, 80000), 1e-15);
    }

    @Test
    void withoutDataParallelismTheLayoutIsPlainTensorParallel() {
        RooflineLlmCost tp2 = new RooflineEstimator(DEVICE, OPTIONS).llm(MOE, 2);
        assertEquals(tp2.iterationSeconds(100, 5050, 7, 900), cost(2, 1, true).iterationSeconds(100, 5050, 7, 900),
                1e-18);
        assertEquals(0, cost(2, 1, true).operators(100, 5050, 7, 900).allToAll());
    }

    @ParameterizedTest
    @CsvSource({"1,2,1,100,7", "1,2,16,4000,50", "2,2,5,9000,30", "1,4,64,123456,20"})
    void decodeRunClosedFormMatchesStepping(int tp, int dp, int sequences, long context, long iterations) {
        RooflineLlmCost c = cost(tp, dp, true);
        double stepped = 0;
        long ctx = context;
        for (long i = 0; i < iterations; i++) {
            stepped += c.iterationSeconds(0, 0, sequences, ctx);
            ctx += sequences;
        }
        assertEquals(stepped, c.decodeRunSeconds(sequences, context, iterations), stepped * 1e-12);
    }

    @Test
    void dataParallelHalvesDecodeAttentionButPaysTheExchange() {
        RooflineLlmCost.OperatorSeconds one = cost(1, 1, false).operators(0, 0, 64, 1_000_000);
        RooflineLlmCost.OperatorSeconds two = cost(1, 2, true).operators(0, 0, 64, 1_000_000);
        assertEquals(one.decodeAttention() / 2, two.decodeAttention(), 1e-15);
        assertTrue(two.allToAll() > 0);
    }
}
