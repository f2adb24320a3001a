package org.cornserve.model.profile;

import java.util.Arrays;
import org.cornserve.model.arch.TransformerArch;
import org.cornserve.model.hardware.Efficiency;

/**
 * Roofline latency of continuous-batching iterations of one LLM replica, charged per operator (see
 * {@link RooflineEstimator}): each operator of the forward pass takes the longer of its FLOPs over sustained
 * compute and its bytes over sustained memory bandwidth, and the iteration is the sum of the operators plus the
 * engine's per-iteration overhead. Charging the operators apart keeps a decode's KV reads from hiding behind a
 * prefill's matrix multiplies when the two share an iteration.
 *
 * <p>The operators ({@link OperatorSeconds}), for {@code P} prefill tokens whose attention spans {@code Cp}
 * (query, key) pairs, {@code B} decoding sequences with {@code Cd} cached tokens together, {@code T = P + B}:
 * <ul>
 *   <li>{@code linear}: the per-layer matrix multiplies that every token passes (Q, K, V, O, a dense MLP, a MoE
 *       router): {@code 2 x params x T} FLOPs against one read of their weights, on the device's GEMM roofline
 *       ({@link Efficiency#gemmSeconds}: measured GEMMs near the ridge point, a decode batch of about a hundred
 *       tokens, take up to a third longer than the longer of the two; so do {@code experts} and {@code lmHead});</li>
 *   <li>{@code experts} (MoE only): {@code 2 x L x k x expertParams x T} FLOPs against the weights of the
 *       experts some token was routed to, in expectation {@code E(1 - (1 - k/E)^T)} per layer;</li>
 *   <li>{@code lmHead}: the output projection over the sampled tokens only, as vLLM computes logits: one per
 *       decoding sequence plus one when the iteration prefills (ASSUMPTION: one prompt completes per iteration
 *       that prefills), against one read of the head;</li>
 *   <li>{@code prefillAttention}: {@code pairFlops x Cp} FLOPs against reading the earlier KV once per tile of
 *       {@value #PREFILL_QUERY_TILE} query tokens (flash attention);</li>
 *   <li>{@code decodeAttention}: {@code pairFlops x Cd} FLOPs against reading every cached token's KV once.
 *       Each sequence's attention is its own kernel work, but both its FLOPs and its bytes are proportional to
 *       its context, so the sum over sequences of their rooflines is the roofline of the sums;</li>
 *   <li>{@code kvWrite}: writing {@code T} tokens' keys and values;</li>
 *   <li>{@code norms}: {@code 2L + 1} RMSNorms reading and writing {@code T x hidden} activations; every
 *       tensor-parallel rank runs them whole, so they do not shrink with tp;</li>
 *   <li>{@code allReduce}: two ring all-reduces per layer of {@code T x hidden} activations under tensor
 *       parallelism;</li>
 *   <li>{@code allToAll} (MoE under data parallelism only): the exchange around every MoE layer, as vLLM's
 *       default {@code allgather_reducescatter} backend does it: dispatch all-gathers every rank's hidden states
 *       and router logits ({@code T x (hidden + E)} elements) over the {@code dp} ranks, combine reduce-scatters the
 *       experts' {@code T x hidden} outputs; each ring moves {@code (dp-1)/dp} of its bytes over a device's link
 *       with {@code dp-1} link latencies;</li>
 *   <li>{@code overhead}: the engine's per-iteration CPU time.</li>
 * </ul>
 *
 * <p>Parallelism ({@link LlmParallelism}), as vLLM runs it: with {@code dp} data-parallel attention ranks of
 * {@code tp} devices each, every operator but the experts runs on each rank over its own sequences, taken as an
 * even share: {@code T/dp} tokens, {@code Cp/dp} and {@code Cd/dp} attention pairs and cached tokens, with the
 * rank's {@code tp} devices' compute and bandwidth (ASSUMPTION: the ranks are evenly loaded; vLLM steps them in
 * lockstep, so an uneven split would cost the busiest rank's time). The experts see all {@code T} tokens
 * (gathered) spread over all {@code D = tp x dp} devices: under expert parallelism each device holds
 * {@code E/D} whole experts, computes {@code T k / D} routed tokens (ASSUMPTION: routing spreads evenly) and
 * reads the weights of its experts that some token was routed to, {@code (E/D)(1 - (1 - k/E)^T)} in expectation;
 * sliced experts (no expert parallelism) read {@code 1/D} of every touched expert, the same bytes and FLOPs, so
 * the two differ here only in layout, not in roofline time.
 *
 * <p>For pure decode every operator but decode attention is constant in {@code Cd} and decode attention is
 * proportional to it, so an iteration is exactly {@code a + b Cd}; {@link #decodeRunSeconds} sums a run of
 * iterations as an arithmetic series.
 */
