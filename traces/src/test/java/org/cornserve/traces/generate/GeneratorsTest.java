package org.cornserve.traces.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.apache.commons.math3.random.Well19937c;
import org.cornserve.model.Modality;
import org.cornserve.traces.TestFiles;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GeneratorsTest {

    private static final int N = 20_000;

    /** Mean gap and CV of gaps (gaps from 0 to the first arrival included). */
    private static double[] gapMeanAndCv(List<TraceRecord> records) {
        double sum = 0;
        double sumSq = 0;
        long previous = 0;
        for (TraceRecord r : records) {
            double gap = (r.arrivalNanos() - previous) / 1e9;
            previous = r.arrivalNanos();
            sum += gap;
            sumSq += gap * gap;
        }
        int n = records.size();
        double mean = sum / n;
        double sd = Math.sqrt((sumSq - n * mean * mean) / (n - 1));
        return new double[] {mean, sd / mean};
    }

    /**
     * Gamma gaps with rate r and CV c: the mean gap has standard error c/(r sqrt n); the sample CV has
     * (delta method, Gamma moments) standard error c sqrt((1 + c^2) / (2n)). Poisson is c = 1.
     */
    @ParameterizedTest(name = "rate {0}, cv {1}, seed {2}")
    @CsvSource({"10, 1, 1", "10, 1, 2", "10, 1, 3", "2.5, 0.5, 1", "2.5, 0.5, 2", "50, 2, 1", "50, 2, 2", "50, 2, 3", "1, 4, 5"})
    void gammaAndPoissonHitRateAndCv(double rate, double cv, long seed) throws IOException {
        SyntheticTraceGenerator.GapFactory gaps = cv == 1 ? random -> InterArrivals.poisson(random, rate)
                : random -> InterArrivals.gamma(random, rate, cv);
        List<TraceRecord> records = TestFiles.readAll(new SyntheticTraceGenerator(gaps,
                ShapeSampler.text(TokenDistribution.constant(10), TokenDistribution.constant(5)), "a", N,
                Double.POSITIVE_INFINITY, seed));
        assertEquals(N, records.size());
        double[] m = gapMeanAndCv(records);
        assertEquals(1 / rate, m[0], 4.5 * cv / (rate * Math.sqrt(N)), "mean gap");
        assertEquals(cv, m[1], 4.5 * cv * Math.sqrt((1 + cv * cv) / (2.0 * N)), "gap CV");
    }

    @Test
    void durationStopsTheTraceAndSeedsRepeat() throws IOException {
        var source = SyntheticTraceGenerator.source(random -> InterArrivals.poisson(random, 100),
                ShapeSampler.text(new TokenDistribution("uniform:1:10"), new TokenDistribution("exp:50")), "a",
                Long.MAX_VALUE, 10, 42);
        List<TraceRecord> a = TestFiles.readAll(source.open());
        List<TraceRecord> b = TestFiles.readAll(source.open());
        assertEquals(a, b);
        assertTrue(a.get(a.size() - 1).arrivalNanos() < 10_000_000_000L);
        // count ~ Poisson(1000): within 5 sd
        assertEquals(1000, a.size(), 5 * Math.sqrt(1000));
    }

    @Test
    void weibullShapeMatchesCv() {
        for (double cv : new double[] {0.3, 1.0, 2.5, 8}) {
            double k = InterArrivals.weibullShapeForCv(cv);
            var d = InterArrivals.weibull(new Well19937c(1), 3, cv);
            assertEquals(1 / 3.0, d.getNumericalMean(), 1e-9);
            assertEquals(cv, Math.sqrt(d.getNumericalVariance()) / d.getNumericalMean(), 1e-6, "k=" + k);
        }
        assertEquals(1.0, InterArrivals.weibullShapeForCv(1.0), 1e-6, "Weibull with CV 1 is the exponential");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void multimodalMixHitsSharesAndMeans(long seed) {
        MultimodalMix mix = new MultimodalMix(new TokenDistribution("lognormal:300:1"), new TokenDistribution("gamma:100:0.5"),
                new MultimodalMix.Medium(0.4, new TokenDistribution("uniform:1:3"), new TokenDistribution("enum:576=0.5,1024=0.5")),
                new MultimodalMix.Medium(0.2, TokenDistribution.constant(1), new TokenDistribution("uniform:100:300")),
                new MultimodalMix.Medium(0.05, TokenDistribution.constant(1), TokenDistribution.constant(2048)),
                0, 0.3);
        ShapeSampler s = mix.create(new Well19937c(seed));
        int n = 20_000;
        int withImage = 0;
        int withAudio = 0;
        int withVideo = 0;
        int audioOut = 0;
        long images = 0;
        double imageTokens = 0;
        double text = 0;
        double output = 0;
        for (int i = 0; i < n; i++) {
            var shape = s.sample();
            withImage += shape.has(Modality.IMAGE) ? 1 : 0;
            withAudio += shape.has(Modality.AUDIO) ? 1 : 0;
            withVideo += shape.has(Modality.VIDEO) ? 1 : 0;
            audioOut += shape.wants(Modality.AUDIO) ? 1 : 0;
            images += shape.count(Modality.IMAGE);
            imageTokens += shape.media().stream().filter(m -> m.modality() == Modality.IMAGE).mapToInt(m -> m.tokens()).sum();
            text += shape.textTokens();
            output += shape.outputTokens();
        }
        assertShare(0.4, withImage, n);
        assertShare(0.2, withAudio, n);
        assertShare(0.05, withVideo, n);
        assertShare(0.3, audioOut, n);
        // images per image request: uniform 1..3, mean 2, sd sqrt(2/3)
        assertEquals(2.0, (double) images / withImage, 4.5 * Math.sqrt(2.0 / 3 / withImage));
        assertEquals(800.0, imageTokens / images, 4.5 * 224 / Math.sqrt(images));
        assertEquals(300, text / n, 4.5 * 300 / Math.sqrt(n) + 0.5);
        assertEquals(100, output / n, 4.5 * 50 / Math.sqrt(n) + 0.5);
    }

    private static void assertShare(double p, int hits, int n) {
        assertEquals(p, (double) hits / n, 4.5 * Math.sqrt(p * (1 - p) / n));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-3", "uniform:5", "uniform:9:3", "exp:0", "lognormal:10", "enum:1=x", "nope:1", "gamma:1:-1"})
    void badTokenSpecsAreRejected(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TokenDistribution(spec));
        assertTrue(e.getMessage().contains(spec.trim()) || e.getMessage().contains("must be"), e.getMessage());
    }

    @Test
    void tokenSpecMeans() {
        assertEquals(512, TokenDistribution.constant(512).mean());
        assertEquals(5.5, new TokenDistribution("uniform:1:10").mean());
        assertEquals(0.25 * 136 + 0.75 * 372, new TokenDistribution("enum:136=0.25,372=0.75").mean(), 1e-9);
    }
}
