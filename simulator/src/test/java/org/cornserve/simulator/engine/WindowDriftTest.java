package org.cornserve.simulator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cornserve.model.json.Json;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.simulator.config.ServedStepCosts;
import org.cornserve.simulator.config.WindowDrift;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The served costs' window drift ({@link WindowDrift}): one draw per window of simulated time, the same for every step
 * that starts in it, prefill and decode at the same probability; {@link StepTimer#nanosAt} charges a step's compute
 * (not its round trips) times its window's factor.
 */
class WindowDriftTest {
    private static final long S = 1_000_000_000L;

    static ServedStepCosts costs(long seed, WindowDrift drift) {
        return new ServedStepCosts(0, List.of(), List.of(), seed, "test", List.of(), 0, 0, 0, 0, List.of(), 0, 0, 0,
                0, null, 0, drift);
    }

    @Test
    void oneDrawPerWindowPrefillAndDecodeAtTheSameProbability() {
        // the prefill table twice the decode's: at the same probability its factor is twice the decode's
        WindowDrift d = new WindowDrift(10, List.of(1.0, 1.6, 2.4), List.of(0.5, 0.8, 1.2));
        for (long w = 0; w < 50; w++) {
            double first = d.factor(3, w * 10 * S, false);
            assertEquals(first, d.factor(3, w * 10 * S + 10 * S - 1, false), 0, "the same window, the same draw");
            assertEquals(2 * first, d.factor(3, w * 10 * S + 4 * S, true), 1e-12);
            assertTrue(first >= 0.5 && first <= 1.2, "inside its table: " + first);
        }
        assertEquals(0, d.window(-5));
        assertEquals(2, d.window(25 * S));
        assertNotEquals(d.factor(3, 0, false), d.factor(4, 0, false), "the seed draws anew");
    }

    /** Over many windows the factors' mean is the table's (a uniform probability read off a piecewise-linear table). */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void theFactorsFollowTheTable(long seed) {
        List<Double> t = List.of(0.7, 0.9, 1.0, 1.05, 1.4);
        WindowDrift d = new WindowDrift(10, t, t);
        int n = 40_000;
        double sum = 0;
        int below = 0;
        for (long w = 0; w < n; w++) {
            double f = d.factor(seed, w * 10 * S, false);
            sum += f;
            below += f < 1.0 ? 1 : 0;
        }
        // the trapezoids' mean, and half the probability below the table's middle value
        double mean = 0;
        for (int i = 0; i + 1 < t.size(); i++) {
            mean += (t.get(i) + t.get(i + 1)) / 2 / (t.size() - 1);
        }
        assertEquals(mean, sum / n, 0.005);
        assertEquals(0.5, below / (double) n, 0.01);
    }

    /** A step's compute times its start's window's factor, its round trip not; a simple reference by hand. */
    @Test
    void theTimerChargesTheComputeTimesItsWindowsFactor() {
        Fixtures.LinearLlm cost = new Fixtures.LinearLlm(true);
        WindowDrift d = new WindowDrift(10, List.of(1.5, 1.5), List.of(0.8, 0.8));
        StepTimer plain = new StepTimer(new Object[] {cost}, "llm").withStepOverhead(300_000, 4)
                .withServedCosts(costs(1, null));
        StepTimer drifting = new StepTimer(new Object[] {cost}, "llm").withStepOverhead(300_000, 4)
                .withServedCosts(costs(1, d));
        Step.LlmStep prefill = new Step.LlmStep(0, 1000, 0, 0, 0, 1);
        Step.LlmStep decode = new Step.LlmStep(0, 0, 0, 1, 0, 8);
        for (long start : new long[] {0, 12 * S, 95 * S}) {
            long p = plain.nanosAt(prefill, 1, 7, start);
            assertEquals(Math.round((p - 300_000) * 1.5) + 300_000, drifting.nanosAt(prefill, 1, 7, start), 2);
            long q = plain.nanosAt(decode, 8, 7, start);
            assertEquals(Math.round((q - 2 * 300_000) * 0.8) + 2 * 300_000, drifting.nanosAt(decode, 8, 7, start), 2);
        }
    }

    @Test
    void badTablesAreRefusedNamingTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new WindowDrift(0, List.of(1.0, 1.0),
                List.of(1.0, 1.0))).getMessage().contains("window_seconds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new WindowDrift(10, List.of(1.0),
                List.of(1.0, 1.0))).getMessage().contains("prefill"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new WindowDrift(10, List.of(1.0, 1.1),
                List.of(1.2, 1.0))).getMessage().contains("decode"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new WindowDrift(10, List.of(0.0, 1.1),
                List.of(1.0, 1.2))).getMessage().contains("positive"));
    }

    @Test
    void theJsonRoundTripsAndOlderFilesHaveNone() throws Exception {
        ServedStepCosts c = costs(1, new WindowDrift(10, List.of(0.9, 1.1), List.of(0.8, 1.3)));
        ServedStepCosts back = Json.mapper().readValue(Json.mapper().writeValueAsString(c), ServedStepCosts.class);
        assertEquals(c, back);
        assertTrue(Json.mapper().writeValueAsString(c).contains("\"window_drift\""));
        assertNull(Json.mapper().readValue("{\"extra_ms_per_sequence\": 0.01, \"seed\": 1}", ServedStepCosts.class)
                .windowDrift());
        assertNull(c.withoutStepExcess().windowDrift(), "a served run's own speed window by window replaces it");
        assertEquals(c.windowDrift(), c.withExtraMsPerSequence(0.02, "x").windowDrift());
    }
}