public final class RooflineLlmCost implements LlmCost {

    /** Flash-attention style prefill reads the prior KV once per tile of this many query tokens. */
    static final double PREFILL_QUERY_TILE = 128;

    /**
     * The seconds of each operator of one iteration (see the class comment); {@link #totalSeconds()} is the
     * iteration's latency.
     */
    public record OperatorSeconds(double linear, double experts, double lmHead, double prefillAttention,
            double decodeAttention, double kvWrite, double norms, double allReduce, double allToAll,
            double overhead) {

        /** The operators without a data-parallel exchange. */
        public OperatorSeconds(double linear, double experts, double lmHead, double prefillAttention,
                double decodeAttention, double kvWrite, double norms, double allReduce, double overhead) {
            this(linear, experts, lmHead, prefillAttention, decodeAttention, kvWrite, norms, allReduce, 0, overhead);
        }

        /** The iteration's latency: every operator plus the overhead. */
        public double totalSeconds() {
            return linear + experts + lmHead + prefillAttention + decodeAttention + kvWrite + norms + allReduce
                    + allToAll + overhead;
        }
    }

    private final RooflineEstimator estimator;
    private final TransformerArch arch;
    private final int tensorParallel;
    private final int dataParallel;
    private final double flopsPerSecond;      // one attention rank's tp devices together
    private final double bytesPerSecond;
    private final double expertFlopsPerSecond; // all tp x dp devices together (the experts spread over them)
    private final double expertBytesPerSecond;
    private final double deviceFlopsPerSecond; // one device (operators every rank repeats)
    private final double deviceBytesPerSecond;
    private final double linearFlopsPerToken;
    private final double linearWeightBytes;
    private final double expertFlopsPerToken;
    private final double expertWeightBytes;    // one expert, all layers
    private final double headFlopsPerToken;
    private final double headWeightBytes;
    private final double pairFlops;
    private final double kvBytesPerToken;
    private final double hostCopyBytesPerSecond;
    private final double normBytesPerToken;
    private final double normFlopsPerToken;
    private final double decodeSecondsPerContextToken;
    private final double gemmRooflineExponent;
    /**
     * The context-free part {@code a} of a pure decode iteration by batch size: the simulator times every decode run
     * and bisects cut runs with it, so it is asked for millions of times with a few hundred distinct sizes.
     */
    private final CountTable decodeBaseSeconds = new CountTable(b -> b == 0 ? 0 : operators(0, 0, (int) b, 0).totalSeconds());
    /**
     * {@code linear} and {@code lmHead} by whole token count: on the GEMM roofline each costs two {@code Math.pow}
     * (about 0.1 to 0.2 us), and the simulator asks for a few thousand distinct counts millions of times.
     */
    private final CountTable linearSeconds = new CountTable(this::linearUncached);
    private final CountTable lmHeadSeconds = new CountTable(this::lmHeadUncached);

    /**
     * A function of a whole count, tabulated as counts are asked for (up to {@value #MAX_COUNT}; larger or fractional
     * counts are computed each time). The table is replaced, never mutated once published, when it grows, so readers on
     * other threads see a complete table or the previous one.
     */
    private static final class CountTable {
        static final int MAX_COUNT = 1 << 16;
        private final java.util.function.DoubleUnaryOperator compute;
        private volatile double[] known = new double[0];

        CountTable(java.util.function.DoubleUnaryOperator compute) {
            this.compute = compute;
        }

        double at(double count) {
            double[] table = known;
            int index = (int) count;
            if (index == count && index < table.length) {
                return table[index];
            }
            if (index != count || index >= MAX_COUNT) {
                return compute.applyAsDouble(count);
            }
            double[] grown = Arrays.copyOf(table, Math.min(MAX_COUNT, Math.max(index + 1, 2 * table.length)));
            for (int c = table.length; c < grown.length; c++) {
                grown[c] = compute.applyAsDouble(c);
            }
            known = grown;
            return grown[index];
        }
    }

