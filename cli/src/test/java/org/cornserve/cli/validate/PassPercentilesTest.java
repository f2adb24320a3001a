package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PassPercentilesTest {
    @TempDir
    Path tmp;

    /** A simulation folder of {@code passes} passes: ttft[k][i], tpot and e2e derived from it; request 3 rejected in pass 1. */
    private Path simulation(int passes, double[][] ttft, boolean rejectOne) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("sim-" + passes + "-" + ttft[0].length + "-" + rejectOne));
        int n = ttft[0].length;
        StringBuilder csv = new StringBuilder("request_id,status,arrival_ns,ttft_ms,tpot_ms,e2e_ms,input_tokens,"
                + "output_tokens\n");
        for (int k = 0; k < passes; k++) {
            for (int i = 0; i < n; i++) {
                boolean rejected = rejectOne && k == 1 && i == 3;
                double t = ttft[k][i];
                csv.append(k * n + i).append(rejected ? ",rejected," : ",completed,").append(i * 1_000_000L)
                        .append(',').append(t).append(',').append(t / 10).append(',').append(t * 2)
                        .append(",50,").append(i % 4 == 0 ? 1 : 10).append('\n');
            }
        }
        Files.writeString(dir.resolve("requests.csv"), csv);
        Files.writeString(dir.resolve("config.json"), "{\"repeat\": " + passes + "}");
        Files.writeString(dir.resolve("summary.json"), "{\"requests\": " + passes * n + ", \"throughput_rps\": 3.5,"
                + " \"ttft_ms\": {\"mean\": 7, \"p50\": -1, \"p90\": -1, \"p95\": -1, \"p99\": -1},"
                + " \"tpot_ms\": {\"p50\": -1}, \"e2e_ms\": {\"p99\": -1}}");
        return dir;
    }

    /** Nearest rank, as HdrHistogram reads a percentile: the smallest value with at least p of the values at or below. */
    private static double nearestRank(double[] values, double p) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[Math.max(1, (int) Math.ceil(p * v.length)) - 1];
    }

    @Test
    void aPercentileIsTheMedianOverThePassesOfEachPasssOwnNotThePooledOne() throws Exception {
        // five requests, three passes: one request's TTFT 100, 50 and 10 ms by pass, the others 1 to 4
        double[][] ttft = {{1, 2, 3, 4, 100}, {1, 2, 3, 4, 50}, {1, 2, 3, 4, 10}};
        JsonNode s = PassPercentiles.summary(simulation(3, ttft, false));
        // each pass's P99 is its largest (100, 50, 10): the median 50, where the fifteen pooled give 100
        assertEquals(50, s.path("ttft_ms").path("p99").asDouble(), 0.05);
        assertEquals(3, s.path("ttft_ms").path("p50").asDouble(), 0.01);
        assertEquals(100, s.path("e2e_ms").path("p99").asDouble(), 0.1);
        // TPOT over the requests of two or more output tokens (ids 1 to 3 of each pass): P50 0.3, P99 0.4
        assertEquals(0.3, s.path("tpot_ms").path("p50").asDouble(), 1e-3);
        assertEquals(0.4, s.path("tpot_ms").path("p99").asDouble(), 1e-3);
        // what is not a latency percentile stays as the simulation wrote it
        assertEquals(7, s.path("ttft_ms").path("mean").asDouble());
        assertEquals(3.5, s.path("throughput_rps").asDouble());
        assertTrue(s.path("percentiles_over_passes").asText().contains("3 passes"), s.toString());
    }

    @Test
    void oneWrittenPassIsReadAsWritten() throws Exception {
        Path dir = simulation(1, new double[][] {{1, 2, 3}}, false);
        JsonNode s = PassPercentiles.summary(dir);
        assertEquals(-1, s.path("ttft_ms").path("p99").asDouble(), "one pass: the summary as written");
        assertFalse(s.has("percentiles_over_passes"));
        Files.delete(dir.resolve("config.json"));
        assertEquals(1, PassPercentiles.passes(dir), "no config.json: one pass");
    }

    @Test
    void requestsThatAreNotWholePassesAreAnError() throws Exception {
        Path dir = simulation(2, new double[][] {{1, 2, 3}, {1, 2, 3}}, false);
        Files.writeString(dir.resolve("config.json"), "{\"repeat\": 4}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PassPercentiles.summary(dir));
        assertTrue(e.getMessage().contains("summary.json") && e.getMessage().contains("4 passes"), e.getMessage());
    }

    /** Against a plain reference: each pass sorted, its nearest-rank percentile, the median of those; a rejected request left out. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void matchesNearestRankPassByPassOnRandomSpreads(long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        int passes = 2 + rnd.nextInt(7);
        int n = 20 + rnd.nextInt(150);
        double[][] ttft = new double[passes][n];
        for (double[] pass : ttft) {
            for (int i = 0; i < n; i++) {
                // a heavy tail: most about 20 ms, a few up to ten times that
                pass[i] = Math.round((10 + 20 * rnd.nextDouble() + (rnd.nextDouble() < 0.05 ? 300 * rnd.nextDouble()
                        : 0)) * 1000) / 1000.0;
            }
        }
        JsonNode s = PassPercentiles.summary(simulation(passes, ttft, true));
        for (String p : new String[] {"p50", "p90", "p95", "p99"}) {
            double q = Integer.parseInt(p.substring(1)) / 100.0;
            double[] perPass = new double[passes];
            for (int k = 0; k < passes; k++) {
                double[] v = ttft[k];
                if (k == 1) { // its request 3 was rejected
                    double[] w = new double[n - 1];
                    System.arraycopy(v, 0, w, 0, 3);
                    System.arraycopy(v, 4, w, 3, n - 4);
                    v = w;
                }
                perPass[k] = nearestRank(v, q);
            }
            Arrays.sort(perPass);
            double median = passes % 2 == 1 ? perPass[passes / 2] : (perPass[passes / 2 - 1] + perPass[passes / 2]) / 2;
            // HdrHistogram at three significant digits
            assertEquals(median, s.path("ttft_ms").path(p).asDouble(), median * 1e-3 + 1e-3, p + " of " + passes
                    + " passes of " + n);
        }
    }
}
