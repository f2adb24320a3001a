package org.cornserve.planner;

import org.cornserve.model.arch.TransformerArch;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.DiffusionCost;
import org.cornserve.model.profile.LlmCost;
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
 * Turns catalog unit tasks into {@link PlannerTask}s costed by the roofline estimator on a catalog
 * hardware kind. The cost conventions are the simulator's ({@code RooflineTaskCosts}), so that the
 * analytic estimate and the simulator time the same work alike: encoders, LLMs, talkers and diffusion
 * transformers from their architectures; a vocoder runs its transformer (if any)
 * {@code diffusion_steps x guidance_passes} times over {@code frames_per_code} frames per code, then its
 * convolutional upsampler; a VAE decoder is a dense network of {@code flops(1, 1)} FLOPs per latent pixel.
 */
public final class CatalogTasks {
    /** Latency of one collective step over the intra-node link (assumption, as in the simulator). */
    public static final double LINK_LATENCY_SECONDS = 5e-6;
    private static final double ACTIVATION_BUFFERS = 8;
    private static final long ACTIVATION_TOKENS = 16384;

    private final Hardware hardware;
    private final RooflineEstimator roofline;

    public CatalogTasks(Hardware hardware) {
        this.hardware = hardware;
        this.roofline = new RooflineEstimator(device(hardware));
    }

    /** The roofline device of a catalog hardware entry. */
    public static RooflineDevice device(Hardware hw) {
        double link = hw.p2pBytesPerSecond() > 0 ? hw.p2pBytesPerSecond() : hw.memoryBytesPerSecond();
        return new RooflineDevice(hw.name(), hw.peakFlopsPerSecond(), hw.memoryBytes(), hw.memoryBytesPerSecond(),
                link, LINK_LATENCY_SECONDS, hw.efficiency().compute(), hw.efficiency().memoryBandwidth(),
                hw.efficiency().interconnect());
    }

    public Hardware hardware() {
        return hardware;
    }

    /** The planner's view of a whole catalog unit task at the given stage of the request path. */
    public PlannerTask task(UnitTask unit, int stage) {
        Component c = unit.component();
        String id = unit.id();
        long weights = c.weightBytes();
        long activations = c.transformer()
                .map(a -> Math.round(ACTIVATION_BUFFERS * ACTIVATION_TOKENS * a.hiddenSize() * c.bytesPerParam()))
                .orElse(weights);
        int maxTp = c.transformer().map(CatalogTasks::maxTp).orElse(1);
        return switch (c) {
            case VisionEncoder v -> new PlannerTask(id, TaskKind.ENCODER, stage, weights, activations, maxTp,
                    batch(tp -> roofline.encoder(v.arch(), tp)));
            case AudioEncoder a -> new PlannerTask(id, TaskKind.ENCODER, stage, weights, activations, maxTp,
                    batch(tp -> roofline.encoder(a.transformer().orElseThrow(), tp)));
            case LanguageModel l -> new PlannerTask(id, l.prefillOnly() ? TaskKind.TEXT_ENCODER : TaskKind.LLM, stage,
                    weights, activations, maxTp, llm(tp -> roofline.llm(l.arch(), tp)));
            case Talker t -> new PlannerTask(id, TaskKind.TALKER, stage, weights, activations, maxTp,
                    llm(tp -> roofline.llm(t.transformer().orElseThrow(), tp)));
            case DiffusionTransformer d -> new PlannerTask(id, TaskKind.GENERATOR, stage, weights, activations, maxTp,
                    new TaskCosts() {
                        @Override
                        public DiffusionCost diffusion(int tp) {
                            return roofline.diffusion(d.arch(), tp, d.guidancePasses());
                        }
                    });
            case Vocoder v -> new PlannerTask(id, TaskKind.OUTPUT_DECODER, stage, weights, activations, maxTp,
                    batch(tp -> vocoder(v, tp)));
            case VaeDecoder vae -> new PlannerTask(id, TaskKind.OUTPUT_DECODER, stage, weights, weights, 1,
                    batch(tp -> roofline.dense(vae.params(), vae.flops(1, 1),
                            vae.dimMult().size() * (vae.numResBlocks() + 1) * 2 + 4, tp)));
        };
    }

    private static int maxTp(TransformerArch arch) {
        int tp = 1;
        while (tp < 8 && arch.attentionHeads() % (tp * 2) == 0) {
            tp *= 2;
        }
        return tp;
    }

    private BatchCost vocoder(Vocoder v, int tensorParallel) {
        TransformerArch arch = v.transformer().orElse(null);
        BatchCost transformer = arch == null ? null : roofline.encoder(arch, tensorParallel);
        BatchCost upsampler = roofline.dense(Math.max(1, v.upsampler().params()), v.upsamplerFlopsPerCode(),
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

    private static TaskCosts batch(java.util.function.IntFunction<BatchCost> byTp) {
        return new TaskCosts() {
            @Override
            public BatchCost batch(int tp) {
                return byTp.apply(tp);
            }
        };
    }

    private static TaskCosts llm(java.util.function.IntFunction<LlmCost> byTp) {
        return new TaskCosts() {
            @Override
            public LlmCost llm(int tp) {
                return byTp.apply(tp);
            }
        };
    }
}
