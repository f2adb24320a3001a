package org.cornserve.simulator.plan;

import java.util.Iterator;
import java.util.List;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;

/** A trace held in a list, read in order (tests build small traces by hand). */
final class ListTraceReader implements TraceReader {
    private final Iterator<TraceRecord> it;

    ListTraceReader(List<TraceRecord> records) {
        this.it = List.copyOf(records).iterator();
    }

    @Override
    public TraceRecord read() {
        return it.hasNext() ? it.next() : null;
    }

    @Override
    public void close() {
    }
}
