package org.cornserve.simulator.plan;

import org.cornserve.model.arch.TransformerArch;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.RooflineDevice;
import org.cornserve.model.profile.RooflineEstimator;
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
 * Cost models of unit tasks from the roofline estimator: the component's architecture on the deployment's
 * hardware at its tensor-parallel degree. Returns a {@code BatchCost} for encoders, vocoders and VAE decoders, an
 * {@code LlmCost} for LLMs and talkers, a {@code DiffusionCost} for diffusion transformers.
 *
 * <p>Beyond what the estimator gives directly: a vocoder batch runs its transformer (if any) {@code
 * diffusion_steps x guidance_passes} times over {@code frames_per_code} frames per code, then its convolutional
 * upsampler; a VAE decoder is a dense network of {@code flops(1, 1)} FLOPs per latent pixel. The collective
 * link latency (not in the hardware catalog) is taken as 5 us per step, an assumption.
 */
public final class RooflineTaskCosts {
    /** Latency of one collective step over the intra-node link (assumption). */
    public static final double LINK_LATENCY_SECONDS = 5e-6;

    private RooflineTaskCosts() {
    }

    /** The roofline device of a catalog hardware entry. */
    public static RooflineDevice device(Hardware hw) {
        double link = hw.p2pBytesPerSecond() > 0 ? hw.p2pBytesPerSecond() : hw.memoryBytesPerSecond();
        return new RooflineDevice(hw.name(), hw.peakFlopsPerSecond(), hw.memoryBytes(), hw.memoryBytesPerSecond(),
                link, LINK_LATENCY_SECONDS, hw.efficiency().compute(), hw.efficiency().memoryBandwidth(),
                hw.efficiency().interconnect());
    }

    /** The cost model of {@code task} on one replica of {@code tensorParallel} devices of {@code hw}. */
    public static Object costOf(UnitTask task, Hardware hw, int tensorParallel) {
        RooflineEstimator estimator = new RooflineEstimator(device(hw));
        Component c = task.component();
        return switch (c) {
            case VisionEncoder v -> estimator.encoder(v.arch(), tensorParallel);
            case AudioEncoder a -> estimator.encoder(a.transformer().orElseThrow(), tensorParallel);
            case LanguageModel l -> estimator.llm(l.arch(), tensorParallel);
            case Talker t -> estimator.llm(t.transformer().orElseThrow(), tensorParallel);
            case DiffusionTransformer d -> estimator.diffusion(d.arch(), tensorParallel, d.guidancePasses());
            case Vocoder v -> vocoder(estimator, v, tensorParallel);
            case VaeDecoder vae -> estimator.dense(vae.params(), vae.flops(1, 1),
                    vae.dimMult().size() * (vae.numResBlocks() + 1) * 2 + 4, tensorParallel);
        };
    }

    private static BatchCost vocoder(RooflineEstimator estimator, Vocoder v, int tensorParallel) {
        TransformerArch arch = v.transformer().orElse(null);
        BatchCost transformer = arch == null ? null : estimator.encoder(arch, tensorParallel);
        BatchCost upsampler = estimator.dense(Math.max(1, v.upsampler().params()), v.upsamplerFlopsPerCode(),
                v.upsampler().upsampleRates().size() + 2, tensorParallel);
        int passes = v.diffusionSteps() * v.guidancePasses();
        int framesPerCode = v.framesPerCode();
        return (items, codes) -> {
            double seconds = upsampler.batchSeconds(items, codes);
            if (transformer != null) {
                seconds += passes * transformer.batchSeconds(items, codes * framesPerCode);
            }
            return seconds;
        };
    }
}
