package org.cornserve.simulator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.cornserve.simulator.config.Network;
import org.cornserve.planner.Slo;
import org.junit.jupiter.api.Test;

class MetricsPiecesTest {

    @Test
    void queueTrackerTimeWeightsAndSamples() {
        QueueTracker q = new QueueTracker(2, 10);
        q.observe(0, new long[] {2, 0});
        q.observe(30, new long[] {4, 1});
        q.observe(40, new long[] {0, 0});
        assertEquals((2.0 * 30 + 4 * 10) / 40, q.meanLength(0), 1e-12);
        assertEquals(4, q.maxLength(0));
        assertEquals(4, q.sampleCount(), "samples at 0, 10, 20, 30");
        assertEquals(2, q.sampleLength(2, 0));
        assertEquals(30, q.sampleTimeNanos(3));
        assertEquals(1, q.sampleLength(3, 1));
    }

    @Test
    void latencyPercentilesWithinHdrPrecisionOfTheExactOnes() {
        LatencyRecorder rec = new LatencyRecorder();
        double[] values = new double[10_001];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < values.length; i++) {
            values[i] = 1 + r.nextDouble() * 1000;
            rec.recordMs(values[i]);
        }
        java.util.Arrays.sort(values);
        LatencyStats s = rec.stats();
        assertEquals(values[9_900], s.p99(), values[9_900] * 2e-3);
        assertEquals(values[5_000], s.p50(), values[5_000] * 2e-3);
        assertEquals(java.util.Arrays.stream(values).average().orElseThrow(), s.mean(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> rec.recordMs(-1));
    }

    @Test
    void sloParsingAndChecks() {
        Slo slo = Slo.parse("ttft=500, tpot=50");
        assertEquals(new Slo(500, 50, 0), slo);
        assertTrue(slo.met(499, 60, 1e9, 1), "TPOT does not bind one output token");
        assertFalse(slo.met(499, 60, 1e9, 2));
        assertFalse(slo.met(501, 10, 0, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Slo.parse("ttfb=3"));
        assertTrue(e.getMessage().contains("unknown target 'ttfb'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Slo.parse("ttft=fast"));
    }

    @Test
    void transfersTakeLatencyPlusBytesOverBandwidth() {
        Network n = new Network(1e9, 5_000, 1e8, 10_000);
        assertEquals(5_000 + 1_000_000, n.transferNanos(1_000_000, true));
        assertEquals(10_000 + 10_000_000, n.transferNanos(1_000_000, false));
        assertThrows(IllegalArgumentException.class, () -> new Network(0, 0, 1, 0));
    }
}
