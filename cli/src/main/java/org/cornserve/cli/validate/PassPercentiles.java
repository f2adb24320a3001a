package org.cornserve.cli.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.cornserve.model.json.Json;
import org.cornserve.simulator.metrics.LatencyRecorder;
import org.cornserve.simulator.metrics.LatencyStats;

/**
 * A prediction simulated over several passes of the replayed slice ({@code simulate --repeat}, the served costs'
 * {@code prediction_passes}) read as a prediction of one replay: each latency percentile is computed pass by pass,
 * over that pass's requests as a replay's summary computes it over its own, and the median over the passes is taken.
 *
 * <p>Pooling the passes would predict a higher quantile than one replay reads. A summary's P99 is a nearest rank: of
 * one replay's 120 requests their second largest (its 119th), about the 98.4th percentile of the spread they are drawn
 * from; of eight passes pooled, the tenth largest of 960, about the 99.0th. Where the tail is steep (a demo's TPOT: its
 * largest values two or three times its second largest), the pooled value sits well above what a replay can read.
 * The median is the prediction a mean absolute error judges best.
 */
public final class PassPercentiles {
    private static final String[] PERCENTILES = {"p50", "p90", "p95", "p99"};

    private PassPercentiles() {
    }

    /** The passes a simulation ran ({@code config.json}'s {@code repeat}); 1 where it says none. */
    public static int passes(Path simulated) throws IOException {
        Path config = simulated.resolve("config.json");
        return Files.isRegularFile(config) ? Math.max(1, Json.mapper().readTree(config.toFile()).path("repeat")
                .asInt(1)) : 1;
    }

    /**
     * A simulation's {@code summary.json} as a prediction of one replay: as written where it ran one pass; else with
     * each latency's percentiles (TTFT, TPOT, end-to-end) the median over its passes of each pass's own, and {@code
     * percentiles_over_passes} saying so. Requests are taken as {@code simulate --repeat} numbers them: request
     * {@code i} of pass {@code k} is {@code k * n + i}, {@code n} the summary's requests over the passes.
     */
    public static JsonNode summary(Path simulated) throws IOException {
        ObjectNode summary = (ObjectNode) Json.mapper().readTree(simulated.resolve("summary.json").toFile());
        int passes = passes(simulated);
        if (passes == 1) {
            return summary;
        }
        long offered = summary.path("requests").asLong();
        if (offered % passes != 0) {
            throw new IllegalArgumentException(simulated.resolve("summary.json") + ": " + offered + " requests are not "
                    + passes + " passes of one slice (config.json's repeat)");
        }
        Map<Long, TailReport.Request> requests = TailReport.requests(simulated.resolve("requests.csv"));
        for (var latency : HostLoad.LATENCIES) {
            LatencyStats[] perPass = perPass(java.util.stream.LongStream.range(0, offered / passes).boxed().toList(),
                    requests, passes, offered / passes, latency.getKey(), latency.getValue());
            ObjectNode node = summary.path(latency.getKey()) instanceof ObjectNode o ? o
                    : summary.putObject(latency.getKey());
            for (String p : PERCENTILES) {
                node.put(p, median(perPass, p));
            }
        }
        summary.put("percentiles_over_passes", "the median over " + passes + " passes of each pass's own");
        return summary;
    }

    /**
     * Each pass's percentiles of one latency over the requests {@code ids} of the first pass and their twins (id
     * {@code k * perPass + id} in pass {@code k}); a request counts where it completed and counts towards the latency
     * ({@link HostLoad#counts}).
     */
    static LatencyStats[] perPass(List<Long> ids, Map<Long, TailReport.Request> requests, int passes, long perPass,
            String name, ToDoubleFunction<TailReport.Request> latency) {
        LatencyStats[] out = new LatencyStats[passes];
        for (int k = 0; k < passes; k++) {
            LatencyRecorder rec = new LatencyRecorder();
            for (long id : ids) {
                TailReport.Request r = requests.get(k * perPass + id);
                if (r != null && HostLoad.counts(name, r)) {
                    rec.recordMs(Math.max(0, latency.applyAsDouble(r)));
                }
            }
            out[k] = rec.stats();
        }
        return out;
    }

    /** The median over passes of one percentile ({@code p50}, {@code p90}, {@code p95} or {@code p99}). */
    static double median(LatencyStats[] perPass, String percentile) {
        double[] v = Arrays.stream(perPass).filter(s -> s.count() > 0).mapToDouble(s -> switch (percentile) {
            case "p50" -> s.p50();
            case "p90" -> s.p90();
            case "p95" -> s.p95();
            case "p99" -> s.p99();
            default -> throw new IllegalArgumentException("no percentile " + percentile);
        }).sorted().toArray();
        if (v.length == 0) {
            return 0;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