    RooflineLlmCost(RooflineEstimator estimator, TransformerArch arch, LlmParallelism parallelism) {
        this.estimator = estimator;
        this.arch = arch;
        this.tensorParallel = parallelism.tensorParallel();
        this.dataParallel = parallelism.dataParallel();
        RooflineDevice device = estimator.device();
        double bytesPerParam = estimator.options().bytesPerParam();
        this.flopsPerSecond = device.flopsPerSecond(tensorParallel);
        this.bytesPerSecond = device.bytesPerSecond(tensorParallel);
        this.expertFlopsPerSecond = device.flopsPerSecond(parallelism.devices());
        this.expertBytesPerSecond = device.bytesPerSecond(parallelism.devices());
        this.deviceFlopsPerSecond = device.flopsPerSecond(1);
        this.deviceBytesPerSecond = device.bytesPerSecond(1);
        this.gemmRooflineExponent = device.gemmRooflineExponent();
        double mlpMatrices = arch.gatedMlp() ? 3.0 : 2.0;
        double denseMlp = mlpMatrices * arch.hiddenSize() * (double) arch.intermediateSize();
        double router = (double) arch.experts() * arch.hiddenSize();
        double linearParams = arch.layers() * (arch.attentionParamsPerLayer() + denseMlp + router);
        this.linearFlopsPerToken = 2.0 * linearParams;
        this.linearWeightBytes = linearParams * bytesPerParam;
        double expertParams = mlpMatrices * arch.hiddenSize() * (double) arch.moeIntermediateSize();
        this.expertFlopsPerToken = 2.0 * arch.layers() * arch.expertsPerToken() * expertParams;
        this.expertWeightBytes = arch.layers() * expertParams * bytesPerParam;
        double headParams = (double) arch.vocabSize() * arch.hiddenSize();
        this.headFlopsPerToken = 2.0 * headParams;
        this.headWeightBytes = headParams * bytesPerParam;
        this.pairFlops = arch.attentionFlopsPerTokenPair();
        this.kvBytesPerToken = arch.kvElementsPerToken() * estimator.options().kvBytesPerElement();
        this.hostCopyBytesPerSecond = device.hostLinkBytesPerSecond() * device.linkEfficiency() * parallelism.devices();
        double norms = 2.0 * arch.layers() + 1;
        this.normBytesPerToken = norms * arch.hiddenSize() * bytesPerParam * 2; // read and write
        this.normFlopsPerToken = norms * arch.hiddenSize() * 4.0;              // square, sum, scale, weight
        this.decodeSecondsPerContextToken = Math.max(pairFlops / dataParallel / flopsPerSecond,
                kvBytesPerToken / dataParallel / bytesPerSecond);
    }

    /** KV bytes per token over the replica's host links together (one direction, at the link efficiency). */
    @Override
    public double hostCopySeconds(long tokens) {
        return kvBytesPerToken * tokens / hostCopyBytesPerSecond;
    }

    @Override
    public long kvBytesPerToken() {
        return Math.round(kvBytesPerToken);
    }

    @Override
    public double iterationSeconds(long prefillTokens, long prefillContextTokens, int decodeSequences,
            long decodeContextTokens) {
        if (prefillTokens + decodeSequences == 0) {
            check(prefillTokens, prefillContextTokens, decodeSequences, decodeContextTokens);
            return 0;
        }
        return operators(prefillTokens, prefillContextTokens, decodeSequences, decodeContextTokens).totalSeconds();
    }

    private static void check(long prefillTokens, long prefillContextTokens, int decodeSequences, long decodeContextTokens) {
        if (prefillTokens < 0 || prefillContextTokens < 0 || decodeSequences < 0 || decodeContextTokens < 0) {
            throw new IllegalArgumentException("iteration sizes must be >= 0");
        }
    }

