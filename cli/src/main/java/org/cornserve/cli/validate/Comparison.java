package org.cornserve.cli.validate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cornserve.model.json.Json;

/**
 * Simulated against measured as rows and tables: one {@link Row} per metric of {@link #METRICS} (simulated, measured,
 * relative error, and the served percentile's distribution-free 95% interval), for one replay or several pooled,
 * and the served steps' and the host's tables beside them. Used by {@code validate}, {@code demo} and the
 * experiments that run on both engines.
 */
public final class Comparison {
    private Comparison() {
    }

    /** The summary metrics compared: throughput, then TTFT, TPOT and end-to-end latency at P50, P90 and P99. */
    public static final List<String> METRICS = List.of("throughput_rps", "ttft_ms.p50", "ttft_ms.p90", "ttft_ms.p99",
            "tpot_ms.p50", "tpot_ms.p90", "tpot_ms.p99", "e2e_ms.p50", "e2e_ms.p90", "e2e_ms.p99");

    /**
     * One metric: simulated, measured, and the relative error {@code (simulated - measured) / measured}; for a served
     * latency percentile, the distribution-free 95% interval it was pinned to by the number of served requests
     * ({@link #percentileInterval}; null where not worked out).
     */
    public record Row(String metric, double simulated, double measured, double error,
            @JsonProperty("measured_low") @JsonInclude(JsonInclude.Include.NON_NULL) Double measuredLow,
            @JsonProperty("measured_high") @JsonInclude(JsonInclude.Include.NON_NULL) Double measuredHigh) {
        public Row(String metric, double simulated, double measured, double error) {
            this(metric, simulated, measured, error, null, null);
        }

        static Row of(String metric, double simulated, double measured) {
            return new Row(metric, simulated, measured, measured == 0 ? Double.NaN : (simulated - measured) / measured);
        }

        Row withInterval(double low, double high) {
            return new Row(metric, simulated, measured, error, low, high);
        }

        /** Whether the simulated value lies within the served one's 95% interval; null without an interval. */
        @JsonProperty("within_interval")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        public Boolean withinInterval() {
            return measuredLow == null ? null : simulated >= measuredLow && simulated <= measuredHigh;
        }
    }

    /**
     * The distribution-free 95% interval of the {@code p} quantile of the population {@code sorted} (ascending, one
     * value per served request) was drawn from: the order statistics whose ranks bound a Binomial(n, p) count at
     * +-1.96 standard deviations. With 1,000 requests a P99 rests on its ten largest values, and this interval says
     * how far another replay of the same kind could put it: a served TPOT P99 of 10.27 ms had [6.38, 33.25].
     */
    static double[] percentileInterval(double[] sorted, double p) {
        int n = sorted.length;
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double sd = Math.sqrt(n * p * (1 - p));
        int lo = (int) Math.max(1, Math.floor(n * p - 1.96 * sd));
        int hi = (int) Math.min(n, Math.ceil(n * p + 1.96 * sd) + 1);
        return new double[] {sorted[lo - 1], sorted[hi - 1]};
    }

    /**
     * {@code rows} with the served latency percentiles' 95% intervals ({@link #percentileInterval}) from the served
     * replay's {@code requests.csv} (its completed requests; TPOT over those of two or more output tokens).
     */
    static List<Row> withServedIntervals(List<Row> rows, Path measuredRequests) throws IOException {
        var served = TailReport.requests(measuredRequests).values();
        java.util.Map<String, double[]> sorted = new java.util.HashMap<>();
        for (var latency : HostLoad.LATENCIES) {
            sorted.put(latency.getKey(), served.stream().filter(r -> HostLoad.counts(latency.getKey(), r))
                    .mapToDouble(latency.getValue()).sorted().toArray());
        }
        List<Row> out = new ArrayList<>();
        for (Row r : rows) {
            String[] parts = r.metric().split("\\.");
            double[] v = parts.length == 2 ? sorted.get(parts[0]) : null;
            if (v == null || v.length == 0 || !parts[1].matches("p\\d+")) {
                out.add(r);
                continue;
            }
            double[] ci = percentileInterval(v, Integer.parseInt(parts[1].substring(1)) / 100.0);
            out.add(r.withInterval(ci[0], ci[1]));
        }
        return out;
    }

    /** The rows comparing two {@code summary.json} trees. */
    public static List<Row> compare(JsonNode simulated, JsonNode measured) {
        List<Row> rows = new ArrayList<>();
        for (String m : METRICS) {
            rows.add(Row.of(m, value(simulated, m), value(measured, m)));
        }
        return rows;
    }

    public static double value(JsonNode summary, String metric) {
        JsonNode n = summary;
        for (String part : metric.split("\\.")) {
            n = n.path(part);
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException("summary has no number at " + metric);
        }
        return n.asDouble();
    }

