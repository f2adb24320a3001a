package org.cornserve.model.profile;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.task.UnitTask;

/**
 * Builds estimated profiles of a catalog model on a catalog hardware type: the roofline cost of every
 * unit task (the LLM whole, plus its prefill and decode phases for split deployments) sampled on the
 * {@link ProfileSampler} grid at each tensor-parallel degree that fits the architecture.
 */
public final class ProfileEstimates {
    private ProfileEstimates() {}

    /**
     * @param model catalog model
     * @param hardware catalog hardware
     * @param tensorParallelDegrees degrees to estimate; a degree that does not divide a stack's attention
     *     heads is skipped for that task (it cannot be sharded that way)
     */
    public static ProfileSet estimate(ModelSpec model, Hardware hardware, List<Integer> tensorParallelDegrees,
            ProfileSampler sampler, RooflineEstimator.Options options) {
        RooflineTaskCosts costs = new RooflineTaskCosts(hardware, options);
        String note = "roofline estimate on " + hardware.name() + " (efficiency: compute "
                + hardware.efficiency().compute() + ", memory " + hardware.efficiency().memoryBandwidth()
                + ", interconnect " + hardware.efficiency().interconnect() + "; " + hardware.efficiency().note() + ")";
        List<Profile> profiles = new ArrayList<>();
        List<UnitTask> tasks = new ArrayList<>(model.unitTasks(false));
        for (UnitTask split : model.unitTasks(true)) {
            if (!tasks.contains(split)) {
                tasks.add(split);
            }
        }
        for (UnitTask task : tasks) {
            for (int tp : tensorParallelDegrees) {
                if (!shardable(task, tp)) {
                    continue;
                }
                TaskCost cost = costs.cost(task, tp);
                profiles.add(switch (cost) {
                    case TaskCost.Llm llm -> sampler.llm(task.id(), hardware.name(), tp, ProfileSource.ESTIMATED, note,
                            llm.cost(), options.llmIterationOverheadSeconds() * 1e3);
                    case TaskCost.Batch batch -> sampler.batch(task.id(), hardware.name(), tp, ProfileSource.ESTIMATED,
                            note, batch.cost());
                    case TaskCost.Diffusion diffusion -> sampler.diffusion(task.id(), hardware.name(), tp,
                            ProfileSource.ESTIMATED, note, diffusion.cost());
                });
            }
        }
        return new ProfileSet(model.name(), hardware.name(), profiles);
    }

    /** True when {@code tp} shards the task's transformer heads evenly (always true for tp 1). */
    public static boolean shardable(UnitTask task, int tp) {
        if (tp <= 1) {
            return true;
        }
        return task.component().transformer().map(a -> a.attentionHeads() % tp == 0).orElse(true);
    }
}
