package org.cornserve.traces.servegen;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One client of a ServeGen workload: its arrival pattern per time window (from {@code chunk-i-trace.csv})
 * and its request-shape distributions per (longer) window (from {@code chunk-i-dataset.json}).
 *
 * @param id the client number i of {@code chunk-i-*}
 * @param windows arrival windows in time order
 * @param datasets shape distributions by window start (seconds of the day)
 */
public record ServeGenClient(int id, List<ArrivalWindow> windows, NavigableMap<Long, Dataset> datasets) {

    public ServeGenClient {
        windows = List.copyOf(windows);
        datasets = java.util.Collections.unmodifiableNavigableMap(new TreeMap<>(datasets));
    }

    /**
     * One row of {@code chunk-i-trace.csv}: from {@code startS} on, requests arrive at {@code rate} per
     * second with inter-arrival coefficient of variation {@code cv}, inter-arrival times following
     * {@code pattern} (Gamma or Weibull, with ServeGen's fitted shape and scale), or none when the
     * pattern is empty.
     */
    public record ArrivalWindow(long startS, double rate, double cv, String pattern, double shape, double scale) {

        public ArrivalWindow {
            if (!(rate >= 0) || !(cv >= 0) || Double.isInfinite(rate) || Double.isInfinite(cv)) {
                throw new IllegalArgumentException("rate and cv must be finite and >= 0, got " + rate + ", " + cv);
            }
            if (!pattern.isEmpty() && !pattern.equals("Gamma") && !pattern.equals("Weibull")) {
                throw new IllegalArgumentException("unknown arrival pattern '" + pattern + "' (Gamma, Weibull or empty)");
            }
        }

        /** True when the client sends requests in this window. */
        public boolean active() {
            return !pattern.isEmpty() && rate > 0;
        }
    }

    /**
     * The shape distributions of one dataset window: {@code text_tokens} (or {@code input_tokens}), {@code image_count},
     * {@code image_tokens} (per image), the same for audio and video, and {@code output_tokens}.
     */
    public record Dataset(Map<String, DiscreteDistribution> fields) {

        /** The fields read from dataset files. */
        public static final java.util.Set<String> USED = java.util.Set.of("text_tokens", "input_tokens", "output_tokens",
                "image_count", "image_tokens", "audio_count", "audio_tokens", "video_count", "video_tokens");

        public Dataset {
            fields = new java.util.HashMap<>(fields);
            if (!fields.containsKey("text_tokens") && fields.containsKey("input_tokens")) {
                fields.put("text_tokens", fields.get("input_tokens")); // ServeGen's language workloads
            }
            fields = Map.copyOf(fields);
            for (String f : List.of("text_tokens", "output_tokens")) {
                if (!fields.containsKey(f)) {
                    throw new IllegalArgumentException("dataset lacks the distribution " + f
                            + (f.equals("text_tokens") ? " (or input_tokens)" : ""));
                }
            }
        }

        /** The named distribution, or the constant 0 when the dataset has none. */
        public DiscreteDistribution get(String field) {
            DiscreteDistribution d = fields.get(field);
            return d != null ? d : new DiscreteDistribution(new int[] {0}, new double[] {1});
        }
    }

    /** The dataset in force at {@code timeS}: the latest starting at or before it, else the earliest. */
    public Dataset datasetAt(long timeS) {
        Map.Entry<Long, Dataset> e = datasets.floorEntry(timeS);
        if (e == null) {
            e = datasets.firstEntry();
        }
        return e == null ? null : e.getValue();
    }
}
