package org.cornserve.simulator.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cornserve.planner.Slo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Capacity of a plan whose sustained rate is known: one first-come-first-served server with a fixed service time,
 * fed Poisson arrivals. Past {@code 1 / service} its queue grows without end, so that is its capacity at a loose SLO;
 * a short probe's attainment alone passes rates well past it.
 */
class SteadyStateCapacityTest {
    private static final double KNOWN_RPS = KnownCapacityQueue.SINGLE_FAST.capacityRps();
    private static final Slo SLO = new Slo(0, 0, 10_000, 0.9);

    private static double capacity(long seed, double runSeconds, SteadyState steady) {
        return KnownCapacityQueue.SINGLE_FAST.capacity(seed, runSeconds, 2000, SLO, steady);
    }

    @ParameterizedTest
    @CsvSource({"1", "2", "3", "4", "5"})
    void shortProbesFindTheKnownRateWhereAttainmentAloneOverstatesIt(long seed) {
        double old = capacity(seed, 60, SteadyState.OFF);
        double steady = capacity(seed, 60, SteadyState.DEFAULT);
        assertTrue(old > 1.1 * KNOWN_RPS, "attainment alone on 60 s probes: " + old + " rps");
        assertEquals(KNOWN_RPS, steady, 0.06 * KNOWN_RPS, "steady state on 60 s probes, seed " + seed);
    }

    @ParameterizedTest
    @CsvSource({"1", "2", "3"})
    void longProbesAgreeWithShortSteadyOnes(long seed) {
        double longOld = capacity(seed, 1200, SteadyState.OFF);
        assertEquals(KNOWN_RPS, longOld, 0.06 * KNOWN_RPS, "attainment alone on 1200 s probes");
        assertEquals(longOld, capacity(seed, 60, SteadyState.DEFAULT), 0.06 * KNOWN_RPS);
    }

    @Test
    void growthIsTheShareOfTheTailsArrivalsLeftOutstanding() {
        // 100 arrivals one second apart; the server ends one every 1.25 s: it serves 0.8 of what comes
        long[] a = new long[101];
        long[] e = new long[101];
        for (int i = 0; i <= 100; i++) {
            a[i] = i * 1_000_000_000L;
            e[i] = (i + 1) * 1_250_000_000L;
        }
        Backlog b = Backlog.of(a, e);
        assertEquals(0.2, b.growth(0.5), 0.02);
        // the same arrivals served in 0.5 s each: nothing builds up
        for (int i = 0; i <= 100; i++) {
            e[i] = a[i] + 500_000_000L;
        }
        assertEquals(0, Backlog.of(a, e).growth(0.5), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new SteadyState(0.33, 0.03));
        assertThrows(IllegalArgumentException.class, () -> new SteadyState(0.5, -0.1));
        assertThrows(IllegalArgumentException.class, () -> b.growth(0));
        // a rate that doubles halfway, every request served in 2 s: no backlog, though the requests in flight double
        long[] a2 = new long[300];
        long[] e2 = new long[300];
        for (int i = 0; i < 300; i++) {
            a2[i] = i < 100 ? i * 1_000_000_000L : 100_000_000_000L + (i - 100) * 500_000_000L;
            e2[i] = a2[i] + 2_000_000_000L;
        }
        assertEquals(0, Backlog.of(a2, e2).growth(0.5), 0.02);
    }

    @Test
    void aProbeThatIsNotSteadyFailsWhateverItsAttainment() {
        RunMetrics.Latency none = RunMetrics.Latency.NONE;
        long[] a = {0, 1_000_000_000L, 2_000_000_000L, 3_000_000_000L};
        RunMetrics growing = new RunMetrics(1, 4, 0, 0, 1.0, none, none, none,
                Backlog.of(a, new long[] {1_000_000_000L, 3_000_000_000L, 5_000_000_000L, 7_000_000_000L}));
        assertTrue(!new SteadyState(0.5, 0.03, 1).holds(growing));
        assertTrue(SteadyState.OFF.holds(growing));
        assertTrue(SteadyState.DEFAULT.holds(growing), "a tail of two requests is too few to judge (min 500)");
        assertTrue(SteadyState.DEFAULT.holds(new RunMetrics(1, 4, 0, 0, 1.0, none, none, none)));
    }
}
