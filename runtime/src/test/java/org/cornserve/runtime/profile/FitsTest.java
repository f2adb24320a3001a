package org.cornserve.runtime.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FitsTest {
    /** Latencies from a known function, with a few percent of seeded noise: the fit recovers it. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void recoversAKnownCostFunctionAndReportsASmallHeldBackError(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<double[]> rows = new ArrayList<>();
        for (int b : new int[] {1, 2, 4, 8, 16, 32}) {
            for (long c : new long[] {0, 256, 1024}) {
                double y = 0.6 + 0.1 * b + 0.0007 * b * c;
                rows.add(new double[] {b, b * c, y * (1 + 0.02 * (rnd.nextDouble() - 0.5))});
            }
        }
        Fits.HoldOut fit = Fits.holdOut(rows);
        assertEquals(0.6, fit.coefficients()[0], 0.05);
        assertEquals(0.1, fit.coefficients()[1], 0.01);
        assertEquals(0.0007, fit.coefficients()[2], 0.00005);
        assertEquals(4, fit.heldBack());
        assertEquals(14, fit.trained());
        assertTrue(fit.meanRelativeError() < 0.02, "held-back error " + fit.meanRelativeError());
        assertTrue(fit.maxRelativeError() >= fit.meanRelativeError());
    }

    @Test
    void aCostTheModelCannotExpressShowsAsHeldBackError() {
        List<double[]> rows = new ArrayList<>();
        for (int t = 1; t <= 12; t++) {
            rows.add(new double[] {t, t * t, Math.exp(t / 2.0)});
        }
        assertTrue(Fits.holdOut(rows).meanRelativeError() > 0.05);
    }

    @Test
    void medianAndTooFewPoints() {
        assertEquals(2, Fits.median(new double[] {3, 1, 2}));
        assertThrows(IllegalArgumentException.class, () -> Fits.median(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> Fits.fit(List.of(new double[] {1, 1, 1})));
    }
}
