package org.cornserve.simulator.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * How a CPU host's speed drifts within a served run, seconds at a time ({@link ServedStepCosts#windowDrift}). On a
 * shared virtual machine the engine's steps run at one pace for ten seconds and at another, 20% off it, for the next
 * ten; a prediction at the run's level is right on average and charges every request of the run alike, where served
 * the requests of a slow window all run long and those of a fast one short. So simulated time is cut into windows of
 * {@code windowSeconds}, and the LLM steps that start in a window compute at its factor times their charge: one draw
 * per window (the machine's, not a replica's), the factor of a step with a prefill and of a decode-only step at the
 * same probability of their tables (the two move together). The tables hold a served window's speed (compute over
 * charge, summed) over its run's, so their mean is about 1 and the run's level stays the prediction's.
 *
 * @param windowSeconds a window's length in seconds of simulated time, > 0
 * @param prefill the factor's quantile table (ascending, positive, at equally spaced probabilities, at least 2) of
 *     steps with a prefill
 * @param decode the same of decode-only steps
 */
public record WindowDrift(@JsonProperty("window_seconds") double windowSeconds,
        @JsonProperty("prefill") List<Double> prefill,
        @JsonProperty("decode") List<Double> decode) {

    /** The draws' stream, apart from the step excess's and the others of {@link ServedStepCosts#uniform}. */
    private static final int STREAM = 5;

    public WindowDrift {
        if (!(windowSeconds > 0) || Double.isInfinite(windowSeconds)) {
            throw new IllegalArgumentException("window drift: window_seconds must be > 0 and finite, got "
                    + windowSeconds);
        }
        prefill = table("prefill", prefill);
        decode = table("decode", decode);
    }

    private static List<Double> table(String field, List<Double> t) {
        List<Double> out = t == null ? List.of() : List.copyOf(t);
        if (out.size() < 2) {
            throw new IllegalArgumentException("window drift: " + field + " needs at least 2 quantiles, got "
                    + out.size());
        }
        for (int i = 0; i < out.size(); i++) {
            double v = out.get(i);
            if (!(v > 0) || Double.isInfinite(v) || (i > 0 && v < out.get(i - 1))) {
                throw new IllegalArgumentException("window drift: " + field + " must be positive, finite and"
                        + " ascending, got " + v + " at index " + i);
            }
        }
        return out;
    }

    /** The window a step starting at {@code nanos} of simulated time falls in. */
    public long window(long nanos) {
        return nanos <= 0 ? 0 : (long) (nanos / (windowSeconds * 1e9));
    }

    /**
     * The factor on the compute of an LLM step that starts at {@code nanos}: its window's draw (from {@code seed})
     * read from the prefill or the decode table.
     */
    public double factor(long seed, long nanos, boolean withPrefill) {
        return ServedStepCosts.quantileAt(withPrefill ? prefill : decode,
                ServedStepCosts.uniform(seed, window(nanos), 0, STREAM));
    }
}
