package org.cornserve.traces.servegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.model.Modality;
import org.cornserve.model.request.MediaItem;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.SharedTraces;
import org.cornserve.traces.TestFiles;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServeGenTraceGeneratorTest {

    static ServeGenPool pool;
    static final Path FOLDER = SharedTraces.file("servegen-mm-image");

    @BeforeAll
    static void load() throws IOException {
        pool = ServeGenPool.load(FOLDER);
    }

    static List<TraceRecord> generate(double from, double to, long seed) throws IOException {
        return TestFiles.readAll(new ServeGenTraceGenerator(pool, from, to, seed, "mm"));
    }

    @Test
    void loadsEveryClient() {
        assertEquals(35, pool.clients().size());
        ServeGenClient c0 = pool.clients().get(0);
        assertEquals(144, c0.windows().size());
        assertEquals(0.805, c0.windows().get(0).rate(), 1e-12);
        assertEquals("Gamma", c0.windows().get(0).pattern());
        DiscreteDistribution text = c0.datasetAt(0).get("text_tokens");
        assertEquals(0.2557027673108869 * 136 + 0.7442972326891131 * 372, text.mean(), 1e-9);
    }

    /** Per client: its image counts, tokens per image, text and output tokens follow its distributions. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void oneHourFollowsEachClientsDistributions(long seed) throws IOException {
        List<TraceRecord> records = generate(0, 3600, seed);
        Map<Integer, List<TraceRecord>> byClient = new HashMap<>();
        long previous = 0;
        for (TraceRecord r : records) {
            assertTrue(r.arrivalNanos() >= previous, "time order");
            assertTrue(r.arrivalNanos() < 3600_000_000_000L);
            previous = r.arrivalNanos();
            int client = Integer.parseInt(r.requestId().substring(1, r.requestId().indexOf('-')));
            byClient.computeIfAbsent(client, k -> new ArrayList<>()).add(r);
        }
        int checkedClients = 0;
        long leastTotal = 0;
        long mostTotal = 0;
        for (ServeGenClient client : pool.clients()) {
            List<TraceRecord> mine = byClient.getOrDefault(client.id(), List.of());
            // the number of arrivals is set per window by ServeGen's rescaling: ceil(rate * 600) or one less
            long most = 0;
            long least = 0;
            for (ServeGenClient.ArrivalWindow w : client.windows()) {
                if (w.startS() < 3600 && w.active()) {
                    most += (long) Math.ceil(w.rate() * 600);
                    least += (long) Math.ceil(w.rate() * 600) - 1;
                }
            }
            // (fewer when the last gaps are numerically zero, as with Gamma shapes near 0.03: they land on the end)
            assertTrue(mine.size() <= most, "client " + client.id() + ": " + mine.size() + " requests, at most " + most);
            leastTotal += least;
            mostTotal += most;
            if (mine.size() < 30) {
                continue;
            }
            checkedClients++;
            ServeGenClient.Dataset d = client.datasetAt(0);
            List<Double> counts = new ArrayList<>();
            List<Double> imageTokens = new ArrayList<>();
            List<Double> text = new ArrayList<>();
            List<Double> output = new ArrayList<>();
            for (TraceRecord r : mine) {
                counts.add((double) r.shape().count(Modality.IMAGE));
                for (MediaItem item : r.shape().media()) {
                    imageTokens.add((double) item.tokens());
                }
                text.add((double) r.shape().textTokens());
                output.add((double) r.shape().outputTokens());
            }
            assertMeanWithinStandardErrors(client.id() + " image_count", d.get("image_count"), counts);
            assertMeanWithinStandardErrors(client.id() + " image_tokens", d.get("image_tokens"), imageTokens);
            assertMeanWithinStandardErrors(client.id() + " text_tokens", d.get("text_tokens"), text);
            assertMeanWithinStandardErrors(client.id() + " output_tokens", d.get("output_tokens"), output);
        }
        assertTrue(records.size() >= 0.97 * leastTotal && records.size() <= mostTotal,
                records.size() + " requests, expected about " + leastTotal + ".." + mostTotal);
        assertTrue(checkedClients >= 5, "only " + checkedClients + " clients had enough requests");
        assertTrue(records.stream().anyMatch(r -> r.shape().count(Modality.IMAGE) > 1), "multi-image requests");
    }

    /** The sample mean lies within 5 standard errors (sd / sqrt n, from the distribution itself). */
    static void assertMeanWithinStandardErrors(String what, DiscreteDistribution d, List<Double> sample) {
        if (sample.isEmpty()) {
            assertEquals(0, d.mean(), 1e-9, what + ": no samples but a non-zero mean");
            return;
        }
        double mean = sample.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double se = Math.sqrt(d.variance() / sample.size());
        assertEquals(d.mean(), mean, 5 * se + 1e-9, what + " (n=" + sample.size() + ")");
    }

    @Test
    void sameSeedSameTraceOtherSeedOtherTrace() throws IOException {
        List<TraceRecord> a = generate(0, 1200, 7);
        List<TraceRecord> b = generate(0, 1200, 7);
        List<TraceRecord> c = generate(0, 1200, 8);
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void windowIsShiftedToStartAtZero() throws IOException {
        List<TraceRecord> r = TestFiles.readAll(TraceFormat.byName("servegen").open(FOLDER,
                ReadOptions.defaults().withWindow(43_500, 44_100).withSeed(3)));
        assertTrue(r.size() > 100, "requests in the window: " + r.size());
        assertTrue(r.stream().allMatch(x -> x.arrivalNanos() >= 0 && x.arrivalNanos() < 600_000_000_000L));
        // the window straddles two 600 s arrival windows; both halves get requests
        assertTrue(r.stream().anyMatch(x -> x.arrivalSeconds() < 300) && r.stream().anyMatch(x -> x.arrivalSeconds() > 300));
    }

    @Test
    void pythonDictDistributions() {
        DiscreteDistribution d = DiscreteDistribution.parsePythonDict("{372: 0.75, 136: 0.25}");
        assertEquals(136, d.values()[0]);
        assertEquals(0.25 * 136 + 0.75 * 372, d.mean(), 1e-12);
        assertEquals(0.25 * 0.75 * 236 * 236, d.variance(), 1e-9);
    }
}
