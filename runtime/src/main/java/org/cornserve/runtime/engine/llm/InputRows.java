package org.cornserve.runtime.engine.llm;

/**
 * Input embedding rows a chunk splices at its placeholder positions, read where they lie: a consumer handed them in
 * shared memory passes a view of the segment, so {@link LlmModel#step} copies each row once, straight into its
 * activations, with no array in between. The floats are rows of the model's hidden width, in order.
 */
public interface InputRows {
    /** Floats held. */
    int floats();

    /** Copies floats {@code [from, from + length)} into {@code dst} from {@code dstOffset}. */
    void copyTo(int from, float[] dst, int dstOffset, int length);
}