    /** The per-operator seconds of one iteration (all zero for an empty iteration). */
    public OperatorSeconds operators(long prefillTokens, long prefillContextTokens, int decodeSequences,
            long decodeContextTokens) {
        check(prefillTokens, prefillContextTokens, decodeSequences, decodeContextTokens);
        double tokens = prefillTokens + (double) decodeSequences;
        if (tokens == 0) {
            return new OperatorSeconds(0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        double sampled = decodeSequences + (prefillTokens > 0 ? 1 : 0);
        double dp = dataParallel;
        double rankTokens = tokens / dp;   // each attention rank's even share
        double linear = linearSeconds.at(tokens);
        double experts = arch.isMoe() ? gemm(expertFlopsPerToken * tokens / expertFlopsPerSecond,
                expertWeightBytes * expertsTouched(tokens) / expertBytesPerSecond) : 0;
        double lmHead = lmHeadSeconds.at(sampled);
        double prefillAttention = roofline(pairFlops * prefillContextTokens / dp,
                kvBytesPerToken * prefillContextTokens / dp / PREFILL_QUERY_TILE);
        double decodeAttention = roofline(pairFlops * decodeContextTokens / dp,
                kvBytesPerToken * decodeContextTokens / dp);
        double kvWrite = kvBytesPerToken * rankTokens / bytesPerSecond;
        double norms = Math.max(normFlopsPerToken * rankTokens / deviceFlopsPerSecond,
                normBytesPerToken * rankTokens / deviceBytesPerSecond);
        double allReduce = estimator.collectives(arch, rankTokens, tensorParallel);
        return new OperatorSeconds(linear, experts, lmHead, prefillAttention, decodeAttention, kvWrite, norms,
                allReduce, allToAllSeconds(tokens), estimator.llmOverheadSeconds());
    }

    /**
     * The data-parallel exchange around the MoE layers of one iteration over {@code tokens} tokens (all ranks
     * together); 0 without data parallelism or experts. See the class comment.
     */
    public double allToAllSeconds(double tokens) {
        if (dataParallel <= 1 || !arch.isMoe() || tokens <= 0) {
            return 0;
        }
        double bytesPerElement = estimator.options().bytesPerParam();
        double dispatchBytes = tokens * ((double) arch.hiddenSize() + arch.experts()) * bytesPerElement;
        double combineBytes = tokens * (double) arch.hiddenSize() * bytesPerElement;
        return arch.layers() * (estimator.ringPassSeconds(dispatchBytes, dataParallel)
                + estimator.ringPassSeconds(combineBytes, dataParallel));
    }

    /** Expected experts per layer that some of {@code tokens} tokens is routed to. */
    private double expertsTouched(double tokens) {
        return arch.experts() * (1 - Math.pow(1 - (double) arch.expertsPerToken() / arch.experts(), Math.max(tokens, 1)));
    }

    private double linearUncached(double tokens) {
        return gemm(linearFlopsPerToken * tokens / dataParallel / flopsPerSecond, linearWeightBytes / bytesPerSecond);
    }

    private double lmHeadUncached(double sampled) {
        return gemm(headFlopsPerToken * sampled / dataParallel / flopsPerSecond, headWeightBytes / bytesPerSecond);
    }

    /** A matrix multiply on the device's GEMM roofline ({@link Efficiency#gemmSeconds}). */
    private double gemm(double computeSeconds, double memorySeconds) {
        return Efficiency.gemmSeconds(memorySeconds, computeSeconds, gemmRooflineExponent);
    }

    private double roofline(double flops, double bytes) {
        return Math.max(flops / flopsPerSecond, bytes / bytesPerSecond);
    }

    @Override
    public double decodeRunSeconds(int decodeSequences, long decodeContextTokens, long iterations) {
        if (iterations <= 0 || decodeSequences <= 0) {
            return 0;
        }
        // iteration i costs a + b C_i with C_i = C0 + B i: decode attention is the only operator that depends on C
        double a = decodeBaseSeconds(decodeSequences);
        double n = iterations;
        double sumOfContexts = n * decodeContextTokens + (double) decodeSequences * n * (n - 1) / 2.0;
        return n * a + decodeSecondsPerContextToken * sumOfContexts;
    }

    /** {@code a}: the seconds of a decode iteration of {@code sequences} sequences over no context. */
    private double decodeBaseSeconds(int sequences) {
        return decodeBaseSeconds.at(sequences);
    }
}
