package org.cornserve.model.profile;

import org.cornserve.model.arch.TransformerArch;

/**
 * Estimates unit-task latencies from a model's architecture and a device's roofline: each piece of work
 * takes the longer of its FLOPs over sustained compute and its bytes (weights, KV cache) over sustained
 * memory bandwidth, plus the all-reduces of tensor parallelism and fixed per-iteration or per-layer
 * overheads. LLM iterations are charged per operator and summed ({@link RooflineLlmCost}); encoder-style
 * passes as one roofline over the pass. Profiles built this way say {@link ProfileSource#ESTIMATED}.
 *
 * <p>What it counts, per forward pass over {@code T} tokens of a stack with {@code L} layers:
 * <ul>
 *   <li>FLOPs: {@code 2 x activeParams x T} for the matrix multiplies plus
 *       {@link TransformerArch#attentionFlopsPerTokenPair()} per (query, key) pair attended;</li>
 *   <li>bytes: the weights read once per pass (a MoE reads only the experts some token was routed to,
 *       in expectation {@code E(1 - (1 - k/E)^T)} per layer), KV cache read by decode attention and
 *       written for every new token;</li>
 *   <li>tensor parallelism over {@code tp} devices divides FLOPs and bytes by {@code tp} and adds two ring
 *       all-reduces per layer of {@code T x hidden} activations: {@code 2(tp-1)/tp x bytes / link} plus
 *       {@code 2(tp-1)} link latencies each.</li>
 * </ul>
 * Latencies are for the whole replica. The estimator ignores activation memory traffic, kernel
 * fusion differences and attention windowing (it counts full attention), so it is a lower-bound-like
 * estimate scaled by the device's efficiency factors; tests hold it against published measurements.
 *
 * <p>Cost: every query is O(1).
 */
public final class RooflineEstimator {

    /**
     * Engine and numeric settings of the estimate.
     *
     * @param bytesPerParam bytes per weight (2 for bf16)
     * @param kvBytesPerElement bytes per cached key or value element (2 for bf16)
     * @param llmIterationOverheadSeconds engine CPU time per LLM iteration (scheduling, sampling, launch):
     *     an assumption, 0.5 ms by default, in line with vLLM's measured per-step overhead at small batch
     * @param launchSecondsPerLayer kernel launch time per layer for passes not captured in CUDA graphs
     *     (encoders, generators, vocoders), 10 us by default
     */
    public record Options(double bytesPerParam, double kvBytesPerElement, double llmIterationOverheadSeconds,
            double launchSecondsPerLayer) {
        public static final Options DEFAULT = new Options(2, 2, 0.5e-3, 10e-6);

        public Options {
            if (!(bytesPerParam > 0) || !(kvBytesPerElement > 0) || !(llmIterationOverheadSeconds >= 0)
                    || !(launchSecondsPerLayer >= 0)) {
                throw new IllegalArgumentException("roofline options must be positive (overheads >= 0)");
            }
        }
    }

    private final RooflineDevice device;
    private final Options options;

    public RooflineEstimator(RooflineDevice device, Options options) {
        this.device = device;
        this.options = options;
    }

    public RooflineEstimator(RooflineDevice device) {
        this(device, Options.DEFAULT);
    }

    public RooflineDevice device() {
        return device;
    }

    public Options options() {
        return options;
    }

    private static void checkTp(int tensorParallel) {
        if (tensorParallel < 1) {
            throw new IllegalArgumentException("tensor-parallel degree must be >= 1, got " + tensorParallel);
        }
    }

    /** Time of one ring all-reduce of {@code bytes} over {@code tp} devices; zero when tp is 1. */
    double allReduceSeconds(double bytes, int tp) {
        if (tp <= 1) {
            return 0;
        }
        double steps = 2.0 * (tp - 1);
        return steps / tp * bytes / (device.linkBytesPerSecond() * device.linkEfficiency())
                + steps * device.linkLatencySeconds();
    }

    /**
     * Time of one ring all-gather or reduce-scatter of {@code bytes} (the whole gathered tensor) over {@code n}
     * devices: each device moves {@code (n-1)/n} of it over its link, in {@code n-1} steps; zero when n is 1.
     */
    double ringPassSeconds(double bytes, int n) {
        if (n <= 1) {
            return 0;
        }
        return (n - 1.0) / n * bytes / (device.linkBytesPerSecond() * device.linkEfficiency())
                + (n - 1) * device.linkLatencySeconds();
    }

    /** Seconds of the two all-reduces per layer for a pass over {@code tokens} tokens. */
    private double collectivesSeconds(TransformerArch arch, double tokens, int tp) {
        if (tp <= 1 || tokens <= 0) {
            return 0;
        }
        double activationBytes = tokens * arch.hiddenSize() * options.bytesPerParam();
        return 2.0 * arch.layers() * allReduceSeconds(activationBytes, tp);
    }

