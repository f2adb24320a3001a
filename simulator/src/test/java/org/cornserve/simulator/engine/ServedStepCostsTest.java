package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongToDoubleFunction;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.simulator.config.ServedStepCosts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The served step costs ({@link StepTimer#withServedCosts}) against a reference that walks a step one iteration at a
 * time: each iteration's profile cost times its report's drawn ratio, the extra per delivered sequence beyond the
 * first, and one drawn (or fixed) round trip per started report.
 */
class ServedStepCostsTest {

    /** The charge of the first {@code m} iterations, one iteration at a time (Fixtures.LinearLlm's whole-ns costs). */
    static double reference(Fixtures.LinearLlm cost, Step.LlmStep s, long m, ServedStepCosts c, long fixedNanos,
            long perReport, long key) {
        double[] ratio = c.computeRatio().stream().mapToDouble(Double::doubleValue).toArray();
        double[] trip = c.roundTripMs().stream().mapToDouble(Double::doubleValue).toArray();
        boolean prefill = s.prefillTokens() > 0;
        long groupSize = prefill ? 1 : perReport;
        double nanos = 0;
        for (long i = 0; i < m; i++) {
            long report = i / groupSize;
            double iteration = prefill
                    ? cost.iterationSeconds(s.prefillTokens(), s.prefillContextTokens(), s.decodeSequences(),
                            s.decodeContextTokens())
                    : cost.iterationSeconds(0, 0, s.decodeSequences(), s.decodeContextTokens() + i * s.decodeSequences());
            double r = ratio.length == 0 ? 1 : ServedStepCosts.quantileAt(ratio, ServedStepCosts.uniform(c.seed(), key,
                    report, 0));
            int delivered = s.decodeSequences() + (prefill ? 1 : 0);
            nanos += iteration * 1e9 * r + c.extraMsPerSequence() * 1e6 * Math.max(0, delivered - 1);
            if (i % groupSize == 0) {
                nanos += trip.length == 0 ? fixedNanos : Math.round(1e6 * ServedStepCosts.quantileAt(trip,
                        ServedStepCosts.uniform(c.seed(), key, report, 1)));
            }
        }
        return nanos;
    }

    /**
     * A decode run charged for each first {@code m} of its planned iterations as {@code expected} says (within 1e-6
     * and 2 ns), non-decreasing in {@code m}, the same again for the same key, and cut where its charge says.
     */
    static void checkRun(StepTimer timer, Step.LlmStep decode, long key, LongToDoubleFunction expected,
            String what) {
        long planned = decode.iterations();
        long previous = 0;
        for (long m = 1; m <= planned; m++) {
            long charged = timer.nanos(decode, m, key);
            double want = expected.applyAsDouble(m);
            assertEquals(want, charged, 1e-6 * want + 2, "decode x" + decode.decodeSequences() + ", first " + m
                    + " of " + planned + " iterations, " + what);
            assertTrue(charged >= previous, "non-decreasing in the iterations (the run's cut is a binary search)");
            assertEquals(charged, timer.nanos(decode, m, key), "the same key draws the same");
            previous = charged;
        }
        long reached = timer.iterationsToReach(decode, planned, 1000, 1000 + timer.nanos(decode, planned / 2 + 1,
                key), key);
        assertEquals(planned / 2 + 1, reached, "the cut finds the iteration with the keyed charge");
    }

    static List<Double> ascending(Random rnd, int n, double from, double spread) {
        List<Double> v = new ArrayList<>();
        double x = from;
        for (int i = 0; i < n; i++) {
            v.add(x);
            x += rnd.nextDouble() * spread;
        }
        return v;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void aStepIsChargedReportByReportAsTheReferenceWalksIt(long seed) {
        Random rnd = new Random(seed);
        Fixtures.LinearLlm cost = new Fixtures.LinearLlm(rnd.nextBoolean());
        long perReport = 1 + rnd.nextInt(6);
        long fixed = rnd.nextInt(2_000_000);
        ServedStepCosts costs = new ServedStepCosts(rnd.nextInt(500) / 1000.0,
                rnd.nextBoolean() ? ascending(rnd, 2 + rnd.nextInt(20), 0.5, 0.3) : List.of(),
                rnd.nextBoolean() ? ascending(rnd, 2 + rnd.nextInt(20), 0.1, 0.8) : List.of(), rnd.nextLong(), "test");
        StepTimer timer = new StepTimer(new Object[] {cost}, "llm").withStepOverhead(fixed, perReport)
                .withServedCosts(costs);
        long key = rnd.nextLong();
        long planned = 1 + rnd.nextInt(120);
        Step.LlmStep decode = new Step.LlmStep(0, 0, 0, 1 + rnd.nextInt(8), 50 + rnd.nextInt(3000), planned);
        checkRun(timer, decode, key, m -> reference(cost, decode, m, costs, fixed, perReport, key),
                perReport + " per report");
        Step.LlmStep mixed = new Step.LlmStep(0, 1 + rnd.nextInt(500), 0, rnd.nextInt(4), rnd.nextInt(400), 1);
        mixed = new Step.LlmStep(0, mixed.prefillTokens(), mixed.prefillTokens() * (mixed.prefillTokens() + 1) / 2,
                mixed.decodeSequences(), mixed.decodeContextTokens(), 1);
        double expected = reference(cost, mixed, 1, costs, fixed, perReport, key);
        assertEquals(expected, timer.nanos(mixed, 1, key), 1e-6 * expected + 2, "mixed " + mixed);
    }

    /** 2 us extra per sequence: a decode of 4 sequences, 8 iterations, pays 8 x 3 x 2 us beyond the profile. */
    @Test
    void theExtraPerSequenceByHand() {
        Fixtures.LinearLlm cost = new Fixtures.LinearLlm(true);
        StepTimer plain = new StepTimer(new Object[] {cost}, "llm").withStepOverhead(100_000, 4);
        StepTimer served = plain.withServedCosts(new ServedStepCosts(0.002, List.of(), List.of(), 1, "by hand"));
        Step.LlmStep decode = new Step.LlmStep(0, 0, 0, 4, 1000, 8);
        assertEquals(plain.nanos(decode, 8) + 8 * 3 * 2_000, served.nanos(decode, 8, 42));
        Step.LlmStep alone = new Step.LlmStep(0, 0, 0, 1, 1000, 8);
        assertEquals(plain.nanos(alone, 8), served.nanos(alone, 8, 42), "one sequence pays no extra");
        Step.LlmStep mixed = new Step.LlmStep(0, 100, 5050, 2, 300, 1);
        assertEquals(plain.nanos(mixed, 1) + 2 * 2_000, served.nanos(mixed, 1, 42), "a prefill and 2 decodes: 3"
                + " delivered, 2 beyond the first");
        assertEquals(plain.nanos(decode, 8), plain.withServedCosts(ServedStepCosts.NONE).nanos(decode, 8, 42));
    }

    /** A lone request reaches the scheduler the fixed overhead plus the per-token overhead x its prompt later. */
    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24})
    void theRequestOverheadGrowsWithThePrompt(long seed) {
        Random rnd = new Random(seed);
        long prompt = 1 + rnd.nextInt(1000);
        long output = 2 + rnd.nextInt(50);
        long fixed = rnd.nextInt(20_000_000);
        double perToken = rnd.nextInt(80_000);
        var plain = lone(prompt, output, fixed, 0);
        var charged = lone(prompt, output, fixed, perToken);
        long extra = Math.round(perToken * prompt);
        assertEquals(plain.firstOutputNanos() + extra, charged.firstOutputNanos(), "TTFT");
        assertEquals(plain.completionNanos() + extra, charged.completionNanos(), "completion");
        assertThrows(IllegalArgumentException.class, () -> new Simulator(Fixtures.llmOnly(1, Fixtures.llmBatching(4096,
                org.cornserve.planner.schedule.batch.Preemption.RECOMPUTE), new Fixtures.LinearLlm(true),
                "round-robin")).withRequestOverheadPerToken(-1));
    }

    private static org.cornserve.simulator.metrics.RequestRecord lone(long prompt, long output, long fixedNanos,
            double perTokenNanos) {
        Simulator sim = new Simulator(Fixtures.llmOnly(1, Fixtures.llmBatching(4096,
                org.cornserve.planner.schedule.batch.Preemption.RECOMPUTE), new Fixtures.LinearLlm(true),
                "round-robin")).withRequestOverheadPerToken(perTokenNanos);
        return sim.run(List.of(new org.cornserve.simulator.event.SimRequest(0, 0, "app",
                Fixtures.textRequest(prompt, output, output), prompt)).iterator(), fixedNanos).records().get(0);
    }

    @Test
    void quantilesInterpolateLinearlyBetweenEquallySpacedProbabilities() {
        double[] table = {1, 2, 4};
        assertEquals(1, ServedStepCosts.quantileAt(table, 0), 1e-12);
        assertEquals(1.5, ServedStepCosts.quantileAt(table, 0.25), 1e-12);
        assertEquals(2, ServedStepCosts.quantileAt(table, 0.5), 1e-12);
        assertEquals(3, ServedStepCosts.quantileAt(table, 0.75), 1e-12);
        assertEquals(4, ServedStepCosts.quantileAt(table, 1), 1e-12);
        // 5 values, 3 quantiles: min, median, max; divided by 2
        assertEquals(List.of(0.5, 1.5, 5.0), ServedStepCosts.quantiles(new double[] {10, 1, 3, 2, 4}, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> new ServedStepCosts(0, List.of(2.0, 1.0), List.of(), 1,
                ""), "descending");
        assertThrows(IllegalArgumentException.class, () -> new ServedStepCosts(-1, List.of(), List.of(), 1, ""));
        assertThrows(IllegalArgumentException.class, () -> new ServedStepCosts(0, List.of(), List.of(1.0), 1, ""),
                "one quantile");
    }

    /**
     * Draws over many keys follow the table: their mean is the table's (piecewise-linear) mean within four standard
     * errors of the draws' own spread.
     */
    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15})
    void drawsFollowTheTable(long seed) {
        Random rnd = new Random(seed);
        double[] table = ascending(rnd, 2 + rnd.nextInt(30), 0.2, 1.0).stream().mapToDouble(Double::doubleValue)
                .toArray();
        double exact = 0;
        for (int i = 0; i + 1 < table.length; i++) {
            exact += (table[i] + table[i + 1]) / 2 / (table.length - 1);
        }
        int n = 20_000;
        double sum = 0;
        double sumSq = 0;
        for (int k = 0; k < n; k++) {
            double v = ServedStepCosts.quantileAt(table, ServedStepCosts.uniform(seed, rnd.nextLong(), k % 7, 0));
            sum += v;
            sumSq += v * v;
        }
        double mean = sum / n;
        double se = Math.sqrt((sumSq / n - mean * mean) / n);
        assertEquals(exact, mean, 4 * se + 1e-12);
    }
}
