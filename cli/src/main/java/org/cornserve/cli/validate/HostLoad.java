package org.cornserve.cli.validate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.cornserve.simulator.metrics.LatencyRecorder;
import org.cornserve.simulator.metrics.LatencyStats;

/**
 * The outside load a measured replay ran beside ({@link HostCpuMonitor}): a summary second by second, and which
 * requests lived through some of it (at least {@value StepRecorder#LOADED_CORES} cores outside the run, averaged over
 * the request's own lifetime, widened to {@value HostCpuMonitor#MIN_WINDOW_MS} ms). A validation prints both, and
 * compares simulated with measured once more on the requests that saw none, the same request ids on both sides: where
 * the whole table misses and that one does not, the miss is the machine's, not the model's.
 *
 * @param summary {@link HostCpuMonitor.Samples#summary} of the replay, plus {@code requests} and
 *     {@code requests_under_outside_load}
 * @param loadedRequests the replay's request ids that lived through outside load
 */
record HostLoad(Map<String, Object> summary, Set<Long> loadedRequests) {
    /** Nothing watched. */
    static final HostLoad NONE = new HostLoad(Map.of("available", false), Set.of());

    HostLoad {
        summary = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(summary));
        loadedRequests = java.util.Collections.unmodifiableSet(new TreeSet<>(loadedRequests));
    }

    /**
     * The outside load of a replay whose request times ({@code requests.csv}'s {@code arrival_ns}, from the replay's
     * start) began at {@code originNanos} on the monitor's clock and which ended at {@code endNanos}.
     */
    static HostLoad of(HostCpuMonitor.Samples host, long originNanos, long endNanos, Path requestsCsv)
            throws IOException {
        if (!host.available()) {
            return NONE;
        }
        Map<String, Object> summary = host.summary(originNanos, endNanos);
        Set<Long> loaded = new TreeSet<>();
        var requests = TailReport.requests(requestsCsv);
        requests.values().forEach(r -> {
            long from = originNanos + Math.round(r.arrivalS() * 1e9);
            double outside = host.outsideCores(from, from + Math.round(r.e2eMs() * 1e6));
            if (outside >= StepRecorder.LOADED_CORES) {
                loaded.add(r.id());
            }
        });
        summary.put("requests", requests.size());
        summary.put("requests_under_outside_load", loaded.size());
        return new HostLoad(summary, loaded);
    }

    /** One line for a person: how much outside load there was, and how many requests it touched. */
    String line() {
        if (!Boolean.TRUE.equals(summary.get("available"))) {
            return "host load outside the served run: not watched (no /proc)\n";
        }
        return String.format(Locale.ROOT, "host load outside the served run: %.2f cores on average, %.2f at most over a"
                + " second, %d of %d seconds at >= %.2f cores (hypervisor steal %.2f, at most %.2f); requests that"
                + " lived through it: %d of %d; the serving JVM collected garbage for %.0f ms (at most %.0f ms in %d ms)"
                + " and compiled for %.0f ms%n", num("outside_cores_mean"), num("outside_cores_max_second"),
                ((Number) summary.get("seconds_outside_at_least_0.25_cores")).longValue(),
                ((Number) summary.get("seconds")).longValue(), StepRecorder.LOADED_CORES, num("steal_cores_mean"),
                num("steal_cores_max_second"), summary.get("requests_under_outside_load") instanceof Number n
                        ? n.longValue() : loadedRequests.size(), ((Number) summary.get("requests")).longValue(),
                num("serving_jvm_gc_ms"), num("serving_jvm_gc_ms_max_interval"), HostCpuMonitor.PERIOD_MS,
                num("serving_jvm_jit_ms"));
    }

    private double num(String key) {
        Object v = summary.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** TTFT, TPOT and end-to-end latency of one request, as a latency table's rows take them. */
    static final List<Map.Entry<String, ToDoubleFunction<TailReport.Request>>> LATENCIES = List.of(
            Map.entry("ttft_ms", TailReport.Request::ttftMs), Map.entry("tpot_ms", TailReport.Request::tpotMs),
            Map.entry("e2e_ms", TailReport.Request::e2eMs));

    /**
     * Simulated against measured latency percentiles (P50, P90, P99) over the requests that lived through no outside
     * load, the same ids on both sides (TPOT over those of two or more output tokens); empty when every request saw
     * some or none did (the main table already says it).
     */
    List<Comparison.Row> quietRows(Path simulatedRequests, Path measuredRequests) throws IOException {
        return quietRows(simulatedRequests, measuredRequests, 1);
    }

    /**
     * As above, for a simulation of {@code passes} passes of the replayed slice back to back (ids {@code k * n + i}
     * for request {@code i} of pass {@code k}, {@code n} the slice's requests): each simulated percentile the median
     * over the passes of that pass's own over the quiet requests' twins ({@link PassPercentiles}).
     */
    List<Comparison.Row> quietRows(Path simulatedRequests, Path measuredRequests, int passes) throws IOException {
        if (loadedRequests.isEmpty()) {
            return List.of();
        }
        var simulated = TailReport.requests(simulatedRequests);
        var measured = TailReport.requests(measuredRequests);
        long offered = java.nio.file.Files.readAllLines(simulatedRequests).stream().skip(1).filter(l -> !l.isBlank())
                .count();
        if (passes < 1 || offered % passes != 0) {
            throw new IllegalArgumentException(simulatedRequests + ": " + offered + " requests are not "
                    + passes + " passes of one slice");
        }
        long perPass = offered / passes;
        List<Long> ids = measured.keySet().stream().filter(id -> !loadedRequests.contains(id) && id < perPass
                && simulated.containsKey(id))
                .sorted().toList();
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Comparison.Row> rows = new ArrayList<>();
        for (var latency : LATENCIES) {
            LatencyStats[] s = PassPercentiles.perPass(ids, simulated, passes, perPass, latency.getKey(),
                    latency.getValue());
            LatencyStats m = stats(ids, measured, latency.getKey(), latency.getValue());
            rows.add(Comparison.Row.of(latency.getKey() + ".p50", PassPercentiles.median(s, "p50"), m.p50()));
            rows.add(Comparison.Row.of(latency.getKey() + ".p90", PassPercentiles.median(s, "p90"), m.p90()));
            rows.add(Comparison.Row.of(latency.getKey() + ".p99", PassPercentiles.median(s, "p99"), m.p99()));
        }
        return rows;
    }

    private static LatencyStats stats(List<Long> ids, Map<Long, TailReport.Request> requests, String name,
            ToDoubleFunction<TailReport.Request> latency) {
        LatencyRecorder rec = new LatencyRecorder();
        for (long id : ids) {
            TailReport.Request r = requests.get(id);
            if (r != null && counts(name, r)) {
                rec.recordMs(Math.max(0, latency.applyAsDouble(r)));
            }
        }
        return rec.stats();
    }

    /** Whether a request counts towards latency {@code name}: TPOT only with two or more output tokens. */
    static boolean counts(String name, TailReport.Request r) {
        return !name.equals("tpot_ms") || r.outputTokens() > 1;
    }
}
