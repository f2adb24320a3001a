package org.cornserve.runtime.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
    void rowsCarryTheFeaturesEachKindOfPointGrowsWith() {
        // decode: 4 sequences of 100 cached tokens read 400 tokens
        assertArrayEquals(new double[] {4, 400, 2.5}, Fits.decodeRow(4, 100, 2.5));
        // prefill: 64 tokens attend over 64 x 64 pairs
        assertArrayEquals(new double[] {64, 4096, 7}, Fits.prefillRow(64, 7));
        // a batch (or a diffusion step) of 8 items of 256 tokens: 2048 tokens, each attending over its item's 256
        assertArrayEquals(new double[] {2048, 524288, 90}, Fits.batchRow(8, 256, 90));
        // a denoising step of 4 jobs of 256 latent tokens, each with 64 text tokens: 4 x 320 rows, 320 attended each
        assertArrayEquals(new double[] {1280, 409600, 10}, Fits.diffusionRow(4, 256, 64, 10));
    }

    /**
     * A diffusion step grid (jobs x latent tokens, as the profiler measures a DiT, each job with 64 text tokens) from
     * a known cost with a per-step overhead, linear and joint-attention terms over text and latent rows: the fit on
     * its rows recovers the coefficients, hand-checked at a point.
     */
    @Test
    void recoversADiffusionStepCostFromItsGridRows() {
        List<double[]> rows = new ArrayList<>();
        for (int jobs : new int[] {1, 2, 4, 8}) {
            for (long k : new long[] {1, 16, 64, 256}) {
                double perJob = k + 64;
                rows.add(Fits.diffusionRow(jobs, k, 64, 0.4 + 0.01 * jobs * perJob + 2e-5 * jobs * perJob * perJob));
            }
        }
        Fits.HoldOut fit = Fits.holdOut(rows);
        assertEquals(0.4, fit.coefficients()[0], 1e-9);
        assertEquals(0.01, fit.coefficients()[1], 1e-12);
        assertEquals(2e-5, fit.coefficients()[2], 1e-15);
        // 2 jobs of 64 latent + 64 text tokens: 0.4 + 0.01 * 256 + 2e-5 * 256 * 128 = 3.61536 ms
        assertEquals(3.61536, Fits.predict(fit.coefficients(), 256, 256 * 128), 1e-9);
        assertEquals(4, fit.heldBack());
        assertEquals(0, fit.maxRelativeError(), 1e-9);
    }

    @Test
    void medianAndTooFewPoints() {
        assertEquals(2, Fits.median(new double[] {3, 1, 2}));
        assertThrows(IllegalArgumentException.class, () -> Fits.median(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> Fits.fit(List.of(new double[] {1, 1, 1})));
    }
}
