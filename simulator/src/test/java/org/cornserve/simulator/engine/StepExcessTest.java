package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.cornserve.model.json.Json;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.simulator.config.ServedStepCosts;
import org.cornserve.simulator.config.StepExcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The served costs' step excess ({@link StepExcess}) as {@link StepTimer} charges it, against a reference that walks a
 * step report by report: its profile compute (plus the extra per sequence) at the kind's median speed, plus the excess
 * drawn from the table of its bin, never under the floor; and the same key draws the same.
 */
class StepExcessTest {

    static ServedStepCosts costs(double extra, long seed, StepExcess excess) {
        return new ServedStepCosts(extra, List.of(), List.of(), seed, "test", List.of(), 0, 0, 0, 0, List.of(), 0, 0,
                0, 0, excess, 0);
    }

    static StepExcess constant(double scale, double excessMs) {
        return new StepExcess(scale, scale, List.of(10.0), Collections.nCopies(2, List.of(excessMs, excessMs)),
                Collections.nCopies(2, List.of(excessMs, excessMs)));
    }

    /** The charge of the first {@code m} iterations, report by report. */
    static double reference(Fixtures.LinearLlm cost, Step.LlmStep s, long m, ServedStepCosts c, long fixedNanos,
            long perReport, long key) {
        StepExcess e = c.stepExcess();
        boolean prefill = s.prefillTokens() > 0;
        long group = prefill ? 1 : perReport;
        double nanos = 0;
        long report = 0;
        for (long lo = 0; lo < m; lo += group, report++) {
            double seconds = 0;
            double first = prefill ? 0 : cost.iterationSeconds(0, 0, s.decodeSequences(), s.decodeContextTokens()
                    + lo * s.decodeSequences()) + c.extraMsPerSequence() * 1e-3 * (s.decodeSequences() - 1);
            for (long i = lo; i < Math.min(m, lo + group); i++) {
                seconds += prefill ? cost.iterationSeconds(s.prefillTokens(), s.prefillContextTokens(),
                        s.decodeSequences(), s.decodeContextTokens())
                        : cost.iterationSeconds(0, 0, s.decodeSequences(), s.decodeContextTokens()
                                + i * s.decodeSequences());
                seconds += c.extraMsPerSequence() * 1e-3 * Math.max(0, s.decodeSequences() + (prefill ? 1 : 0) - 1);
            }
            double scale = prefill ? e.prefillScale() : e.decodeScale();
            double atMedian = seconds * scale;
            long n = Math.min(m, lo + group) - lo;
            double whole = prefill ? seconds : first * group; // a report's bin: its whole size
            List<Double> table = (prefill ? e.prefillMs() : e.decodeMs()).get(e.bin(whole * scale * 1e3));
            double[] t = table.stream().mapToDouble(Double::doubleValue).toArray();
            double excess = ServedStepCosts.quantileAt(t, ServedStepCosts.uniform(c.seed(), key, report, 3))
                    * n / group; // cut short: its share
            nanos += Math.max(StepExcess.FLOOR * atMedian, atMedian + excess * 1e-3) * 1e9 + fixedNanos;
        }
        return nanos;
    }

