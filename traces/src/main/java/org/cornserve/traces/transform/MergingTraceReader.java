package org.cornserve.traces.transform;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;

/**
 * Merges several time-ordered traces into one in time order (equal arrivals: the earlier input
 * first), holding one pending record per input. O(log k) per record for k inputs.
 */
public final class MergingTraceReader implements TraceReader {

    private record Head(TraceRecord record, int input) {
    }

    private final List<TraceReader> inputs;
    private final PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> {
        int c = Long.compare(a.record.arrivalNanos(), b.record.arrivalNanos());
        return c != 0 ? c : Integer.compare(a.input, b.input);
    });
    private boolean started;

    public MergingTraceReader(List<TraceReader> inputs) {
        this.inputs = List.copyOf(inputs);
    }

    @Override
    public TraceRecord read() throws IOException {
        if (!started) {
            started = true;
            for (int i = 0; i < inputs.size(); i++) {
                TraceRecord r = inputs.get(i).read();
                if (r != null) {
                    heads.add(new Head(r, i));
                }
            }
        }
        Head h = heads.poll();
        if (h == null) {
            return null;
        }
        TraceRecord next = inputs.get(h.input).read();
        if (next != null) {
            heads.add(new Head(next, h.input));
        }
        return h.record;
    }

    @Override
    public long skippedLines() {
        long n = 0;
        for (TraceReader r : inputs) {
            n += r.skippedLines();
        }
        return n;
    }

    @Override
    public String firstSkippedProblem() {
        for (TraceReader r : inputs) {
            if (r.firstSkippedProblem() != null) {
                return r.firstSkippedProblem();
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (TraceReader r : new ArrayList<>(inputs)) {
            try {
                r.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
