package org.cornserve.planner.schedule.batch;

/**
 * What a planned step is made of, invocation by invocation: what a real engine needs to run it (the simulator
 * needs only the step's totals). Visiting costs O(members); a multi-iteration step is described by its first
 * iteration (the runtime plans single iterations).
 */
public interface StepVisitor {

    /** A single-pass batch holds this invocation. */
    default void batchItem(Object owner, int node) {
    }

    /** An LLM step computes prompt tokens {@code [startToken, startToken + tokens)} of this sequence. */
    default void prefillChunk(Object owner, int node, long startToken, long tokens) {
    }

    /** An LLM step decodes one token of this sequence, which has {@code contextTokens} tokens cached. */
    default void decode(Object owner, int node, long contextTokens) {
    }

    /** A diffusion step denoises this job. */
    default void diffusionJob(Object owner, int node) {
    }
}