    /**
     * The table as text; where the rows have them, the served values' 95% intervals and whether the simulated value
     * lies within.
     */
    public static String table(List<Row> rows) {
        boolean intervals = rows.stream().anyMatch(r -> r.measuredLow() != null);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-16s %12s %12s %9s%s%n", "metric",
                "simulated", "measured", "error", intervals ? String.format(Locale.ROOT, "  %-22s %s",
                        "measured 95% interval", "simulated within") : ""));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-16s %12.2f %12.2f %+8.1f%%", r.metric(), r.simulated(),
                    r.measured(), 100 * r.error()));
            if (r.measuredLow() != null) {
                sb.append(String.format(Locale.ROOT, "  %-22s %s", interval(r), r.withinInterval() ? "yes" : "no"));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** A row's served interval as text, {@code [low, high]}; empty without one. */
    static String interval(Row r) {
        return r.measuredLow() == null ? "" : String.format(Locale.ROOT, "[%.2f, %.2f]", r.measuredLow(),
                r.measuredHigh());
    }

    /**
     * The rows of one simulated run folder against one measured ({@code summary.json} each), with the served
     * percentiles' intervals from the measured {@code requests.csv}.
     */
    static List<Row> compareRuns(Path simulated, Path measured) throws IOException {
        return withServedIntervals(compare(PassPercentiles.summary(simulated),
                Json.mapper().readTree(measured.resolve("summary.json").toFile())), measured.resolve("requests.csv"));
    }

    /**
     * Several replays' rows pooled: throughput the mean of the runs' own (simulated and measured apart), each
     * latency percentile over all the runs' completed requests together (TPOT over those of two or more output
     * tokens), the measured one with its distribution-free 95% interval over the pooled requests
     * ({@link #percentileInterval}). Three replays of 1,000 requests put a P99 on its thirty largest values where one
     * puts it on ten.
     *
     * @param simulated the simulated run folders ({@code summary.json}, {@code requests.csv}), one per replay
     * @param measured the served ones, in the same order
     */
    static List<Row> pooled(List<Path> simulated, List<Path> measured) throws IOException {
        if (simulated.size() != measured.size() || simulated.isEmpty()) {
            throw new IllegalArgumentException("pooled: one simulated run per measured one, got " + simulated.size()
                    + " and " + measured.size());
        }
        List<TailReport.Request> simulatedRequests = pooledRequests(simulated);
        List<TailReport.Request> measuredRequests = pooledRequests(measured);
        List<Row> rows = new ArrayList<>();
        for (String m : METRICS) {
            String[] parts = m.split("\\.");
            if (parts.length != 2) {
                rows.add(Row.of(m, meanOf(simulated, m), meanOf(measured, m)));
                continue;
            }
            double p = Integer.parseInt(parts[1].substring(1)) / 100.0;
            double[] s = latencies(simulatedRequests, parts[0]);
            double[] v = latencies(measuredRequests, parts[0]);
            double[] ci = percentileInterval(v, p);
            rows.add(Row.of(m, percentile(s, parts[1]), percentile(v, parts[1])).withInterval(ci[0], ci[1]));
        }
        return rows;
    }

    private static double meanOf(List<Path> runs, String metric) throws IOException {
        double sum = 0;
        for (Path run : runs) {
            sum += value(Json.mapper().readTree(run.resolve("summary.json").toFile()), metric);
        }
        return sum / runs.size();
    }

    /** Every completed request of {@code runs} ({@code requests.csv} each, read once). */
    private static List<TailReport.Request> pooledRequests(List<Path> runs) throws IOException {
        List<TailReport.Request> out = new ArrayList<>();
        for (Path run : runs) {
            out.addAll(TailReport.requests(run.resolve("requests.csv")).values());
        }
        return out;
    }

    /** One latency of the requests that count towards it ({@link HostLoad#counts}), ascending. */
    private static double[] latencies(List<TailReport.Request> requests, String latency) {
        var f = HostLoad.LATENCIES.stream().filter(e -> e.getKey().equals(latency)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("no latency named " + latency)).getValue();
        return requests.stream().filter(r -> HostLoad.counts(latency, r)).mapToDouble(r -> Math.max(0,
                f.applyAsDouble(r))).sorted().toArray();
    }

    /** The {@code p50}, {@code p90} or {@code p99} of {@code values} as every summary computes it. */
    private static double percentile(double[] values, String which) {
        org.cornserve.simulator.metrics.LatencyRecorder rec = new org.cornserve.simulator.metrics.LatencyRecorder();
        for (double v : values) {
            rec.recordMs(v);
        }
        var stats = rec.stats();
        return switch (which) {
            case "p50" -> stats.p50();
            case "p90" -> stats.p90();
            case "p99" -> stats.p99();
            default -> throw new IllegalArgumentException("no percentile " + which);
        };
    }

    /**
     * The pooled rows as text ({@link #table}), with each replay's own error beside them and the measured values'
     * range over the replays.
     */
    static String pooledTable(List<Row> pooled, List<List<Row>> replays) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-16s %12s %12s %9s  %-22s %-6s  %-20s %s%n",
                "metric", "simulated", "measured", "error", "measured 95% interval", "within", "measured over runs",
                "each run's error"));
        for (int i = 0; i < pooled.size(); i++) {
            Row r = pooled.get(i);
            int row = i;
            double lo = replays.stream().mapToDouble(x -> x.get(row).measured()).min().orElse(Double.NaN);
            double hi = replays.stream().mapToDouble(x -> x.get(row).measured()).max().orElse(Double.NaN);
            String errors = String.join(" ", replays.stream().map(x -> String.format(Locale.ROOT, "%+.1f%%",
                    100 * x.get(row).error())).toList());
            sb.append(String.format(Locale.ROOT, "%-16s %12.2f %12.2f %+8.1f%%  %-22s %-6s  %-20s %s%n", r.metric(),
                    r.simulated(), r.measured(), 100 * r.error(), interval(r), r.withinInterval() == null ? ""
                            : r.withinInterval() ? "yes" : "no", String.format(Locale.ROOT, "%.2f..%.2f", lo, hi),
                    errors));
        }
        return sb.toString();
    }

    /**
     * One line per kind of served LLM step: how many, and their measured compute over the simulator's charge for the
     * same step at P50, P90 and P99 (1.0: the profile times served steps exactly; above: served steps ran slower,
     * as under CPU contention).
     */
    @SuppressWarnings("unchecked")
    static String stepsTable(Served served) {
        StringBuilder sb = new StringBuilder();
        served.steps().forEach((kind, v) -> {
            var m = (java.util.Map<String, Object>) v;
            var q = (java.util.Map<String, Double>) m.get("compute_over_simulated");
            if (q.isEmpty()) {
                return;
            }
            sb.append(String.format(Locale.ROOT, "served %-12s steps: %4d; measured compute / simulated: P50 %.2f,"
                    + " P90 %.2f, P99 %.2f%n", kind.replace('_', ' '), (Integer) m.get("steps"), q.get("p50"),
                    q.get("p90"), q.get("p99")));
            sb.append(String.format(Locale.ROOT, "  with host sharing (as simulated): P50 %s, P90 %s, P99 %s;"
                    + " ran alone (%d): P50 %s, P90 %s; overlapped (%d): P50 %s, P90 %s (x%s at P50)%n",
                    q2(m, "compute_over_simulated_shared", "p50"), q2(m, "compute_over_simulated_shared", "p90"),
                    q2(m, "compute_over_simulated_shared", "p99"), (Integer) m.get("steps_alone"),
                    q2(m, "alone_compute_over_simulated", "p50"), q2(m, "alone_compute_over_simulated", "p90"),
                    (Integer) m.get("steps_overlapped"), q2(m, "overlapped_compute_over_simulated", "p50"),
                    q2(m, "overlapped_compute_over_simulated", "p90"), m.containsKey("served_overlap_slowdown_p50")
                            ? String.format(Locale.ROOT, "%.2f", (Double) m.get("served_overlap_slowdown_p50")) : "-"));
            if (m.containsKey("steps_under_outside_load")) {
                sb.append(String.format(Locale.ROOT, "  without outside load (%d): P50 %s, P90 %s, P99 %s; under"
                        + " outside load (%d): P50 %s, P90 %s, P99 %s%n", (Integer) m.get("steps_without_outside_load"),
                        q2(m, "without_outside_load_compute_over_simulated", "p50"),
                        q2(m, "without_outside_load_compute_over_simulated", "p90"),
                        q2(m, "without_outside_load_compute_over_simulated", "p99"),
                        (Integer) m.get("steps_under_outside_load"),
                        q2(m, "under_outside_load_compute_over_simulated", "p50"),
                        q2(m, "under_outside_load_compute_over_simulated", "p90"),
                        q2(m, "under_outside_load_compute_over_simulated", "p99")));
            }
        });
        return sb.toString();
    }

    /**
     * The outside load the replay ran beside and, when it touched some requests and not others, the comparison on
     * those it did not touch ({@code quietRows}).
     */
    static String hostTable(Served served, List<Row> quietRows) {
        StringBuilder sb = new StringBuilder(served.hostLoad().line());
        if (!quietRows.isEmpty()) {
            Object n = served.hostLoad().summary().get("requests");
            long all = n instanceof Number x ? x.longValue() : 0;
            sb.append(String.format(Locale.ROOT, "on the %d requests that lived through none of it (the same ids on"
                    + " both sides):%n", all - served.hostLoad().loadedRequests().size()));
            sb.append(table(quietRows));
        }
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    private static String q2(java.util.Map<String, Object> kind, String key, String quantile) {
        var q = (java.util.Map<String, Double>) kind.get(key);
        Double v = q == null ? null : q.get(quantile);
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }
}
