package org.cornserve.traces.mooncake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.LongList;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.io.JsonValues;
import org.cornserve.traces.io.LineProblem;
import org.cornserve.traces.io.LineTraceReader;

/**
 * Reads Mooncake's JSON Lines traces ({@code {"timestamp": ms, "input_length": n, "output_length": n,
 * "hash_ids": [...]}}): text-only requests whose {@code hash_ids} (ids of 512-token prefix blocks;
 * equal ids mean a shared prefix) are kept. Arrival = offset from the first line's timestamp.
 * Other fields are ignored.
 */
public final class MooncakeTraceReader extends LineTraceReader {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();
    private static final long NANOS_PER_MS = 1_000_000L;

    private final String app;
    private final JsonValues.LongBuffer hashBuffer = new JsonValues.LongBuffer();
    private long originMs = Long.MIN_VALUE;

    public MooncakeTraceReader(InputStream in, String sourceName, ReadOptions options) {
        super(in, sourceName, options.skipBad());
        this.app = options.appOrDefault();
    }

    public static MooncakeTraceReader open(Path file, ReadOptions options) throws IOException {
        return new MooncakeTraceReader(openFile(file), file.toString(), options);
    }

    @Override
    protected TraceRecord parseLine(byte[] buf, int start, int end, long lineNumber) throws LineProblem {
        try (JsonParser p = FACTORY.createParser(buf, start, end - start)) {
            return parse(p);
        } catch (JsonProcessingException e) {
            throw JsonValues.problem(e);
        } catch (IOException e) {
            throw new LineProblem("bad JSON: " + e.getMessage());
        }
    }

    private TraceRecord parse(JsonParser p) throws IOException, LineProblem {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new LineProblem("expected a JSON object");
        }
        long timestampMs = -1;
        int input = -1;
        int output = -1;
        LongList hashIds = LongList.EMPTY;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "timestamp" -> timestampMs = JsonValues.nonNegativeLong(p, v, "timestamp");
                case "input_length" -> input = JsonValues.nonNegativeInt(p, v, "input_length");
                case "output_length" -> output = JsonValues.nonNegativeInt(p, v, "output_length");
                case "hash_ids" -> hashIds = JsonValues.longArray(p, v, "hash_ids", hashBuffer);
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new LineProblem("truncated JSON object");
        }
        if (p.nextToken() != null) {
            throw new LineProblem("unexpected content after the JSON object");
        }
        if (timestampMs < 0) {
            throw new LineProblem("missing field timestamp");
        }
        if (input < 0) {
            throw new LineProblem("missing field input_length");
        }
        if (output < 0) {
            throw new LineProblem("missing field output_length");
        }
        if (originMs == Long.MIN_VALUE) {
            originMs = timestampMs;
        }
        if (timestampMs < originMs) {
            throw new LineProblem("timestamp is before the first line's (traces must be in time order)");
        }
        return new TraceRecord((timestampMs - originMs) * NANOS_PER_MS, app, RequestShape.text(input, output),
                null, hashIds);
    }
}
