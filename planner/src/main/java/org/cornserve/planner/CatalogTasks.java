package org.cornserve.planner;

import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.DiffusionCost;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.model.profile.ProfileEstimates;
import org.cornserve.model.profile.RooflineTaskCosts;
import org.cornserve.model.profile.TaskCost;
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
 * Turns catalog unit tasks into {@link PlannerTask}s costed by the model module's
 * {@link RooflineTaskCosts} on a catalog hardware kind, the same cost models the simulator uses, so that
 * the analytic estimate and the simulator time the same work alike.
 *
 * <p>Activation memory is reserved as {@code 8 x 16384 tokens x hidden x bytes per param} for transformer
 * components (an allowance for the live buffers of the largest batch, not a measured figure) and as the
 * weight size for convolution stacks.
 */
public final class CatalogTasks {
    private static final double ACTIVATION_BUFFERS = 8;
    private static final long ACTIVATION_TOKENS = 16384;

    private final RooflineTaskCosts costs;
    private final org.cornserve.model.profile.ProfileBook profiles;

    public CatalogTasks(Hardware hardware) {
        this(hardware, org.cornserve.model.profile.ProfileBook.EMPTY);
    }

    /** Costs from {@code profiles} (measured, say) where one is given for a task and degree, else the roofline. */
    public CatalogTasks(Hardware hardware, org.cornserve.model.profile.ProfileBook profiles) {
        this.costs = new RooflineTaskCosts(hardware);
        this.profiles = profiles;
    }

    private java.util.Optional<org.cornserve.model.profile.Profile> profile(UnitTask unit, int tp) {
        return profiles.find(unit.id(), costs.hardware().name(), tp);
    }

    public Hardware hardware() {
        return costs.hardware();
    }

    /** The planner's view of a whole catalog unit task at the given stage of the request path. */
    public PlannerTask task(UnitTask unit, int stage) {
        Component c = unit.component();
        long weights = c.weightBytes();
        long activations = c.transformer()
                .map(a -> Math.round(ACTIVATION_BUFFERS * ACTIVATION_TOKENS * a.hiddenSize() * c.bytesPerParam()))
                .orElse(weights);
        int maxTp = 1;
        // the largest power of two up to 8 that shards the stack's heads; single devices for convolution stacks
        while (c.transformer().isPresent() && maxTp < 8 && ProfileEstimates.shardable(unit, maxTp * 2)) {
            maxTp *= 2;
        }
        TaskKind kind = switch (c) {
            case VisionEncoder v -> TaskKind.ENCODER;
            case AudioEncoder a -> TaskKind.ENCODER;
            case LanguageModel l -> l.prefillOnly() ? TaskKind.TEXT_ENCODER : TaskKind.LLM;
            case Talker t -> TaskKind.TALKER;
            case DiffusionTransformer d -> TaskKind.GENERATOR;
            case Vocoder v -> TaskKind.OUTPUT_DECODER;
            case VaeDecoder v -> TaskKind.OUTPUT_DECODER;
        };
        return new PlannerTask(unit.id(), kind, stage, weights, activations, maxTp, new TaskCosts() {
            @Override
            public LlmCost llm(int tp) {
                LlmCost roofline = ((TaskCost.Llm) costs.cost(unit, tp)).cost();
                return profile(unit, tp).map(p -> org.cornserve.model.profile.ProfileCosts.llm(p, roofline, null))
                        .orElse(roofline);
            }

            @Override
            public BatchCost batch(int tp) {
                BatchCost roofline = ((TaskCost.Batch) costs.cost(unit, tp)).cost();
                return profile(unit, tp).map(p -> org.cornserve.model.profile.ProfileCosts.batch(p, roofline, null))
                        .orElse(roofline);
            }

            @Override
            public DiffusionCost diffusion(int tp) {
                DiffusionCost roofline = ((TaskCost.Diffusion) costs.cost(unit, tp)).cost();
                return profile(unit, tp).map(p -> org.cornserve.model.profile.ProfileCosts.diffusion(p, roofline, null))
                        .orElse(roofline);
            }
        });
    }

}
