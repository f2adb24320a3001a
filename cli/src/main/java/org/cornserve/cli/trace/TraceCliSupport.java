package org.cornserve.cli.trace;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.jsonl.JsonlTraceWriter;

/** Shared helpers of the trace commands. */
final class TraceCliSupport {

    private TraceCliSupport() {
    }

    /** Copies every record of {@code reader} to a JSONL file; returns the count. Closes both. */
    static long copy(TraceReader reader, Path out) throws IOException {
        try (reader; JsonlTraceWriter writer = JsonlTraceWriter.create(out)) {
            for (TraceRecord r; (r = reader.read()) != null; ) {
                writer.write(r);
            }
            return writer.written();
        }
    }

    /** Reports skipped bad lines on the error stream. */
    static void reportSkipped(PrintWriter err, TraceReader reader) {
        if (reader.skippedLines() > 0) {
            err.println("skipped " + reader.skippedLines() + " bad line(s); first: " + reader.firstSkippedProblem());
        }
    }

    /** Parses {@code START:END} seconds. */
    static double[] window(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--window wants START:END in seconds, got '" + text + "'");
        }
        try {
            double start = Double.parseDouble(text.substring(0, colon).trim());
            double end = Double.parseDouble(text.substring(colon + 1).trim());
            if (!(start >= 0) || !(end > start) || Double.isInfinite(end)) {
                throw new IllegalArgumentException("--window wants 0 <= START < END, got '" + text + "'");
            }
            return new double[] {start, end};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--window wants START:END in seconds, got '" + text + "'");
        }
    }
}
