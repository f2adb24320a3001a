package org.cornserve.traces.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RateModulationTest {
    private static final RateModulation BURSTS = RateModulation.parse("0:1,300:4,480:1,900:3,1200:1");

    @Test
    void warpsByHand() {
        // input 300 s ends the first step; the 4x step covers input [300, 1020) in output [300, 480)
        assertEquals(300, BURSTS.outputSeconds(300), 1e-9);
        assertEquals(300 + 400 / 4.0, BURSTS.outputSeconds(700), 1e-9);
        assertEquals(480, BURSTS.outputSeconds(1020), 1e-9);
        // 1x to output 900 (input 1440), 3x to 1200 (input 2340), then 1x
        assertEquals(900 + 60 / 3.0, BURSTS.outputSeconds(1500), 1e-9);
        assertEquals(1200 + 160, BURSTS.outputSeconds(2500), 1e-9);
        assertEquals(4.0, BURSTS.multiplierAt(479.9));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void theWarpInvertsTheMultipliersIntegral(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 100; i++) {
            double s = random.nextDouble() * 4000;
            double t = BURSTS.outputSeconds(s);
            // integral of m from 0 to t, by fine midpoint sums
            double integral = 0;
            int n = 200_000;
            for (int k = 0; k < n; k++) {
                integral += BURSTS.multiplierAt((k + 0.5) * t / n) * t / n;
            }
            assertEquals(s, integral, 4 * 4 * t / n + 1e-6);
        }
    }

    @Test
    void badTextIsNamed() {
        assertThrows(IllegalArgumentException.class, () -> RateModulation.parse("10:1"));
        assertThrows(IllegalArgumentException.class, () -> RateModulation.parse("0:1,5"));
        assertThrows(IllegalArgumentException.class, () -> RateModulation.parse("0:1,5:0"));
        assertThrows(IllegalArgumentException.class, () -> RateModulation.parse("0:1,5:2,5:3"));
    }
}
