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
}
