package org.cornserve.model.profile;

import org.cornserve.model.task.UnitTask;

/**
 * The cost model of one unit task on one replica, by the shape of its work (see
 * {@link org.cornserve.model.graph.TaskWork} for the units):
 * <ul>
 *   <li>{@link Llm}: LLMs (whole, prefill or decode phase), text encoders and talkers, timed per
 *       continuous-batching iteration;</li>
 *   <li>{@link Batch}: encoders (items x computed positions), vocoders (whole invocation: items x codec
 *       frames, every flow step included) and VAE decoders (items x latent pixels);</li>
 *   <li>{@link Diffusion}: diffusion transformers, timed per denoising step of a batch of jobs (jobs x
 *       latent tokens), guidance passes included.</li>
 * </ul>
 */
public sealed interface TaskCost permits TaskCost.Llm, TaskCost.Batch, TaskCost.Diffusion {

    UnitTask task();

    /** Tensor-parallel degree of the replica the cost is for. */
    int tensorParallel();

    record Llm(UnitTask task, int tensorParallel, LlmCost cost) implements TaskCost {}

    record Batch(UnitTask task, int tensorParallel, BatchCost cost) implements TaskCost {}

    record Diffusion(UnitTask task, int tensorParallel, DiffusionCost cost) implements TaskCost {}
}
