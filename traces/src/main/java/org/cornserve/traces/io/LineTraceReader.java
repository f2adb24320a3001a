package org.cornserve.traces.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cornserve.traces.TraceFormatException;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;

/**
 * The shared loop of line-oriented trace readers: splits lines, skips blank ones, hands each other
 * line to {@link #parseLine}, checks that arrivals never go back in time, and either stops at the first
 * bad line with a {@link TraceFormatException} naming file and line or, with skip-bad, counts and skips it.
 */
public abstract class LineTraceReader implements TraceReader {

    private final LineReader lines;
    private final String sourceName;
    private final boolean skipBad;
    private long skipped;
    private String firstSkipped;
    private long previousArrivalNanos = Long.MIN_VALUE;

    protected LineTraceReader(InputStream in, String sourceName, boolean skipBad) {
        this.lines = new LineReader(in);
        this.sourceName = sourceName;
        this.skipBad = skipBad;
    }

    /** Opens a file for a subclass, naming it by its file name in errors. */
    protected static InputStream openFile(Path file) throws IOException {
        return Files.newInputStream(file);
    }

    /**
     * Parses one non-blank line into a record, or returns null for a line that holds no record
     * (a header). {@code lineNumber} is 1-based.
     */
    protected abstract TraceRecord parseLine(byte[] buf, int start, int end, long lineNumber)
            throws LineProblem;

    @Override
    public final TraceRecord read() throws IOException {
        while (lines.next()) {
            if (lines.isBlank()) {
                continue;
            }
            TraceRecord record;
            try {
                record = parseLine(lines.buffer(), lines.start(), lines.end(), lines.lineNumber());
                if (record == null) {
                    continue;
                }
                if (record.arrivalNanos() < previousArrivalNanos) {
                    throw new LineProblem("arrival " + record.arrivalSeconds() + " s is before the previous line's "
                            + previousArrivalNanos / 1e9 + " s (traces must be in time order)");
                }
            } catch (LineProblem | IllegalArgumentException e) {
                TraceFormatException error = new TraceFormatException(sourceName, lines.lineNumber(), e.getMessage());
                if (!skipBad) {
                    throw error;
                }
                if (skipped++ == 0) {
                    firstSkipped = error.getMessage();
                }
                continue;
            }
            previousArrivalNanos = record.arrivalNanos();
            return record;
        }
        return null;
    }

    @Override
    public long skippedLines() {
        return skipped;
    }

    @Override
    public String firstSkippedProblem() {
        return firstSkipped;
    }

    protected String sourceName() {
        return sourceName;
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
