package org.cornserve.planner;

import org.cornserve.model.profile.BatchCost;
import org.cornserve.model.profile.DiffusionCost;
import org.cornserve.model.profile.LlmCost;

/**
 * The latency models of one unit task at each tensor-parallel degree, from profiles or the roofline
 * estimator. A task answers only the method that fits its {@link TaskKind}; the others throw.
 */
public interface TaskCosts {
    /** Iteration latency of an autoregressive task on {@code tensorParallel} devices. */
    default LlmCost llm(int tensorParallel) {
        throw new UnsupportedOperationException("not an autoregressive task");
    }

    /** Batch latency of an encoder or output decoder on {@code tensorParallel} devices. */
    default BatchCost batch(int tensorParallel) {
        throw new UnsupportedOperationException("not a batched task");
    }

    /** Denoising-step latency of a generator on {@code tensorParallel} devices. */
    default DiffusionCost diffusion(int tensorParallel) {
        throw new UnsupportedOperationException("not a generator");
    }
}
