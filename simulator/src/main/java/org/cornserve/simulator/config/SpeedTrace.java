package org.cornserve.simulator.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The machine's speed over time, against the profile: an LLM step that starts in window {@code k} (from {@code k x
 * windowSeconds} to the next, simulated time) computes at {@code prefill[k]} (a step holding a prefill) or {@code
 * decode[k]} (a decode-only step) times its profile's charge; past the last window the last one holds. The control
 * plane's round trip is not scaled.
 *
 * <p>What it is for: a served run's engine does not run at one speed (on a shared virtual machine the same step took
 * 1.0 or 1.3 times its profile for tens of seconds at a time), and a simulation charged at one speed cannot follow it.
 * {@code cornserve validate} measures the served steps' speed window by window and simulates the replay again at it,
 * to tell the machine's drift from the model's own error. The speed comes from the judged run's steps, so that
 * simulation is a diagnosis, not a prediction.
 *
 * @param windowSeconds each window's length, > 0
 * @param prefill per window, the speed of steps holding a prefill (compute over the profile's charge), > 0
 * @param decode per window, the speed of decode-only steps, > 0; as many windows as {@code prefill}
 * @param source where the speeds were measured (free text)
 */
public record SpeedTrace(@JsonProperty("window_seconds") double windowSeconds,
        @JsonProperty("prefill") List<Double> prefill,
        @JsonProperty("decode") List<Double> decode,
        @JsonProperty("source") String source) {

    public SpeedTrace {
        prefill = prefill == null ? List.of() : List.copyOf(prefill);
        decode = decode == null ? List.of() : List.copyOf(decode);
        source = source == null ? "" : source;
        if (!(windowSeconds > 0) || Double.isInfinite(windowSeconds)) {
            throw new IllegalArgumentException("speed trace: window_seconds must be > 0, got " + windowSeconds);
        }
        if (prefill.isEmpty() || prefill.size() != decode.size()) {
            throw new IllegalArgumentException("speed trace: prefill and decode need one speed per window, the same"
                    + " number of them (got " + prefill.size() + " and " + decode.size() + ")");
        }
        check("prefill", prefill);
        check("decode", decode);
    }

    private static void check(String field, List<Double> speeds) {
        for (int i = 0; i < speeds.size(); i++) {
            double v = speeds.get(i);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("speed trace: " + field + "[" + i + "] must be > 0 and finite, got "
                        + v);
            }
        }
    }

    /** The speed of a step starting at {@code nanos} of simulated time: a prefill's or a decode's. */
    public double at(long nanos, boolean withPrefill) {
        List<Double> speeds = withPrefill ? prefill : decode;
        long k = nanos <= 0 ? 0 : (long) (nanos / (windowSeconds * 1e9));
        return speeds.get((int) Math.min(speeds.size() - 1, k));
    }
}
