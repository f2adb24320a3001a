package org.cornserve.simulator.evaluate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cornserve.planner.Slo;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.transform.TraceRuns;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The steady-state check's two errors on queues of known capacity ({@link KnownCapacityQueue}), the noise-scaled
 * bound ({@link SteadyState#DEFAULT}) against the fixed bound it replaced (3%, no noise term): how often a rate below
 * capacity is judged unsteady (false rejection: it understates capacity), how often one past it is judged steady
 * (false acceptance: it overstates it), and the capacity a bisection finds. The SLO is loose, so the check alone
 * decides. Every probe is {@code seconds} of arrivals and at least 2000 requests, as the tests that bisect real plans
 * cut them.
 */
class SteadyStateNoiseTest {
    private static final Slo LOOSE = new Slo(0, 0, 1e12, 0.9);
    private static final SteadyState FIXED = SteadyState.DEFAULT.withNoiseSigmas(0);
    private static final int MIN_REQUESTS = 2000;
    private static final double[] BELOW = {0.8, 0.9, 0.95};
    private static final double[] ABOVE = {1.05, 1.1, 1.2};
    private static final int SEEDS = 20;

    /** Both errors and the bisected capacity of one check on one queue and probe length, over {@link #SEEDS} seeds. */
    record Errors(double[] rejected, double[] accepted, double capacityMeanError, double capacityWorstUnder,
            double capacityWorstOver) {
        String describe() {
            return String.format(Locale.ROOT, "false rejection at %s: %s; false acceptance at %s: %s;"
                    + " capacity error mean %+.1f%%, worst %+.1f%% / %+.1f%%", java.util.Arrays.toString(BELOW),
                    shares(rejected), java.util.Arrays.toString(ABOVE), shares(accepted), 100 * capacityMeanError,
                    100 * capacityWorstUnder, 100 * capacityWorstOver);
        }

        private static String shares(double[] s) {
            List<String> out = new ArrayList<>();
            for (double v : s) {
                out.add(String.format(Locale.ROOT, "%.0f%%", 100 * v));
            }
            return String.join(" ", out);
        }
    }

    static Errors measure(KnownCapacityQueue queue, double seconds, SteadyState steady) {
        double known = queue.capacityRps();
        double[] rejected = new double[BELOW.length];
        double[] accepted = new double[ABOVE.length];
        double errorSum = 0;
        double under = 0;
        double over = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            List<TraceRecord> window = KnownCapacityQueue.poisson(seed, 150_000);
            for (int i = 0; i < BELOW.length; i++) {
                rejected[i] += steady.holds(run(queue, window, known * BELOW[i], seconds, seed)) ? 0 : 1.0 / SEEDS;
            }
            for (int i = 0; i < ABOVE.length; i++) {
                accepted[i] += steady.holds(run(queue, window, known * ABOVE[i], seconds, seed)) ? 1.0 / SEEDS : 0;
            }
            double error = queue.capacity(seed, seconds, MIN_REQUESTS, LOOSE, steady) / known - 1;
            errorSum += error;
            under = Math.min(under, error);
            over = Math.max(over, error);
        }
        return new Errors(rejected, accepted, errorSum / SEEDS, under, over);
    }

    private static RunMetrics run(KnownCapacityQueue queue, List<TraceRecord> window, double rate, double seconds,
            long seed) {
        return queue.serve(TraceRuns.at(window, rate, KnownCapacityQueue.probeRequests(rate, seconds, MIN_REQUESTS)),
                rate, LOOSE, seed);
    }

    private static KnownCapacityQueue queue(String name) {
        return switch (name) {
            case "single-fast" -> KnownCapacityQueue.SINGLE_FAST;
            case "single-variable" -> KnownCapacityQueue.SINGLE_VARIABLE;
            case "many-bimodal" -> KnownCapacityQueue.MANY_BIMODAL;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0}, {1} s probes")
    @CsvSource({
            "single-fast, 60", "single-fast, 300",
            "single-variable, 60", "single-variable, 300",
            "many-bimodal, 60", "many-bimodal, 300",
    })
    void theNoiseScaledBoundErrsLessThanTheFixedOne(String name, double seconds) {
        KnownCapacityQueue queue = queue(name);
        List<SteadyState> checks = new ArrayList<>(List.of(FIXED, SteadyState.DEFAULT));
        for (String extra : System.getProperty("steady.extra", "").split(",")) {
            if (!extra.isBlank()) {
                String[] gz = extra.split(":");
                checks.add(new SteadyState(0.5, Double.parseDouble(gz[0]), 0, Double.parseDouble(gz[1])));
            }
        }
        List<Errors> errors = new ArrayList<>();
        for (SteadyState check : checks) {
            Errors e = measure(queue, seconds, check);
            errors.add(e);
            System.out.printf(Locale.ROOT, "steady-noise %s, %.0f s probes, growth <= %.2f + %.1f sd: %s%n", queue.name(),
                    seconds, check.maxBacklogGrowth(), check.noiseSigmas(), e.describe());
        }
        Errors fixed = errors.get(0);
        Errors scaled = errors.get(1);
        String where = queue.name() + ", " + seconds + " s probes: " + scaled.describe();
        // Measured 5 Dec 2026 (20 seeds): the scaled bound never failed a rate at 0.8 to 0.95 of capacity (the fixed
        // one failed up to 10% at 0.95), accepted at most 70% at 1.05 (fixed 30%: growth 4.8% is inside 3% + 2 sd),
        // at most 15% at 1.1 and none at 1.2; bisected capacities +3.2% to +5.7% on average, -1.6% to +13.3% at worst.
        for (int i = 0; i < BELOW.length; i++) {
            assertTrue(scaled.rejected()[i] <= fixed.rejected()[i], "fails more stable rates than the fixed bound; "
                    + where);
        }
        assertTrue(scaled.rejected()[0] == 0 && scaled.rejected()[1] == 0, "failed a rate at 0.8 or 0.9; " + where);
        assertTrue(scaled.accepted()[2] == 0 && scaled.accepted()[1] <= 0.25, "passed rates 10-20% past; " + where);
        assertTrue(scaled.capacityMeanError() > -0.02 && scaled.capacityMeanError() < 0.08, where);
        assertTrue(scaled.capacityWorstUnder() > -0.06 && scaled.capacityWorstOver() < 0.18, where);
    }

    /**
     * The run's own noise estimate against the spread it estimates: over {@link #SEEDS} seeds of a stable queue at 0.9
     * of capacity, the standard deviation of the growth across seeds and the mean of the runs' noise estimates agree
     * within a factor of two (the estimate's own error over 20 seeds is about 16%).
     */
    @ParameterizedTest(name = "{0}, {1} s probes")
    @CsvSource({"single-fast, 60", "single-variable, 60", "many-bimodal, 60", "many-bimodal, 300"})
    void theRunsNoiseEstimateMatchesTheSpreadAcrossSeeds(String name, double seconds) {
        KnownCapacityQueue queue = queue(name);
        double rate = 0.9 * queue.capacityRps();
        double sum = 0;
        double sumSq = 0;
        double noise = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            Backlog b = run(queue, KnownCapacityQueue.poisson(seed, 150_000), rate, seconds, seed).backlog();
            sum += b.growth(0.5);
            sumSq += b.growth(0.5) * b.growth(0.5);
            noise += b.noise(0.5) / SEEDS;
        }
        double spread = Math.sqrt((sumSq - sum * sum / SEEDS) / (SEEDS - 1));
        System.out.printf(Locale.ROOT, "steady-noise %s, %.0f s probes at 0.9: growth mean %.4f, sd across seeds %.4f,"
                + " mean noise estimate %.4f%n", queue.name(), seconds, sum / SEEDS, spread, noise);
        assertTrue(noise > spread / 2 && noise < spread * 2, "noise estimate " + noise + " against spread " + spread);
    }
}
