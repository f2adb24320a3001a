package org.cornserve.model.profile;

import org.cornserve.model.arch.TransformerArch;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.task.AudioEncoder;
import org.cornserve.model.task.Component;
import org.cornserve.model.task.DiffusionTransformer;
import org.cornserve.model.task.LanguageModel;
import org.cornserve.model.task.Talker;
import org.cornserve.model.task.UnitTask;
import org.cornserve.model.task.VaeDecoder;
import org.cornserve.model.task.VisionEncoder;
import org.cornserve.model.task.Vocoder;

/**
 * Roofline cost models for the catalog's unit tasks on a catalog hardware type: maps each component
 * kind to the {@link RooflineEstimator} query that fits its work.
 *
 * <p>Talkers with a code predictor (Qwen3-Omni) pay {@code codeGroups - 1} predictor iterations per
 * decode step on top of the talker's own. Vocoders with a transformer (Qwen2.5-Omni's token-to-mel DiT)
 * pay its flow steps over {@code framesPerCode} frames per code, then the convolutional upsampler.
 */
public final class RooflineTaskCosts {

    /** Latency of one collective step over NVLink or PCIe inside a node, assumed. */
    public static final double DEFAULT_LINK_LATENCY_SECONDS = 5e-6;

    private final Hardware hardware;
    private final RooflineEstimator estimator;

    public RooflineTaskCosts(Hardware hardware, RooflineEstimator.Options options) {
        this.hardware = hardware;
        this.estimator = new RooflineEstimator(device(hardware, DEFAULT_LINK_LATENCY_SECONDS), options);
    }

    /** Costs with the default numeric options and the hardware's own per-iteration overhead. */
    public RooflineTaskCosts(Hardware hardware) {
        this(hardware, options(hardware));
    }

    /**
     * {@link RooflineEstimator.Options#DEFAULT} with the LLM iteration overhead taken from the hardware's
     * efficiency block ({@code iteration_overhead_ms}).
     */
    public static RooflineEstimator.Options options(Hardware hardware) {
        RooflineEstimator.Options d = RooflineEstimator.Options.DEFAULT;
        return new RooflineEstimator.Options(d.bytesPerParam(), d.kvBytesPerElement(),
                hardware.efficiency().iterationOverheadMs() / 1e3, d.launchSecondsPerLayer());
    }

    /**
     * The roofline inputs of a catalog hardware type (devices without a peer link use a tenth of memory bandwidth;
     * the host link is one direction of the PCIe figure, or the peer link where the hardware gives no PCIe).
     */
    public static RooflineDevice device(Hardware hardware, double linkLatencySeconds) {
        double p2p = hardware.p2pBytesPerSecond();
        double link = p2p > 0 ? p2p : hardware.memoryBytesPerSecond() / 10;
        double host = hardware.pcieBytesPerSecond() > 0 ? hardware.pcieBytesPerSecond() / 2 : link;
        return new RooflineDevice(hardware.name(), hardware.peakFlopsPerSecond(), hardware.memoryBytes(),
                hardware.memoryBytesPerSecond(), link, linkLatencySeconds, hardware.efficiency().compute(),
                hardware.efficiency().memoryBandwidth(), hardware.efficiency().interconnect(), host,
                hardware.efficiency().gemmRooflineExponent());
    }

    public Hardware hardware() {
        return hardware;
    }

    public RooflineEstimator estimator() {
        return estimator;
    }

    /** The cost of {@code task} on one replica of {@code tensorParallel} devices of this hardware. */
    public TaskCost cost(UnitTask task, int tensorParallel) {
        return cost(task, LlmParallelism.tensor(tensorParallel));
    }

