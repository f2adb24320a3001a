package org.cornserve.traces.burstgpt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.io.CsvFields;
import org.cornserve.traces.io.LineProblem;
import org.cornserve.traces.io.LineTraceReader;

/**
 * Reads BurstGPT's CSV traces ({@code Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type};
 * Timestamp in seconds). Text-only requests: Request tokens as text tokens, Response tokens as output
 * tokens (0 for the failed requests of the files with failures). Arrival = offset from the first line.
 * The app is {@link ReadOptions#app()} when given, otherwise the Model column ({@code ChatGPT},
 * {@code GPT-4}), so the two models' traffic stays apart.
 */
public final class BurstGptTraceReader extends LineTraceReader {

    public static final String HEADER = "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type";
    private static final int COLUMNS = 6;

    private final String appOverride;
    private final CsvFields fields = new CsvFields();
    private boolean firstLineSeen;
    private long originNanos = Long.MIN_VALUE;
    private String lastModel = "";

    public BurstGptTraceReader(InputStream in, String sourceName, ReadOptions options) {
        super(in, sourceName, options.skipBad());
        this.appOverride = options.app();
    }

    public static BurstGptTraceReader open(Path file, ReadOptions options) throws IOException {
        return new BurstGptTraceReader(openFile(file), file.toString(), options);
    }

    @Override
    protected TraceRecord parseLine(byte[] buf, int start, int end, long lineNumber) throws LineProblem {
        if (!firstLineSeen) {
            firstLineSeen = true;
            if (!(buf[start] >= '0' && buf[start] <= '9')) {
                String header = new String(buf, start, end - start, StandardCharsets.UTF_8);
                if (!header.trim().equalsIgnoreCase(HEADER)) {
                    throw new LineProblem("expected the header " + HEADER + ", got '" + header + "'");
                }
                return null;
            }
        }
        fields.reset(buf, start, end);
        long timestampNanos = fields.nextSecondsAsNanos("Timestamp");
        String model = model(buf, fields.position(), fields.peekEnd("Model"));
        fields.consume(fields.peekEnd("Model"));
        int request = fields.nextInt("Request tokens");
        int response = fields.nextInt("Response tokens");
        fields.nextLong("Total tokens");
        fields.skip("Log Type");
        fields.expectEnd(COLUMNS);
        if (originNanos == Long.MIN_VALUE) {
            originNanos = timestampNanos;
        }
        if (timestampNanos < originNanos) {
            throw new LineProblem("Timestamp is before the first line's (traces must be in time order)");
        }
        String app = appOverride != null ? appOverride : model;
        if (app.isBlank()) {
            throw new LineProblem("Model: empty");
        }
        return new TraceRecord(timestampNanos - originNanos, app, RequestShape.text(request, response));
    }

    /** The Model column, reusing the previous line's string when it is the same. */
    private String model(byte[] buf, int from, int to) {
        if (appOverride != null) {
            return appOverride;
        }
        int len = to - from;
        if (len == lastModel.length()) {
            boolean same = true;
            for (int i = 0; i < len && same; i++) {
                same = buf[from + i] == lastModel.charAt(i);
            }
            if (same) {
                return lastModel;
            }
        }
        lastModel = new String(buf, from, len, StandardCharsets.UTF_8).trim();
        return lastModel;
    }
}
