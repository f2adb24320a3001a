package org.cornserve.planner.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CapacitySearchTest {

    /** Attainment of an M/M/1 queue's sojourn time against a deadline: 1 - exp(-(mu - lambda) d). */
    private static double mm1Attainment(double mu, double deadlineS, double lambda) {
        return lambda >= mu ? 0 : 1 - Math.exp(-(mu - lambda) * deadlineS);
    }

    @ParameterizedTest
    @CsvSource({"10, 1, 0.9, 1", "10, 1, 0.9, 50", "100, 0.05, 0.5, 3", "5, 2, 0.99, 0.01"})
    void findsTheClosedFormCapacityOfAnMm1Queue(double mu, double deadline, double target, double start) {
        // attainment >= target  <=>  lambda <= mu + ln(1 - target) / d
        double exact = Math.max(0, mu + Math.log(1 - target) / deadline);
        CapacitySearch.Result r = new CapacitySearch(target, 1e-4, 40, 60).search(start,
                rate -> mm1Attainment(mu, deadline, rate));
        assertEquals(exact, r.capacityRps(), exact * 2e-4 + 1e-9);
        assertTrue(r.upperRps() >= r.capacityRps());
        assertTrue(r.probes().size() < 100);
    }

    @ParameterizedTest
    @CsvSource({"10, 1, 0.9, 1, 5", "10, 1, 0.9, 50, 5", "10, 1, 0.9, 1, 20", "10, 1, 0.9, 50, 8.0"})
    void neverProbesAboveTheCeilingAndMarksACapacityItCouldNotBound(double mu, double deadline, double target,
            double start, double ceiling) {
        double exact = Math.max(0, mu + Math.log(1 - target) / deadline); // 7.697 rps
        CapacitySearch.Result r = new CapacitySearch(target, 1e-4, 40, 60).search(start, ceiling,
                rate -> mm1Attainment(mu, deadline, rate));
        assertTrue(r.probes().stream().allMatch(p -> p.rateRps() <= ceiling), r.toString());
        if (ceiling < exact) {
            assertEquals(ceiling, r.capacityRps(), 0);
            assertTrue(r.capped() && Double.isInfinite(r.upperRps()), r.toString());
        } else {
            assertEquals(exact, r.capacityRps(), exact * 2e-4 + 1e-9);
            assertTrue(!r.capped(), r.toString());
        }
    }

    @org.junit.jupiter.api.Test
    void aBurstThatMeetsAnyRateStopsAtTheCeilingInsteadOfDoublingOn() {
        CapacitySearch.Result r = new CapacitySearch(0.9, 0.01, 40, 20).search(1, 333, rate -> 1.0);
        assertEquals(333, r.capacityRps(), 0);
        assertTrue(r.capped());
        assertTrue(r.probes().size() <= 10, r.probes().toString()); // 1, 2, 4, ..., 256, 333
    }

    @ParameterizedTest
    @CsvSource({"10, 8, 1", "10, 8, 40", "100, 90, 7"})
    void aProbeThatIsNotSteadyFailsWhateverItsAttainment(double attainmentLimit, double steadyLimit, double start) {
        // attainment alone would pass up to attainmentLimit; the run stops keeping up past steadyLimit
        CapacitySearch.Result r = new CapacitySearch(0.9, 1e-3, 40, 60).searchProbes(start, Double.POSITIVE_INFINITY,
                rate -> new CapacitySearch.Probe(rate, rate <= attainmentLimit ? 1.0 : 0.0, rate <= steadyLimit));
        assertEquals(steadyLimit, r.capacityRps(), steadyLimit * 2e-3);
        assertTrue(r.probes().stream().anyMatch(p -> p.sloAttainment() == 1.0 && !p.steady()), "a probe met the "
                + "target but was not steady: " + r.probes());
    }
}
