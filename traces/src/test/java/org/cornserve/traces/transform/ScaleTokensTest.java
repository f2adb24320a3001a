package org.cornserve.traces.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.LongList;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.TraceSource;
import org.junit.jupiter.api.Test;

class ScaleTokensTest {
    @Test
    void scalesTextAndOutputTokensKeepingArrivalsAndAtLeastOneToken() throws Exception {
        List<TraceRecord> in = List.of(
                new TraceRecord(5, "a", new RequestShape(1000, List.of(), 235, null), "r1", LongList.EMPTY),
                new TraceRecord(9, "b", new RequestShape(2, List.of(), 1, null), "r2", LongList.EMPTY));
        TraceSource source = sourceOf(in);
        List<TraceRecord> out = new ArrayList<>();
        try (TraceReader r = Transforms.scaleTokens(source, 0.25).open()) {
            for (TraceRecord t = r.read(); t != null; t = r.read()) {
                out.add(t);
            }
        }
        assertEquals(250, out.get(0).shape().textTokens());
        assertEquals(59, out.get(0).shape().outputTokens());
        assertEquals(1, out.get(1).shape().textTokens());
        assertEquals(1, out.get(1).shape().outputTokens());
        assertEquals(List.of(5L, 9L), out.stream().map(TraceRecord::arrivalNanos).toList());
        assertEquals(List.of("r1", "r2"), out.stream().map(TraceRecord::requestId).toList());
        assertThrows(IllegalArgumentException.class, () -> Transforms.scaleTokens(source, 0));
    }

    @Test
    void promptOverheadAddsTextTokensToEveryRecordAndNothingElse() throws Exception {
        List<TraceRecord> in = List.of(
                new TraceRecord(5, "a", new RequestShape(1021, List.of(), 12, null), "r1", LongList.EMPTY),
                new TraceRecord(9, "b", new RequestShape(3, List.of(), 1, null), "r2", LongList.EMPTY));
        TraceSource source = sourceOf(in);
        List<TraceRecord> out = new ArrayList<>();
        try (TraceReader r = Transforms.addPromptTokens(source, 18).open()) {
            for (TraceRecord t = r.read(); t != null; t = r.read()) {
                out.add(t);
            }
        }
        assertEquals(List.of(1039, 21), out.stream().map(t -> t.shape().textTokens()).toList());
        assertEquals(List.of(12, 1), out.stream().map(t -> t.shape().outputTokens()).toList());
        assertEquals(List.of(5L, 9L), out.stream().map(TraceRecord::arrivalNanos).toList());
        assertEquals(List.of("r1", "r2"), out.stream().map(TraceRecord::requestId).toList());
        assertEquals(source, Transforms.addPromptTokens(source, 0), "no overhead: the source itself");
        assertThrows(IllegalArgumentException.class, () -> Transforms.addPromptTokens(source, -1));
    }

    /** A source that reads {@code records} in order, anew on each open. */
    private static TraceSource sourceOf(List<TraceRecord> records) {
        return () -> new TraceReader() {
            int i;

            @Override
            public TraceRecord read() {
                return i < records.size() ? records.get(i++) : null;
            }

            @Override
            public void close() {
            }
        };
    }
}
