package org.cornserve.runtime.profile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SpeedSensorTest {
    @Test
    void readingsAreStepTimesOfOneKernelThatRestartsItsSequence() {
        try (SpeedSensor sensor = new SpeedSensor()) {
            // more readings than one sequence's span: the sequence starts again (its cache freed) without error
            int n = 3 * SpeedSensor.SPAN / SpeedSensor.STEPS;
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = sensor.readMicros();
            }
            double middle = median(Arrays.copyOfRange(v, n / 3, 2 * n / 3));
            double last = median(Arrays.copyOfRange(v, 2 * n / 3, n));
            for (double x : Arrays.copyOfRange(v, n / 3, n)) {
                // a one-sequence decode step of the tiny LLM, compiled: above 10 us, under 50 ms on any CPU
                assertTrue(x > 10 && x < 50_000, x + " us: " + Arrays.toString(v));
            }
            // the same kernel each time: the later readings agree (within what a shared machine's noise allows)
            assertTrue(Math.max(middle, last) / Math.min(middle, last) < 3, Arrays.toString(v));
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
