package org.cornserve.planner.schedule.batch;

/**
 * What a planned step is made of, invocation by invocation: what a real engine needs to run it (the simulator
 * needs only the step's totals). Visiting costs O(members); a multi-iteration step is described by its first
 * iteration (the runtime plans single iterations). LLM members come with a sequence id, stable while the sequence
 * is queued or running, by which the engine reports the sequences that ended ({@link SequenceEnds}); the
 * overloads without the id are called by default from those with it.
 */
public interface StepVisitor {

    /** A single-pass batch holds this invocation. */
    default void batchItem(Object owner, int node) {
    }

    /** An LLM step computes prompt tokens {@code [startToken, startToken + tokens)} of this sequence. */
    default void prefillChunk(Object owner, int node, long startToken, long tokens) {
    }

    /** An LLM step computes prompt tokens {@code [startToken, startToken + tokens)} of sequence {@code sequence}. */
    default void prefillChunk(Object owner, int node, int sequence, long startToken, long tokens) {
        prefillChunk(owner, node, startToken, tokens);
    }

    /** An LLM step decodes one token of this sequence, which has {@code contextTokens} tokens cached. */
    default void decode(Object owner, int node, long contextTokens) {
    }

    /** An LLM step decodes one token of sequence {@code sequence}, which has {@code contextTokens} tokens cached. */
    default void decode(Object owner, int node, int sequence, long contextTokens) {
        decode(owner, node, contextTokens);
    }

    /** A diffusion step denoises this job. */
    default void diffusionJob(Object owner, int node) {
    }
}
