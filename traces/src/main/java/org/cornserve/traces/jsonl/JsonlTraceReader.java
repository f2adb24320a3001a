package org.cornserve.traces.jsonl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.LongList;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.io.Decimals;
import org.cornserve.traces.io.JsonValues;
import org.cornserve.traces.io.LineProblem;
import org.cornserve.traces.io.LineTraceReader;

/**
 * Reads the canonical JSON Lines format written by {@link JsonlTraceWriter}: text-only lines exactly in
 * the writer's form take a byte-level fast path ({@link FastTextLine}); every other line gets its own
 * streaming Jackson parser (so a bad line is reported, or skipped, on its own). Fields may come in any order;
 * {@code arrival_s}, {@code text_tokens} and {@code output_tokens} are required, {@code app} defaults to
 * {@link ReadOptions#appOrDefault()}; an unknown field is an error (it is usually a typo). With
 * {@link ReadOptions#app()} set, it replaces every record's app.
 */
public final class JsonlTraceReader extends LineTraceReader {

    static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private final String appOverride;
    private final String defaultApp;
    private String lastApp = TraceRecord.DEFAULT_APP;
    private final JsonValues.LongBuffer hashBuffer = new JsonValues.LongBuffer();
    private final FastTextLine fast = new FastTextLine();

    public JsonlTraceReader(InputStream in, String sourceName, ReadOptions options) {
        super(in, sourceName, options.skipBad());
        this.appOverride = options.app();
        this.defaultApp = options.appOrDefault();
    }

    public static JsonlTraceReader open(Path file, ReadOptions options) throws IOException {
        return new JsonlTraceReader(openFile(file), file.toString(), options);
    }

    @Override
    protected TraceRecord parseLine(byte[] buf, int start, int end, long lineNumber) throws LineProblem {
        if (fast.parse(buf, start, end)) {
            return new TraceRecord(fast.arrivalNanos, appOverride != null ? appOverride : fast.app, fast.shape,
                    fast.id, fast.hashIds);
        }
        try (JsonParser p = FACTORY.createParser(buf, start, end - start)) {
            return parseRecord(p);
        } catch (JsonProcessingException e) {
            throw JsonValues.problem(e);
        } catch (IOException e) {
            throw new LineProblem("bad JSON: " + e.getMessage());
        }
    }

    private TraceRecord parseRecord(JsonParser p) throws IOException, LineProblem {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new LineProblem("expected a JSON object");
        }
        long arrivalNanos = -1;
        String app = null;
        String id = null;
        int textTokens = -1;
        int outputTokens = -1;
        List<MediaItem> media = List.of();
        Set<Modality> outputModalities = null;
        LongList hashIds = LongList.EMPTY;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "arrival_s" -> arrivalNanos = seconds(p, v, "arrival_s");
                case "app" -> app = app(p, v);
                case "id" -> id = v == JsonToken.VALUE_NULL ? null : string(p, v, "id");
                case "text_tokens" -> textTokens = JsonValues.nonNegativeInt(p, v, "text_tokens");
                case "output_tokens" -> outputTokens = JsonValues.nonNegativeInt(p, v, "output_tokens");
                case "media" -> media = media(p, v);
                case "output_modalities" -> outputModalities = modalities(p, v);
                case "hash_ids" -> hashIds = JsonValues.longArray(p, v, "hash_ids", hashBuffer);
                default -> throw new LineProblem("unknown field '" + name + "'");
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new LineProblem("truncated JSON object");
        }
        if (p.nextToken() != null) {
            throw new LineProblem("unexpected content after the JSON object");
        }
        if (arrivalNanos < 0) {
            throw new LineProblem("missing field arrival_s");
        }
        if (textTokens < 0) {
            throw new LineProblem("missing field text_tokens");
        }
        if (outputTokens < 0) {
            throw new LineProblem("missing field output_tokens");
        }
        String recordApp = appOverride != null ? appOverride : app != null ? app : defaultApp;
        RequestShape shape = new RequestShape(textTokens, media, outputTokens, outputModalities);
        return new TraceRecord(arrivalNanos, recordApp, shape, id, hashIds);
    }

    private static long seconds(JsonParser p, JsonToken v, String field) throws IOException, LineProblem {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new LineProblem(field + ": expected a number of seconds, got " + JsonValues.describe(p, v));
        }
        return Decimals.parseSecondsToNanos(p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), field);
    }

    private String app(JsonParser p, JsonToken v) throws IOException, LineProblem {
        String s = string(p, v, "app");
        if (s.equals(lastApp)) {
            return lastApp;
        }
        lastApp = s;
        return s;
    }

    private static String string(JsonParser p, JsonToken v, String field) throws IOException, LineProblem {
        if (v != JsonToken.VALUE_STRING) {
            throw new LineProblem(field + ": expected a string, got " + JsonValues.describe(p, v));
        }
        return p.getText();
    }

    private static List<MediaItem> media(JsonParser p, JsonToken v) throws IOException, LineProblem {
        if (v != JsonToken.START_ARRAY) {
            throw new LineProblem("media: expected an array, got " + JsonValues.describe(p, v));
        }
        List<MediaItem> items = new ArrayList<>(4);
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            items.add(mediaItem(p));
        }
        if (t != JsonToken.END_ARRAY) {
            throw new LineProblem("media: expected objects, got " + JsonValues.describe(p, t));
        }
        return items;
    }

    private static MediaItem mediaItem(JsonParser p) throws IOException, LineProblem {
        Modality modality = null;
        int tokens = 0;
        int width = 0;
        int height = 0;
        double seconds = 0;
        int frames = 0;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "modality" -> {
                    try {
                        modality = Modality.parse(string(p, v, "media.modality"));
                    } catch (IllegalArgumentException e) {
                        throw new LineProblem("media.modality: " + e.getMessage());
                    }
                }
                case "tokens" -> tokens = JsonValues.nonNegativeInt(p, v, "media.tokens");
                case "width_px" -> width = JsonValues.nonNegativeInt(p, v, "media.width_px");
                case "height_px" -> height = JsonValues.nonNegativeInt(p, v, "media.height_px");
                case "frames" -> frames = JsonValues.nonNegativeInt(p, v, "media.frames");
                case "seconds" -> {
                    if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
                        throw new LineProblem("media.seconds: expected a number, got " + JsonValues.describe(p, v));
                    }
                    seconds = p.getDoubleValue();
                }
                default -> throw new LineProblem("media: unknown field '" + name + "'");
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new LineProblem("media: truncated item");
        }
        if (modality == null) {
            throw new LineProblem("media: item without modality");
        }
        try {
            return new MediaItem(modality, tokens, width, height, seconds, frames);
        } catch (IllegalArgumentException e) {
            throw new LineProblem("media: " + e.getMessage());
        }
    }

    private static Set<Modality> modalities(JsonParser p, JsonToken v) throws IOException, LineProblem {
        if (v != JsonToken.START_ARRAY) {
            throw new LineProblem("output_modalities: expected an array, got " + JsonValues.describe(p, v));
        }
        EnumSet<Modality> set = EnumSet.noneOf(Modality.class);
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
            try {
                set.add(Modality.parse(p.getText()));
            } catch (IllegalArgumentException e) {
                throw new LineProblem("output_modalities: " + e.getMessage());
            }
        }
        if (t != JsonToken.END_ARRAY) {
            throw new LineProblem("output_modalities: expected strings, got " + JsonValues.describe(p, t));
        }
        return set;
    }
}
