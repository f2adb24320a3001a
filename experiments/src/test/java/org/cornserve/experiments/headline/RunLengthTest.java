package org.cornserve.experiments.headline;

import org.cornserve.traces.transform.TraceRuns;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;

/** Per-case run lengths and replaying a trace past its end. */
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

    @Test
    void replayShiftsEachPassByTheSpanPlusOneMeanGap() {
        List<TraceRecord> trace = new ArrayList<>();
        long[] arrivals = {1_000, 2_000, 4_000, 7_000};
        for (int i = 0; i < arrivals.length; i++) {
            trace.add(new TraceRecord(arrivals[i], "app", RequestShape.text(10 + i, 5)));
        }
        assertSame(trace, TraceRuns.replayed(trace, 4));
        List<TraceRecord> out = TraceRuns.replayed(trace, 10);
        assertEquals(10, out.size());
        long pass = 6_000 + 2_000; // span 6000 ns, mean gap 6000 / 3
        for (int i = 0; i < 10; i++) {
            assertEquals(arrivals[i % 4] + (i / 4) * pass, out.get(i).arrivalNanos(), "record " + i);
            assertEquals(trace.get(i % 4).shape(), out.get(i).shape());
        }
        List<TraceRecord> scaled = TraceRuns.rescale(out, 2, 10);
        assertEquals(0, scaled.get(0).arrivalNanos());
        assertEquals(4.5e9, scaled.get(9).arrivalNanos(), 1, "9 gaps at 2 rps");
    }
}