    static StepExcess random(Random rnd) {
        List<Double> bins = new ArrayList<>();
        double edge = 1 + rnd.nextDouble() * 4;
        for (int i = rnd.nextInt(4); i > 0; i--) {
            bins.add(edge);
            edge += 1 + rnd.nextDouble() * 10;
        }
        List<List<Double>> prefill = new ArrayList<>();
        List<List<Double>> decode = new ArrayList<>();
        for (int b = 0; b <= bins.size(); b++) {
            prefill.add(ServedStepCostsTest.ascending(rnd, 2 + rnd.nextInt(30), -8, 1.5));
            decode.add(ServedStepCostsTest.ascending(rnd, 2 + rnd.nextInt(30), -6, 0.8));
        }
        return new StepExcess(0.5 + rnd.nextDouble() * 0.6, 0.5 + rnd.nextDouble() * 0.6, bins, prefill, decode);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void aStepIsChargedAtTheMedianSpeedPlusItsBinsExcessAsTheReferenceWalksIt(long seed) {
        Random rnd = new Random(seed);
        Fixtures.LinearLlm cost = new Fixtures.LinearLlm(rnd.nextBoolean());
        long perReport = 1 + rnd.nextInt(6);
        long fixed = rnd.nextInt(2_000_000);
        ServedStepCosts c = costs(rnd.nextInt(500) / 1000.0, rnd.nextLong(), random(rnd));
        StepTimer timer = new StepTimer(new Object[] {cost}, "llm").withStepOverhead(fixed, perReport)
                .withServedCosts(c);
        long key = rnd.nextLong();
        long planned = 1 + rnd.nextInt(120);
        Step.LlmStep decode = new Step.LlmStep(0, 0, 0, 1 + rnd.nextInt(8), 50 + rnd.nextInt(3000), planned);
        ServedStepCostsTest.checkRun(timer, decode, key, m -> reference(cost, decode, m, c, fixed, perReport, key),
                "with a step excess");
        long tokens = 1 + rnd.nextInt(2000);
        Step.LlmStep prefill = new Step.LlmStep(0, tokens, tokens * (tokens + 1) / 2, rnd.nextInt(4),
                rnd.nextInt(400), 1);
        double expected = reference(cost, prefill, 1, c, fixed, perReport, key);
        assertEquals(expected, timer.nanos(prefill, 1, key), 1e-6 * expected + 2, "prefill " + prefill);
    }

    /** A 5 ms + 2 us-a-token prefill of 1,000 tokens (7 ms) at half speed plus 2 ms: 5.5 ms; under the floor: 0.35. */
    @Test
    void byHand() {
        Fixtures.LinearLlm cost = new Fixtures.LinearLlm(true);
        Step.LlmStep prefill = new Step.LlmStep(0, 1000, 0, 0, 0, 1);
        StepTimer plus = new StepTimer(new Object[] {cost}, "llm").withServedCosts(costs(0, 1, constant(0.5, 2)));
        assertEquals(5_500_000, plus.nanos(prefill, 1, 7), 2);
        StepTimer floor = new StepTimer(new Object[] {cost}, "llm").withServedCosts(costs(0, 1, constant(0.5, -100)));
        assertEquals(350_000, floor.nanos(prefill, 1, 7), 2);
        // four decode iterations of one sequence from no context (3 ns a context token), one report: at half speed,
        // plus 2 ms
        Step.LlmStep decode = new Step.LlmStep(0, 0, 0, 1, 0, 4);
        StepTimer reports = new StepTimer(new Object[] {cost}, "llm").withStepOverhead(0, 4)
                .withServedCosts(costs(0, 1, constant(0.5, 2)));
        assertEquals((4 * 5_020_000 + 3 * (0 + 1 + 2 + 3)) / 2 + 2_000_000, reports.nanos(decode, 4, 7), 2);
    }

    @Test
    void drawsDependOnTheSeedAndTheKey() {
        Fixtures.LinearLlm cost = new Fixtures.LinearLlm(true);
        StepExcess spread = new StepExcess(1, 1, List.of(), List.of(List.of(0.0, 50.0)), List.of(List.of(0.0, 50.0)));
        Step.LlmStep prefill = new Step.LlmStep(0, 100, 5050, 0, 0, 1);
        long a = new StepTimer(new Object[] {cost}, "llm").withServedCosts(costs(0, 1, spread)).nanos(prefill, 1, 7);
        long b = new StepTimer(new Object[] {cost}, "llm").withServedCosts(costs(0, 2, spread)).nanos(prefill, 1, 7);
        long k = new StepTimer(new Object[] {cost}, "llm").withServedCosts(costs(0, 1, spread)).nanos(prefill, 1, 8);
        assertNotEquals(a, b, "another seed, another draw");
        assertNotEquals(a, k, "another step, another draw");
        assertTrue(costs(0, 1, null).isNone() && !costs(0, 1, spread).isNone());
        assertNull(costs(0, 1, spread).withoutStepExcess().stepExcess());
    }

    @Test
    void badTablesAreRefusedNamingTheField() {
        List<List<Double>> two = List.of(List.of(0.0, 1.0), List.of(0.0, 1.0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new StepExcess(0, 1, List.of(5.0), two, two))
                .getMessage().contains("prefill_scale"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new StepExcess(1, 1, List.of(5.0, 5.0), two, two)).getMessage().contains("bins_ms"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new StepExcess(1, 1, List.of(), two, List.of(List.of(0.0, 1.0)))).getMessage()
                .contains("prefill_ms needs one table per bin (1)"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new StepExcess(1, 1, List.of(5.0), two, List.of(List.of(0.0, 1.0), List.of(1.0, 0.0))))
                .getMessage().contains("decode_ms table 1 must be finite and ascending"));
        StepExcess e = new StepExcess(1, 1, List.of(2.0, 5.0), List.of(List.of(0.0, 1.0), List.of(0.0, 1.0),
                List.of(0.0, 1.0)), List.of(List.of(0.0, 1.0), List.of(0.0, 1.0), List.of(0.0, 1.0)));
        assertEquals(0, e.bin(1.99));
        assertEquals(1, e.bin(2));
        assertEquals(2, e.bin(500));
    }

    @Test
    void theJsonRoundTripsAndOlderFilesHaveNone() throws Exception {
        ServedStepCosts c = costs(0.01, 3, constant(0.9, 1.5));
        ServedStepCosts back = Json.mapper().readValue(Json.mapper().writeValueAsString(c), ServedStepCosts.class);
        assertEquals(c, back);
        assertTrue(Json.mapper().writeValueAsString(c).contains("\"step_excess\""));
        ServedStepCosts old = Json.mapper().readValue("{\"extra_ms_per_sequence\": 0.01, \"seed\": 1}",
                ServedStepCosts.class);
        assertNull(old.stepExcess());
        assertEquals(1, old.passes(), "one pass where the file names none");
        assertEquals(8, Json.mapper().readValue("{\"prediction_passes\": 8}", ServedStepCosts.class).passes());
        assertTrue(assertThrows(Exception.class, () -> Json.mapper().readValue("{\"prediction_passes\": 101}",
                ServedStepCosts.class)).getMessage().contains("prediction_passes must be 0 to 100"));
    }
}
