package org.cornserve.model.profile;

import org.cornserve.model.arch.TransformerArch;

/**
 * Roofline latency of continuous-batching iterations of one LLM replica (see {@link RooflineEstimator}).
 *
 * <p>For a fixed token count the compute and memory terms are both linear in the decode context sum
 * {@code C}, so an iteration is {@code overhead + max(a1 + b1 C, a2 + b2 C)}. {@link #decodeRunSeconds}
 * sums that over a run of iterations in closed form: an arithmetic series on each side of the single
 * point where the two lines cross.
 */
final class RooflineLlmCost implements LlmCost {

    /** Flash-attention style prefill reads the prior KV once per tile of this many query tokens. */
    private static final double PREFILL_QUERY_TILE = 128;

    private final RooflineEstimator estimator;
    private final TransformerArch arch;
    private final int tensorParallel;
    private final double flopsPerSecond;
    private final double bytesPerSecond;
    private final double matmulFlopsPerToken;
    private final double pairFlops;
    private final double kvBytesPerToken;

    RooflineLlmCost(RooflineEstimator estimator, TransformerArch arch, int tensorParallel) {
        this.estimator = estimator;
        this.arch = arch;
        this.tensorParallel = tensorParallel;
        this.flopsPerSecond = estimator.device().flopsPerSecond(tensorParallel);
        this.bytesPerSecond = estimator.device().bytesPerSecond(tensorParallel);
        this.matmulFlopsPerToken = 2.0 * arch.activeParams();
        this.pairFlops = arch.attentionFlopsPerTokenPair();
        this.kvBytesPerToken = arch.kvElementsPerToken() * estimator.options().kvBytesPerElement();
    }

    @Override
    public long kvBytesPerToken() {
        return Math.round(kvBytesPerToken);
    }

    @Override
    public double iterationSeconds(long prefillTokens, long prefillContextTokens, int decodeSequences,
            long decodeContextTokens) {
        if (prefillTokens < 0 || prefillContextTokens < 0 || decodeSequences < 0 || decodeContextTokens < 0) {
            throw new IllegalArgumentException("iteration sizes must be >= 0");
        }
        long tokens = prefillTokens + decodeSequences;
        if (tokens == 0) {
            return 0;
        }
        double computeSeconds = (matmulFlopsPerToken * tokens
                + pairFlops * (prefillContextTokens + (double) decodeContextTokens)) / flopsPerSecond;
        double bytes = estimator.weightBytesRead(arch, tokens)
                + kvBytesPerToken * (decodeContextTokens + prefillContextTokens / PREFILL_QUERY_TILE + tokens);
        double memorySeconds = bytes / bytesPerSecond;
        return Math.max(computeSeconds, memorySeconds) + fixedSeconds(tokens);
    }

    private double fixedSeconds(long tokens) {
        return estimator.llmOverheadSeconds() + estimator.collectives(arch, tokens, tensorParallel);
    }

    @Override
    public double decodeRunSeconds(int decodeSequences, long decodeContextTokens, long iterations) {
        if (iterations <= 0 || decodeSequences <= 0) {
            return 0;
        }
        int b = decodeSequences;
        // compute(C) = a1 + b1 C ; memory(C) = a2 + b2 C ; C_i = C0 + b i for i in [0, n).
        double a1 = matmulFlopsPerToken * b / flopsPerSecond;
        double b1 = pairFlops / flopsPerSecond;
        double a2 = (estimator.weightBytesRead(arch, b) + kvBytesPerToken * b) / bytesPerSecond;
        double b2 = kvBytesPerToken / bytesPerSecond;
        double fixed = fixedSeconds(b) * iterations;
        return fixed + sumOfMax(a1, b1, a2, b2, decodeContextTokens, b, iterations);
    }

    /** Sum over i in [0, n) of max(a1 + b1 C_i, a2 + b2 C_i) with C_i = c0 + step i. */
    static double sumOfMax(double a1, double b1, double a2, double b2, double c0, double step, long n) {
        // d(C) = line1 - line2 is linear; find the first i where its sign differs from i = 0.
        double d0 = (a1 - a2) + (b1 - b2) * c0;
        double slope = (b1 - b2) * step;
        long switchAt = n; // first index whose max line differs from index 0's
        if (slope != 0) {
            double root = -d0 / slope; // d(i) = d0 + slope i = 0; past it the other line is the larger
            if (root > 0 && root < n) {
                switchAt = Math.min(n, (long) Math.floor(root) + 1);
            }
        }
        boolean firstIsLine1 = d0 >= 0;
        double head = firstIsLine1 ? seriesSum(a1, b1, c0, step, 0, switchAt) : seriesSum(a2, b2, c0, step, 0, switchAt);
        double tail = switchAt >= n ? 0
                : firstIsLine1 ? seriesSum(a2, b2, c0, step, switchAt, n) : seriesSum(a1, b1, c0, step, switchAt, n);
        return head + tail;
    }

    /** Sum over i in [from, to) of a + b (c0 + step i). */
    private static double seriesSum(double a, double b, double c0, double step, long from, long to) {
        long count = to - from;
        if (count <= 0) {
            return 0;
        }
        double sumOfI = (double) (from + to - 1) * count / 2.0;
        return count * (a + b * c0) + b * step * sumOfI;
    }
}
