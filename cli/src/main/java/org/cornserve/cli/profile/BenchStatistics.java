package org.cornserve.cli.profile;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Latency statistics over a run's requests as vLLM's {@code bench serve} computes them: {@code mean}, {@code median}
 * and {@code pNN} (numpy's default linear interpolation between order statistics) of TTFT, TPOT (time per output
 * token after the first: {@code (latency - ttft) / (output_len - 1)}, requests with one output token left out) and
 * E2EL (end-to-end latency), in milliseconds, plus {@code request_throughput} (completed requests over the
 * benchmark's duration, per second).
 */
public final class BenchStatistics {
    private BenchStatistics() {}

    /** The statistic keys understood: {@code (mean|median|pNN)_(ttft|tpot|e2el)_ms} and {@code request_throughput}. */
    public static final String KNOWN = "(mean|median|pNN)_(ttft|tpot|e2el)_ms, request_throughput";

    private static final Pattern KEY = Pattern.compile("(mean|median|p(\\d+(?:\\.\\d+)?))_(ttft|tpot|e2el)_ms");

    /** True for a key this class can compute. */
    public static boolean known(String key) {
        return key.equals("request_throughput") || KEY.matcher(key).matches();
    }

    /**
     * The statistic {@code key} of per-request latencies.
     *
     * @param ttftMs time to first token per request
     * @param tpotMs time per output token per request (NaN where undefined, left out)
     * @param e2eMs end-to-end latency per request
     * @param durationSeconds first send to last completion
     */
    public static double compute(String key, double[] ttftMs, double[] tpotMs, double[] e2eMs, double durationSeconds) {
        if (key.equals("request_throughput")) {
            return ttftMs.length / durationSeconds;
        }
        Matcher m = KEY.matcher(key);
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown statistic " + key + " (known: " + KNOWN + ")");
        }
        double[] values = switch (m.group(3)) {
            case "ttft" -> ttftMs;
            case "tpot" -> tpotMs;
            default -> e2eMs;
        };
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return switch (m.group(1)) {
            case "mean" -> Arrays.stream(v).average().orElseThrow();
            case "median" -> percentile(v, 50);
            default -> percentile(v, Double.parseDouble(m.group(2)));
        };
    }

    /** All {@code keys} at once. */
    public static Map<String, Double> compute(Iterable<String> keys, double[] ttftMs, double[] tpotMs, double[] e2eMs,
            double durationSeconds) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String k : keys) {
            out.put(k, compute(k, ttftMs, tpotMs, e2eMs, durationSeconds));
        }
        return out;
    }

    /** numpy's {@code percentile(values, q)} with linear interpolation; {@code sorted} ascending, non-empty. */
    static double percentile(double[] sorted, double q) {
        if (!(q >= 0 && q <= 100)) {
            throw new IllegalArgumentException("percentile must be in [0, 100], got " + q);
        }
        double rank = q / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }
}
