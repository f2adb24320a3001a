package org.cornserve.experiments.headline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-case run lengths. */
class RunLengthTest {

    @Test
    void aCaseOverridesTheRunLengthWithinItsOwnCap() {
        HeadlineSpec.CaseSpec plain = new HeadlineSpec.CaseSpec("a", List.of("m"), "ttft=1", List.of());
        HeadlineSpec.CaseSpec speech = new HeadlineSpec.CaseSpec("b", List.of("m"), "ttft=1", List.of(), 240, 60_000);
        HeadlineSpec spec = HeadlineRunnerTest.spec("""
                {"name": "t", "seed": 1, "hardware": "h100-sxm", "gpus": [8], "strategies": ["monolithic"],
                 "requests_per_run": 2000, "run_seconds": 60, "max_requests_per_run": 20000, "workloads": {},
                 "cases": [{"name": "x", "models": ["m"], "slo": "ttft=1", "workloads": []}]}""").withCases(List.of(plain, speech));
        assertEquals(spec.requestsAt(100), spec.requestsAt(plain, 100));
        assertEquals(6000, spec.requestsAt(plain, 100));
        assertEquals(24_000, spec.requestsAt(speech, 100), "240 s at 100 rps");
        assertEquals(60_000, spec.requestsAt(speech, 1000), "capped");
        assertEquals(2000, spec.requestsAt(speech, 1), "at least requests_per_run");
        assertThrows(IllegalArgumentException.class,
                () -> new HeadlineSpec.CaseSpec("c", List.of("m"), "ttft=1", List.of(), -1, 0));
    }
}
