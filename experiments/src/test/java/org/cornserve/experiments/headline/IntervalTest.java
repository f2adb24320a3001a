package org.cornserve.experiments.headline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class IntervalTest {
    @Test
    void studentTIntervalOfThreeValues() {
        // mean 2, sd 1, t(0.975, 2) = 4.3027: half-width 4.3027 / sqrt(3)
        Interval i = Interval.of(List.of(1.0, 2.0, 3.0), 0.95);
        assertEquals(2, i.mean(), 1e-12);
        assertEquals(4.302652729911275 / Math.sqrt(3), i.high() - 2, 1e-9);
        assertEquals(3, i.n());
    }

    @Test
    void ratiosAreJudgedOnTheirLogarithms() {
        Interval gain = Interval.ofRatios(List.of(1.5, 1.52, 1.48), 0.95);
        assertEquals("gain", gain.verdict());
        assertEquals(Math.cbrt(1.5 * 1.52 * 1.48), gain.mean(), 1e-12);
        assertEquals("tie", Interval.ofRatios(List.of(1.06, 0.97, 1.10), 0.95).verdict());
        assertEquals("loss", Interval.ofRatios(List.of(0.8, 0.82, 0.79), 0.95).verdict());
        assertEquals("one run", Interval.ofRatios(List.of(2.0), 0.95).verdict());
        Interval inverse = Interval.ofRatios(List.of(1 / 1.5, 1 / 1.52, 1 / 1.48), 0.95);
        assertEquals(1 / gain.low(), inverse.high(), 1e-9);
    }
}
