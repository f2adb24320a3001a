package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cornserve.model.profile.Profile;
import org.cornserve.model.profile.ProfileSet;
import org.cornserve.model.profile.ProfileSource;
import org.junit.jupiter.api.Test;

/** Two measurements of a model's profiles: their drift and their mean, against sums by hand. */
class ProfileDriftTest {

    private static Profile llm(String task, double scale) {
        return new Profile(task, "cpu", 1, ProfileSource.MEASURED, "", Profile.Kind.LLM, 100, 0.1 * scale,
                List.of(new Profile.DecodePoint(1, 0, 0.5 * scale), new Profile.DecodePoint(2, 0, 0.8 * scale)),
                List.of(new Profile.PrefillPoint(16, 3.0 * scale), new Profile.PrefillPoint(1024, 210 * scale)),
                List.of());
    }

    private static Profile vocoder(double latency) {
        return new Profile("m/vocoder", "cpu", 1, ProfileSource.MEASURED, "", Profile.Kind.BATCH, 0, 0, List.of(),
                List.of(), List.of(new Profile.BatchPoint(1, 16, latency)));
    }

    @Test
    void driftIsTheMoveOfEveryPointMeasuredTwiceAndTheMeanIsPointByPoint() {
        ProfileSet before = new ProfileSet("m", "cpu", List.of(llm("m/llm", 1), vocoder(2.0)));
        // the LLM 20% slower after, the vocoder 10% faster
        ProfileSet after = new ProfileSet("m", "cpu", List.of(llm("m/llm", 1.2), vocoder(1.8)));
        ProfileDrift d = ProfileDrift.of(before, after);
        assertEquals(5, d.points());
        // ratios: 1.2 x4, 0.9 x1 -> median 1.2; moves 0.2 x4, 0.1 -> median 0.2, largest 0.2
        assertEquals(1.2, d.medianRatio(), 1e-12);
        assertEquals(0.2, d.medianMove(), 1e-12);
        assertEquals(0.2, d.largestMove(), 1e-12);
        assertTrue(d.line().contains("5 points"), d.line());
        ProfileSet mean = ProfileDrift.mean(before, after);
        Profile m = mean.find("m/llm", 1).orElseThrow();
        assertEquals(0.55, m.decode().get(0).latencyMs(), 1e-12);
        assertEquals(0.88, m.decode().get(1).latencyMs(), 1e-12);
        assertEquals(231.0, m.prefill().get(1).latencyMs(), 1e-12);
        assertEquals(0.11, m.cpuOverheadMs(), 1e-12);
        assertEquals(1.9, mean.find("m/vocoder", 1).orElseThrow().batch().get(0).latencyMs(), 1e-12);
    }

    @Test
    void aProfileOnAnotherGridOrMeasuredOnceIsKeptAsBefore() {
        Profile lone = llm("m/talker", 1);
        ProfileSet before = new ProfileSet("m", "cpu", List.of(vocoder(2.0), lone));
        Profile otherGrid = new Profile("m/vocoder", "cpu", 1, ProfileSource.MEASURED, "", Profile.Kind.BATCH, 0, 0,
                List.of(), List.of(), List.of(new Profile.BatchPoint(2, 16, 3.0)));
        ProfileSet after = new ProfileSet("m", "cpu", List.of(otherGrid));
        assertEquals(0, ProfileDrift.of(before, after).points());
        ProfileSet mean = ProfileDrift.mean(before, after);
        assertEquals(2.0, mean.find("m/vocoder", 1).orElseThrow().batch().get(0).latencyMs(), 1e-12);
        assertSame(lone, mean.find("m/talker", 1).orElseThrow());
    }
}