    /**
     * The cost of {@code task} on one replica laid out as {@code parallelism} says; data and expert parallelism
     * apply to an LLM only (other components are refused with more than one data-parallel rank).
     */
    public TaskCost cost(UnitTask task, LlmParallelism parallelism) {
        int tensorParallel = parallelism.tensorParallel();
        Component component = task.component();
        if (component instanceof LanguageModel llm) {
            return new TaskCost.Llm(task, tensorParallel, estimator.llm(llm.arch(), parallelism));
        }
        if (parallelism.dataParallel() > 1 || parallelism.expertParallel()) {
            throw new IllegalArgumentException("task " + task.id() + ": data_parallel and expert_parallel apply to an"
                    + " LLM only");
        }
        return switch (component) {
            case LanguageModel llm -> new TaskCost.Llm(task, tensorParallel, estimator.llm(llm.arch(), tensorParallel));
            case Talker talker -> new TaskCost.Llm(task, tensorParallel, talkerCost(talker, tensorParallel));
            case VisionEncoder vision -> new TaskCost.Batch(task, tensorParallel, estimator.encoder(vision.arch(), tensorParallel));
            case AudioEncoder audio -> new TaskCost.Batch(task, tensorParallel, estimator.encoder(audio.arch(), tensorParallel));
            case DiffusionTransformer dit -> new TaskCost.Diffusion(task, tensorParallel,
                    estimator.diffusion(dit.arch(), tensorParallel, dit.guidancePasses()));
            case Vocoder vocoder -> new TaskCost.Batch(task, tensorParallel, vocoderCost(vocoder, tensorParallel));
            case VaeDecoder vae -> new TaskCost.Batch(task, tensorParallel, vaeCost(vae, tensorParallel));
        };
    }

    private LlmCost talkerCost(Talker talker, int tp) {
        LlmCost main = estimator.llm(talker.arch(), tp);
        TransformerArch predictorArch = talker.codePredictor();
        if (predictorArch == null || talker.codeGroups() <= 1) {
            return main;
        }
        LlmCost predictor = estimator.llm(predictorArch, tp);
        int extraSteps = talker.codeGroups() - 1;
        return new LlmCost() {
            @Override
            public double iterationSeconds(long prefillTokens, long prefillContextTokens, int decodeSequences,
                    long decodeContextTokens) {
                double seconds = main.iterationSeconds(prefillTokens, prefillContextTokens, decodeSequences, decodeContextTokens);
                if (decodeSequences > 0) {
                    // each new frame's remaining code groups come from short predictor decodes over the frame
                    seconds += extraSteps * predictor.iterationSeconds(0, 0, decodeSequences,
                            (long) decodeSequences * talker.codeGroups() / 2);
                }
                return seconds;
            }

            @Override
            public long kvBytesPerToken() {
                return main.kvBytesPerToken();
            }

            @Override
            public double hostCopySeconds(long tokens) {
                return main.hostCopySeconds(tokens);
            }
        };
    }

    private BatchCost vocoderCost(Vocoder vocoder, int tp) {
        BatchCost upsample = estimator.dense(Math.max(1, vocoder.upsampler().params()), vocoder.upsamplerFlopsPerCode(),
                vocoder.upsampler().upsampleRates().size(), tp);
        if (vocoder.transformer().isEmpty()) {
            return upsample;
        }
        BatchCost flowPass = estimator.encoder(vocoder.transformer().get(), tp);
        int steps = vocoder.diffusionSteps();
        int guidance = vocoder.guidancePasses();
        // each flow step runs its guidance passes as one batch over framesPerCode mel frames per code
        return (items, codes) -> steps * flowPass.batchSeconds(items * guidance, codes * vocoder.framesPerCode() * guidance)
                + upsample.batchSeconds(items, codes);
    }

    private BatchCost vaeCost(VaeDecoder vae, int tp) {
        double flopsPerLatentPixel = vae.flops(64, 64) / (64.0 * 64.0);
        int layers = vae.dimMult().size() * (vae.numResBlocks() + 1) * 2;
        return estimator.dense(vae.params(), flopsPerLatentPixel, layers, tp);
    }
}
