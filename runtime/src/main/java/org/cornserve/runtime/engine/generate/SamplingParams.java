package org.cornserve.runtime.engine.generate;

/**
 * How to pick the next token: greedy when temperature is 0, else temperature-scaled nucleus (top-p)
 * sampling from a random stream seeded per sequence.
 *
 * @param temperature 0 for greedy, else > 0
 * @param topP nucleus mass in (0, 1]
 * @param seed seed of the sequence's random stream
 */
public record SamplingParams(double temperature, double topP, long seed) {
    /**
     * The temperature of a chat request that names none (OpenAI's default): what a replayed trace is served at, so
     * the profiler samples its decode points at it too.
     */
    public static final double CHAT_DEFAULT_TEMPERATURE = 1.0;

    public SamplingParams {
        if (!(temperature >= 0) || !(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("temperature must be >= 0 and top_p in (0, 1]; got " + temperature
                    + ", " + topP);
        }
    }

    /** Greedy decoding. */
    public static SamplingParams greedy() {
        return new SamplingParams(0, 1, 0);
    }
}
