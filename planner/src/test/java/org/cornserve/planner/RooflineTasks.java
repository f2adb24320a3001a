package org.cornserve.planner;

import org.cornserve.model.arch.TransformerArch;
import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.DiffusionCost;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.model.profile.RooflineEstimator;

/**
 * Builds {@link PlannerTask}s whose costs come from the roofline estimator, for components described by a
 * transformer architecture (or, for convolution stacks, by parameters and FLOPs per token).
 *
 * <p>Activation memory is reserved as {@code 8 x tokens x hidden x 2 bytes} for the largest batch (an
 * allowance for the few live activation buffers of one layer, not a measured figure).
 */
public final class RooflineTasks {
    private static final double ACTIVATION_BUFFERS = 8;

    private final RooflineEstimator roofline;
    private final long maxBatchTokens;

    /**
     * @param roofline the device's roofline estimator
     * @param maxBatchTokens tokens of the largest batch an engine runs (activation allowance)
     */
    public RooflineTasks(RooflineEstimator roofline, long maxBatchTokens) {
        this.roofline = roofline;
        this.maxBatchTokens = maxBatchTokens;
    }

    private long weights(TransformerArch arch) {
        return Math.round(arch.totalParams() * roofline.options().bytesPerParam());
    }

    private long activations(TransformerArch arch) {
        return Math.round(ACTIVATION_BUFFERS * maxBatchTokens * arch.hiddenSize() * 2);
    }

    private static int maxTp(TransformerArch arch) {
        int tp = 1;
        while (arch.attentionHeads() % (tp * 2) == 0 && tp < 64) {
            tp *= 2;
        }
        return tp;
    }

    /** A modality encoder (ViT, audio encoder). */
    public PlannerTask encoder(String id, int stage, TransformerArch arch) {
        return new PlannerTask(id, TaskKind.ENCODER, stage, weights(arch), activations(arch), maxTp(arch),
                new TaskCosts() {
                    @Override
                    public BatchCost batch(int tp) {
                        return roofline.encoder(arch, tp);
                    }
                });
    }

    /** An autoregressive LLM, a talker or a prefill-only text encoder. */
    public PlannerTask autoregressive(String id, TaskKind kind, int stage, TransformerArch arch) {
        if (!kind.autoregressive()) {
            throw new IllegalArgumentException(id + ": " + kind + " is not autoregressive");
        }
        return new PlannerTask(id, kind, stage, weights(arch), activations(arch), maxTp(arch), new TaskCosts() {
            @Override
            public LlmCost llm(int tp) {
                return roofline.llm(arch, tp);
            }
        });
    }

    /** A diffusion transformer; {@code passesPerStep} 2 with classifier-free guidance. */
    public PlannerTask generator(String id, int stage, TransformerArch arch, int passesPerStep) {
        return new PlannerTask(id, TaskKind.GENERATOR, stage, weights(arch), activations(arch), maxTp(arch),
                new TaskCosts() {
                    @Override
                    public DiffusionCost diffusion(int tp) {
                        return roofline.diffusion(arch, tp, passesPerStep);
                    }
                });
    }

    /** A convolutional output decoder (vocoder, VAE decoder); tensor parallelism 1 only. */
    public PlannerTask outputDecoder(String id, int stage, double params, double flopsPerToken, int layers) {
        long weightBytes = Math.round(params * roofline.options().bytesPerParam());
        return new PlannerTask(id, TaskKind.OUTPUT_DECODER, stage, weightBytes, weightBytes, 1, new TaskCosts() {
            @Override
            public BatchCost batch(int tp) {
                return roofline.dense(params, flopsPerToken, layers, tp);
            }
        });
    }
}
