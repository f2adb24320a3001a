package org.cornserve.traces.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;

/** Runs cut from a trace: replayed past its end, rescaled to a rate. */
class TraceRunsTest {

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

    @Test
    void rescalingKeepsThePatternAndSetsTheRate() {
        List<TraceRecord> trace = List.of(rec(0), rec(1_000_000_000L), rec(3_000_000_000L), rec(4_000_000_000L));
        List<TraceRecord> out = TraceRuns.rescale(trace, 3.0, 4); // 3 gaps over 4 s -> 0.75 rps, scaled x4
        assertEquals(List.of(0L, 250_000_000L, 750_000_000L, 1_000_000_000L),
                out.stream().map(TraceRecord::arrivalNanos).toList());
    }

    @Test
    void aRunAtARateIsTheReplayedTraceRescaledAndBadArgumentsAreNamed() {
        List<TraceRecord> trace = List.of(rec(0), rec(2_000_000_000L));
        List<TraceRecord> run = TraceRuns.at(trace, 10, 5);
        assertEquals(List.of(0L, 100_000_000L, 200_000_000L, 300_000_000L, 400_000_000L),
                run.stream().map(TraceRecord::arrivalNanos).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TraceRuns.rescale(trace, 0, 2));
        assertEquals("rescaling needs a positive rate and two requests, got 0.0 rps and 2 requests", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TraceRuns.replayed(List.of(rec(0)), 3));
        assertEquals("replaying a trace needs two records, got 1", e.getMessage());
    }

    private static TraceRecord rec(long at) {
        return new TraceRecord(at, "default", RequestShape.text(10, 10));
    }
}
