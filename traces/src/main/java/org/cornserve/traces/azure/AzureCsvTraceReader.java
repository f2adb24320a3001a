package org.cornserve.traces.azure;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.io.CsvFields;
import org.cornserve.traces.io.LineProblem;
import org.cornserve.traces.io.LineTraceReader;

/**
 * Shared part of the Azure CSV readers: the header check and the {@code TIMESTAMP} column, turned into
 * the offset from the first record's timestamp.
 */
abstract class AzureCsvTraceReader extends LineTraceReader {

    private final String expectedHeader;
    private final int columns;
    private long originEpochNanos = Long.MIN_VALUE;
    private boolean firstLineSeen;
    protected final CsvFields fields = new CsvFields();

    AzureCsvTraceReader(InputStream in, String sourceName, boolean skipBad, String expectedHeader) {
        super(in, sourceName, skipBad);
        this.expectedHeader = expectedHeader;
        this.columns = expectedHeader.split(",").length;
    }

    @Override
    protected final TraceRecord parseLine(byte[] buf, int start, int end, long lineNumber) throws LineProblem {
        if (!firstLineSeen) {
            firstLineSeen = true;
            if (end > start && !(buf[start] >= '0' && buf[start] <= '9')) {
                String header = new String(buf, start, end - start, StandardCharsets.UTF_8).replace(" ", "");
                if (!header.equalsIgnoreCase(expectedHeader)) {
                    throw new LineProblem("expected the header " + expectedHeader + ", got '" + header + "'");
                }
                return null;
            }
        }
        fields.reset(buf, start, end);
        int tsEnd = fields.peekEnd("TIMESTAMP");
        long epochNanos = AzureTimestamps.parseEpochNanos(buf, fields.position(), tsEnd, "TIMESTAMP");
        fields.consume(tsEnd);
        TraceRecord record = parseRest(relativeArrival(epochNanos));
        fields.expectEnd(columns);
        return record;
    }

    private long relativeArrival(long epochNanos) throws LineProblem {
        if (originEpochNanos == Long.MIN_VALUE) {
            originEpochNanos = epochNanos;
        }
        long arrival = epochNanos - originEpochNanos;
        if (arrival < 0) {
            throw new LineProblem("TIMESTAMP is before the trace's first timestamp (traces must be in time order)");
        }
        return arrival;
    }

    /** Parses the columns after TIMESTAMP from {@link #fields}. */
    protected abstract TraceRecord parseRest(long arrivalNanos) throws LineProblem;
}
