package org.cornserve.traces.transform;

import java.io.IOException;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;

/**
 * A reader that passes another's records through a per-record step which may change a record, drop
 * it (return null from {@link Step#apply}) or end the trace early ({@link Step#done}).
 */
final class MappingTraceReader implements TraceReader {

    /** One streaming transform step. */
    interface Step {
        /** The record to emit, or null to drop it. */
        TraceRecord apply(TraceRecord record);

        /** True when no later record can pass (so reading stops early). */
        default boolean done() {
            return false;
        }
    }

    private final TraceReader upstream;
    private final Step step;

    MappingTraceReader(TraceReader upstream, Step step) {
        this.upstream = upstream;
        this.step = step;
    }

    @Override
    public TraceRecord read() throws IOException {
        while (!step.done()) {
            TraceRecord r = upstream.read();
            if (r == null) {
                return null;
            }
            TraceRecord out = step.apply(r);
            if (out != null) {
                return out;
            }
        }
        return null;
    }

    @Override
    public long skippedLines() {
        return upstream.skippedLines();
    }

    @Override
    public String firstSkippedProblem() {
        return upstream.firstSkippedProblem();
    }

    @Override
    public void close() throws IOException {
        upstream.close();
    }
}
