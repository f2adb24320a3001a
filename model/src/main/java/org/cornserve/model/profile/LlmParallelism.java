package org.cornserve.model.profile;

/**
 * How one LLM replica spreads over its devices, as vLLM runs it: {@code dataParallel} attention ranks of
 * {@code tensorParallel} devices each ({@code --data-parallel-size}, {@code --tensor-parallel-size}), and, for a
 * mixture-of-experts model, the experts over all {@code tensorParallel x dataParallel} devices: whole experts per
 * device with {@code expertParallel} ({@code --enable-expert-parallel}), else every expert sliced over that
 * (DP x TP) tensor-parallel group, vLLM's default.
 *
 * @param tensorParallel devices of one attention rank, >= 1
 * @param dataParallel attention ranks, >= 1
 * @param expertParallel whole experts per device instead of slices of every expert
 */
public record LlmParallelism(int tensorParallel, int dataParallel, boolean expertParallel) {

    public LlmParallelism {
        if (tensorParallel < 1) {
            throw new IllegalArgumentException("tensor_parallel must be >= 1, got " + tensorParallel);
        }
        if (dataParallel < 1) {
            throw new IllegalArgumentException("data_parallel must be >= 1, got " + dataParallel);
        }
    }

    /** Plain tensor parallelism over {@code tensorParallel} devices. */
    public static LlmParallelism tensor(int tensorParallel) {
        return new LlmParallelism(tensorParallel, 1, false);
    }

    /** Devices of the replica: {@code tensorParallel x dataParallel}; the experts spread over all of them. */
    public int devices() {
        return tensorParallel * dataParallel;
    }
}
