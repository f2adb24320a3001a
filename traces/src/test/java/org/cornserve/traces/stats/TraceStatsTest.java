package org.cornserve.traces.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.cornserve.traces.TestFiles;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.generate.InterArrivals;
import org.cornserve.traces.generate.MultimodalMix;
import org.cornserve.traces.generate.SyntheticTraceGenerator;
import org.cornserve.traces.generate.TokenDistribution;
import org.cornserve.model.Modality;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceStatsTest {

    /** Compares the bounded-memory summary with a naive one over arrays (exact percentiles by sorting). */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void matchesNaiveComputation(long seed) throws IOException {
        MultimodalMix mix = new MultimodalMix(new TokenDistribution("lognormal:500:2"), new TokenDistribution("exp:200"),
                new MultimodalMix.Medium(0.3, new TokenDistribution("uniform:1:4"), new TokenDistribution("uniform:100:2000")),
                new MultimodalMix.Medium(0.1, TokenDistribution.constant(1), new TokenDistribution("exp:400")),
                MultimodalMix.Medium.none(), 0, 0.25);
        var source = SyntheticTraceGenerator.source(r -> InterArrivals.gamma(r, 4, 1.7), mix, "app", 5000,
                Double.POSITIVE_INFINITY, seed);
        List<TraceRecord> records = TestFiles.readAll(source.open());
        TraceSummary s = TraceStats.of(source.open());

        int n = records.size();
        double duration = (records.get(n - 1).arrivalNanos() - records.get(0).arrivalNanos()) / 1e9;
        double[] gaps = new double[n - 1];
        for (int i = 1; i < n; i++) {
            gaps[i - 1] = (records.get(i).arrivalNanos() - records.get(i - 1).arrivalNanos()) / 1e9;
        }
        double mean = Arrays.stream(gaps).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).sum() / (gaps.length - 1));
        assertEquals(n, s.requests());
        assertEquals(duration, s.durationS(), 1e-9);
        assertEquals(n / duration, s.rateRps(), 1e-9);
        assertEquals(sd / mean, s.interarrivalCv(), 1e-9);

        long[] image = records.stream().filter(r -> r.shape().has(Modality.IMAGE))
                .mapToLong(r -> r.shape().media().stream().filter(m -> m.modality() == Modality.IMAGE).mapToLong(m -> m.tokens()).sum())
                .sorted().toArray();
        TraceSummary.ModalityStats im = s.modality("image");
        assertEquals(image.length, im.requests());
        assertEquals((double) image.length / n, im.share(), 1e-12);
        assertEquals(Arrays.stream(image).average().orElseThrow(), im.meanTokens(), 1e-6);
        assertPercentile(image, 50, im.p50Tokens());
        assertPercentile(image, 90, im.p90Tokens());
        assertPercentile(image, 99, im.p99Tokens());

        long[] text = records.stream().filter(r -> r.shape().textTokens() > 0).mapToLong(r -> r.shape().textTokens()).sorted().toArray();
        assertPercentile(text, 50, s.modality("text").p50Tokens());
        assertPercentile(text, 99, s.modality("text").p99Tokens());
        assertEquals(0, s.modality("video").requests());
        assertEquals(n, s.apps().get("app"));
        assertEquals(1.0, s.outputModalityShares().get("text"));
        assertEquals(records.stream().filter(r -> r.shape().wants(Modality.AUDIO)).count() / (double) n,
                s.outputModalityShares().get("audio"), 1e-12);
        assertEquals(0.0, s.outputModalityShares().get("image"));
    }

    /** HdrHistogram's value at a percentile: the nearest-rank value, to 3 significant digits. */
    private static void assertPercentile(long[] sorted, double p, long actual) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        long expected = sorted[Math.max(0, rank - 1)];
        assertEquals(expected, actual, Math.max(1, expected * 0.002), p + "th percentile");
    }
}
