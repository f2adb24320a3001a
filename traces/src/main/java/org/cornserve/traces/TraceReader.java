package org.cornserve.traces;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A stream of trace records in arrival order, pulled one at a time so that a trace of any length is
 * never held in memory whole. Close it when done (try-with-resources).
 */
public interface TraceReader extends Closeable {

    /**
     * The next record, or null at the end of the trace.
     *
     * @throws TraceFormatException on a bad line (naming file and line), unless the reader skips bad lines
     * @throws IOException when the source cannot be read
     */
    TraceRecord read() throws IOException;

    /** Lines skipped as bad so far (only readers opened with skip-bad skip; others throw). */
    default long skippedLines() {
        return 0;
    }

    /** The first problem skipped, for the report, or null when none was. */
    default String firstSkippedProblem() {
        return null;
    }

    @Override
    void close() throws IOException;

    /** The remaining records as an iterator; an I/O or format error surfaces as {@link UncheckedIOException}. */
    default Iterator<TraceRecord> iterator() {
        return new Iterator<>() {
            private TraceRecord next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next == null && !done) {
                    try {
                        next = read();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    done = next == null;
                }
                return next != null;
            }

            @Override
            public TraceRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                TraceRecord r = next;
                next = null;
                return r;
            }
        };
    }

    /** The remaining records as a sequential stream; closing the stream closes the reader. */
    default Stream<TraceRecord> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(),
                        Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(() -> {
                    try {
                        close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }
}
