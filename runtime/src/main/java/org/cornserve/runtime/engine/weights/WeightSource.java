package org.cornserve.runtime.engine.weights;

/**
 * Where a model's tensors come from: generated from a seed, or read from files. Names follow Hugging
 * Face conventions ({@code model.layers.3.self_attn.q_proj.weight}); shapes are PyTorch's
 * ({@code [out, in]} for linear layers).
 */
public interface WeightSource {
    /** How a seeded source fills a tensor; file sources ignore it. */
    enum Init {
        /** Uniform with standard deviation 1/sqrt(fan in), fan in = last dimension (or the product after the first). */
        FAN_IN,
        /** All ones (norm scales). */
        ONES,
        /** All zeros (biases). */
        ZEROS,
        /** Uniform with standard deviation 0.02 (embeddings). */
        SMALL
    }

    /**
     * The tensor {@code name} as float32, checked to have {@code shape}.
     *
     * @throws WeightException naming the tensor, the expected and found shape and the file when it is
     *     missing or misshaped
     */
    float[] get(String name, Init init, int... shape);

    /** True when this source holds {@code name} (a seeded source holds every name). */
    boolean has(String name);

    /** Short description for logs, e.g. "seed 42" or the directory read. */
    String describe();
}
