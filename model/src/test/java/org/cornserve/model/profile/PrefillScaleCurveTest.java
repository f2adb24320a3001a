package org.cornserve.model.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The prefill speed by prompt length, against interpolation worked by hand and a profile scaled point by point. */
class PrefillScaleCurveTest {
    @Test
    void linearBetweenTheMeasuredLengthsAndTheEndsBeyond() {
        PrefillScaleCurve c = PrefillScaleCurve.parse("100=1.0, 300=0.8,1100=0.6");
        assertEquals(1.0, c.applyAsDouble(1));
        assertEquals(1.0, c.applyAsDouble(100));
        assertEquals(0.9, c.applyAsDouble(200), 1e-12);
        assertEquals(0.8, c.applyAsDouble(300), 1e-12);
        assertEquals(0.7, c.applyAsDouble(700), 1e-12);
        assertEquals(0.6, c.applyAsDouble(1100));
        assertEquals(0.6, c.applyAsDouble(5000));
        assertEquals("100=1.0000,300=0.8000,1100=0.6000", c.toString());
        assertEquals(c, PrefillScaleCurve.parse(c.toString()));
        assertEquals(1.25, PrefillScaleCurve.parse("64=1.25").applyAsDouble(9999), "one length: one scale");
    }

    /** As written: each scale to four decimals, and read back from its own text unchanged. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void asWrittenIsWhatItsTextReadsBack(long seed) {
        Random rnd = new Random(seed);
        PrefillScaleCurve c = new PrefillScaleCurve(List.of(60L, 274L, 1024L), List.of(0.5 + rnd.nextDouble(),
                0.5 + rnd.nextDouble(), 0.5 + rnd.nextDouble()));
        PrefillScaleCurve w = c.asWritten();
        assertEquals(c.tokens(), w.tokens());
        for (int i = 0; i < 3; i++) {
            assertEquals(Math.round(c.scales().get(i) * 1e4) / 1e4, w.scales().get(i), 1e-12, "scale " + i);
        }
        assertEquals(w, PrefillScaleCurve.parse(w.toString()));
        assertEquals(w, w.asWritten());
    }

    @Test
    void badCurvesAreNamed() {
        for (String bad : List.of("", "100", "100=x", "300=1,100=1", "100=1,100=1", "0=1", "100=0", "100=-1",
                "100=NaN", "100=Infinity")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PrefillScaleCurve.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("prefill scale curve:"), e.getMessage());
        }
    }

    /** A profile scaled by a curve: each prefill point times the curve at its tokens, decode by the one scale. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void aProfilesPrefillPointsTakeTheCurveAtTheirTokens(long seed) {
        Random rnd = new Random(seed);
        List<Profile.PrefillPoint> points = List.of(new Profile.PrefillPoint(1, 0.5), new Profile.PrefillPoint(64, 6),
                new Profile.PrefillPoint(256, 27), new Profile.PrefillPoint(1024, 210));
        Profile p = new Profile("m/llm", "cpu", 1, ProfileSource.MEASURED, "", Profile.Kind.LLM, 1024, 0.1,
                List.of(new Profile.DecodePoint(1, 0, 1), new Profile.DecodePoint(2, 0, 1.5)), points, List.of());
        PrefillScaleCurve c = new PrefillScaleCurve(List.of(50L, 300L, 800L), List.of(0.5 + rnd.nextDouble(),
                0.5 + rnd.nextDouble(), 0.5 + rnd.nextDouble()));
        double decode = 0.5 + rnd.nextDouble();
        Profile scaled = p.withComputeScale(c, decode);
        for (int i = 0; i < points.size(); i++) {
            long t = points.get(i).tokens();
            double byHand = t <= 50 ? c.scales().get(0) : t >= 800 ? c.scales().get(2)
                    : c.scales().get(0) + (c.scales().get(1) - c.scales().get(0)) * (t - 50) / 250.0;
            assertEquals(points.get(i).latencyMs() * byHand, scaled.prefill().get(i).latencyMs(), 1e-9, "at " + t);
        }
        assertEquals(1.5 * decode, scaled.decode().get(1).latencyMs(), 1e-12);
        assertTrue(scaled.note().contains("prefill latencies x 50="), scaled.note());
        // a flat curve is the one scale
        Profile flat = p.withComputeScale(PrefillScaleCurve.parse("10=0.9"), decode);
        assertEquals(p.withComputeScale(0.9, decode).prefill(), flat.prefill());
        assertEquals(p.withComputeScale(0.9, decode).decode(), flat.decode());
        assertEquals(p, p.withComputeScale(PrefillScaleCurve.parse("10=1"), 1), "scales of 1 change nothing");
        // each decode point times a curve at its batch (1: 0.8, 2: 1.1), the prefill points by theirs
        Profile byBatch = p.withComputeScale(c, PrefillScaleCurve.parse("1=0.8,2=1.1"));
        assertEquals(1 * 0.8, byBatch.decode().get(0).latencyMs(), 1e-12);
        assertEquals(1.5 * 1.1, byBatch.decode().get(1).latencyMs(), 1e-12);
        assertEquals(scaled.prefill(), byBatch.prefill());
        assertEquals(p, p.withComputeScale(PrefillScaleCurve.parse("10=1"), PrefillScaleCurve.parse("1=1")));
    }
}
