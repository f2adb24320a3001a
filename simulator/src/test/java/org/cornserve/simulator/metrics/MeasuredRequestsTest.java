package org.cornserve.simulator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.cornserve.planner.Slo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Measured requests go through the simulator's collector and writer: the same files, figures computed by hand. */
class MeasuredRequestsTest {
    private static final long MS = 1_000_000L;

    @Test
    void figuresMatchAHandComputation(@TempDir Path dir) throws IOException {
        List<MeasuredRequest> reqs = List.of(
                // sent 0, headers 5 ms, first token 10 ms, last token 10 + 9 * 2 = 28 ms (10 tokens), end 29 ms
                new MeasuredRequest(0, "chat", 0, 5 * MS, 10 * MS, 28 * MS, 29 * MS, 100, 10, null),
                new MeasuredRequest(1, "chat", 100 * MS, 101 * MS, 140 * MS, 140 * MS + 3 * 4 * MS, 160 * MS, 50, 4, null),
                new MeasuredRequest(2, "chat", 200 * MS, 201 * MS, -1, -1, 202 * MS, 50, 0, "503 service unavailable"));
        SimResult r = MeasuredRequests.result(reqs, app -> new Slo(20, 0, 0), 1.5);
        assertEquals(3, r.requests());
        assertEquals(2, r.completed());
        assertEquals(1, r.rejected());
        assertEquals(0.202, r.simulatedSeconds(), 1e-12);
        assertEquals(2 / 0.202, r.throughputRps(), 1e-9);
        assertEquals(1 / 3.0, r.sloAttainment(), 1e-12, "only request 0 has TTFT <= 20 ms");
        assertEquals((10 + 40) / 2.0, r.ttftMs().mean(), 1e-9);
        assertEquals((2 + 4) / 2.0, r.tpotMs().mean(), 1e-9);
        assertEquals((29 + 60) / 2.0, r.e2eMs().mean(), 1e-9);
        assertEquals(14, r.outputTokens());
        assertEquals(1L, r.rejectReasons().get("N service unavailable"));
        assertTrue(r.deployments().isEmpty());

        ResultWriter.write(r, dir);
        assertFalse(Files.exists(dir.resolve("queues.csv")), "a measured run has no queue series");
        List<String> rows = Files.readAllLines(dir.resolve("requests.csv"));
        assertEquals(4, rows.size());
        assertEquals("0,,chat,completed,0,10000000,29000000,10.0,2.0,29.0,100,10,,server|0|5000000|28000000,,", rows.get(1));
        assertEquals("2,,chat,rejected,200000000,-1,-1,,,,50,0,503 service unavailable,server|200000000|201000000|-1,,",
                rows.get(3));
        JsonNode stages = new ObjectMapper().readTree(dir.resolve("summary.json").toFile()).get("stages");
        assertEquals("server", stages.get(0).get("task").asText());
        assertEquals((5 + 1) / 2.0, stages.get(0).get("queue_ms").get("mean").asDouble(), 1e-9, "send to headers");
        assertEquals((23 + 51) / 2.0, stages.get(0).get("run_ms").get("mean").asDouble(), 1e-9, "headers to last token");
    }

    @Test
    void measuredFilesHaveTheSimulatorsKeysAndColumns(@TempDir Path dir) throws IOException {
        Path sim = Path.of("src/test/resources/golden/full-split");
        ResultWriter.write(MeasuredRequests.result(List.of(
                new MeasuredRequest(0, "a", 0, 1, 2, 3, 4, 1, 2, null)), app -> Slo.NONE, 0.1), dir);
        assertEquals(Files.readAllLines(sim.resolve("requests.csv")).get(0),
                Files.readAllLines(dir.resolve("requests.csv")).get(0));
        ObjectMapper json = new ObjectMapper();
        List<String> simKeys = new ArrayList<>();
        json.readTree(sim.resolve("summary.json").toFile()).fieldNames().forEachRemaining(simKeys::add);
        List<String> measuredKeys = new ArrayList<>();
        json.readTree(dir.resolve("summary.json").toFile()).fieldNames().forEachRemaining(measuredKeys::add);
        assertEquals(simKeys, measuredKeys);
    }

    /** Percentiles over random measured runs against sorting the hand-computed latencies (HdrHistogram precision). */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void percentilesMatchSortedLatencies(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<MeasuredRequest> reqs = new ArrayList<>();
        List<Double> e2e = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < 500; i++) {
            t += rnd.nextLong(20 * MS);
            long first = t + rnd.nextLong(1, 300 * MS);
            long last = first + rnd.nextLong(2000 * MS);
            long end = last + rnd.nextLong(MS);
            reqs.add(new MeasuredRequest(i, "chat", t, t, first, last, end, 10, 1 + rnd.nextInt(300), null));
            e2e.add((end - t) / 1e6);
        }
        java.util.Collections.shuffle(reqs, new java.util.Random(seed));
        SimResult r = MeasuredRequests.result(reqs, app -> Slo.NONE, 1);
        e2e.sort(null);
        double p99 = e2e.get((int) Math.ceil(0.99 * e2e.size()) - 1);
        assertEquals(p99, r.e2eMs().p99(), p99 * 1e-3 + 1e-3);
        Iterator<RequestRecord> it = r.records().iterator();
        long prev = -1;
        while (it.hasNext()) {
            long a = it.next().request().arrivalNanos();
            assertTrue(a >= prev, "records in order of sending");
            prev = a;
        }
    }

    @Test
    void impossibleTimesAreRefusedWithTheRequestId() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MeasuredRequest(7, "a", 10, 11, 9, 12, 13, 1, 1, null));
        assertTrue(e.getMessage().contains("request 7"), e.getMessage());
    }
}
