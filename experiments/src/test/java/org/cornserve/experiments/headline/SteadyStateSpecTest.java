package org.cornserve.experiments.headline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cornserve.simulator.evaluate.SteadyState;
import org.junit.jupiter.api.Test;

/** The steady-state criterion of capacity probes is a spec field with a documented default. */
class SteadyStateSpecTest {
    private static final String BASE = """
            {"name": "t", "seed": 1, "hardware": "h100-sxm", "gpus": [8], "strategies": ["monolithic"], %s
             "workloads": {}, "cases": [{"name": "x", "models": ["m"], "slo": "ttft=1", "workloads": []}]}""";

    @Test
    void defaultsAndReadsTheField() {
        assertEquals(SteadyState.DEFAULT, HeadlineRunnerTest.spec(BASE.formatted("")).steadyState());
        HeadlineSpec set = HeadlineRunnerTest.spec(BASE.formatted(
                "\"steady_state\": {\"tail_fraction\": 0.25, \"max_backlog_growth\": 0.05},"));
        assertEquals(new SteadyState(0.25, 0.05), set.steadyState());
        assertEquals(set.steadyState(), set.withSeeds(List.of(4L, 5L)).steadyState(), "copies keep it");
        assertEquals(2.0, set.steadyState().noiseSigmas(), "noise_sigmas defaults to 2");
        HeadlineSpec fixed = HeadlineRunnerTest.spec(BASE.formatted(
                "\"steady_state\": {\"tail_fraction\": 0.5, \"max_backlog_growth\": 0.03, \"noise_sigmas\": 0},"));
        assertEquals(SteadyState.DEFAULT.withNoiseSigmas(0), fixed.steadyState());
    }

    @Test
    void aBadValueNamesTheField() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> HeadlineRunnerTest.spec(
                BASE.formatted("\"steady_state\": {\"tail_fraction\": 0.33, \"max_backlog_growth\": 0.05},")));
        String text = String.valueOf(e.getMessage()) + (e.getCause() == null ? "" : e.getCause().getMessage());
        assertTrue(text.contains("tail_fraction"), text);
        RuntimeException sigmas = assertThrows(RuntimeException.class, () -> HeadlineRunnerTest.spec(
                BASE.formatted("\"steady_state\": {\"tail_fraction\": 0.5, \"noise_sigmas\": -1},")));
        String sigmasText = String.valueOf(sigmas.getMessage())
                + (sigmas.getCause() == null ? "" : sigmas.getCause().getMessage());
        assertTrue(sigmasText.contains("noise_sigmas"), sigmasText);
    }
}