    /** Weight bytes one pass over {@code tokens} tokens reads (MoE: expected experts touched). */
    double weightBytesRead(TransformerArch arch, double tokens) {
        double inputEmbedding = arch.tiedEmbeddings() ? 0 : (double) arch.vocabSize() * arch.hiddenSize();
        double params = arch.totalParams() - inputEmbedding;
        if (arch.isMoe()) {
            double expertParams = (arch.gatedMlp() ? 3.0 : 2.0) * arch.hiddenSize() * arch.moeIntermediateSize();
            double touched = arch.experts() * (1 - Math.pow(1 - (double) arch.expertsPerToken() / arch.experts(),
                    Math.max(tokens, 1)));
            params -= arch.layers() * (arch.experts() - touched) * expertParams;
        }
        return params * options.bytesPerParam();
    }

    /**
     * Latency model of an autoregressive stack (LLM, talker) on {@code tensorParallel} devices, charged per
     * operator ({@link RooflineLlmCost#operators} gives the parts).
     */
    public RooflineLlmCost llm(TransformerArch arch, int tensorParallel) {
        checkTp(tensorParallel);
        return new RooflineLlmCost(this, arch, LlmParallelism.tensor(tensorParallel));
    }

    /**
     * Latency model of an autoregressive stack under data-parallel attention and, for a MoE stack, experts spread
     * over every device ({@link RooflineLlmCost} describes how).
     */
    public RooflineLlmCost llm(TransformerArch arch, LlmParallelism parallelism) {
        return new RooflineLlmCost(this, arch, parallelism);
    }

    /**
     * Latency model of a single-pass transformer encoder (ViT, audio encoder, a text encoder run once):
     * a batch of {@code items} items and {@code tokens} tokens in total, each item attending within itself.
     */
    public BatchCost encoder(TransformerArch arch, int tensorParallel) {
        checkTp(tensorParallel);
        double flopsPerSecond = device.flopsPerSecond(tensorParallel);
        double bytesPerSecond = device.bytesPerSecond(tensorParallel);
        double matmulFlopsPerToken = 2.0 * arch.activeParams();
        double pairFlops = arch.attentionFlopsPerTokenPair();
        double launch = arch.layers() * options.launchSecondsPerLayer();
        return (items, tokens) -> {
            checkBatch(items, tokens);
            double pairs = (double) tokens * tokens / items;
            double flops = matmulFlopsPerToken * tokens + pairFlops * pairs;
            double bytes = weightBytesRead(arch, tokens);
            return Math.max(flops / flopsPerSecond, bytes / bytesPerSecond)
                    + collectivesSeconds(arch, tokens, tensorParallel) + launch;
        };
    }

    /**
     * Latency model of one denoising step of a diffusion transformer; {@code passesPerStep} is 2 when
     * classifier-free guidance runs a conditional and an unconditional pass.
     */
    public DiffusionCost diffusion(TransformerArch arch, int tensorParallel, int passesPerStep) {
        if (passesPerStep < 1) {
            throw new IllegalArgumentException("passes per step must be >= 1, got " + passesPerStep);
        }
        BatchCost pass = encoder(arch, tensorParallel);
        return (jobs, latentTokens) -> {
            // Guidance passes run as one batch of passesPerStep x jobs items.
            return pass.batchSeconds(jobs * passesPerStep, latentTokens * passesPerStep);
        };
    }

    /**
     * Latency model of a non-transformer network (convolutional vocoder, VAE decoder) from its parameter
     * count and FLOPs per output token (codes, latent pixels); collectives are not modelled for these.
     */
    public BatchCost dense(double params, double flopsPerToken, int layers, int tensorParallel) {
        checkTp(tensorParallel);
        if (!(params > 0) || !(flopsPerToken > 0) || layers < 1) {
            throw new IllegalArgumentException("dense network needs params > 0, flops per token > 0 and layers >= 1");
        }
        double flopsPerSecond = device.flopsPerSecond(tensorParallel);
        double bytesPerSecond = device.bytesPerSecond(tensorParallel);
        double weightBytes = params * options.bytesPerParam();
        double launch = layers * options.launchSecondsPerLayer();
        return (items, tokens) -> {
            checkBatch(items, tokens);
            return Math.max(flopsPerToken * tokens / flopsPerSecond, weightBytes / bytesPerSecond) + launch;
        };
    }

    private static void checkBatch(int items, long tokens) {
        if (items < 1 || tokens < 0) {
            throw new IllegalArgumentException("a batch needs items >= 1 and tokens >= 0, got items=" + items
                    + " tokens=" + tokens);
        }
    }

    /** Per-iteration engine overhead used for LLM costs. */
    double llmOverheadSeconds() {
        return options.llmIterationOverheadSeconds();
    }

    double collectives(TransformerArch arch, double tokens, int tp) {
        return collectivesSeconds(arch, tokens, tp);
    }
}
