package org.cornserve.traces.jsonl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cornserve.model.Modality;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.LongList;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.io.Decimals;

/**
 * Writes trace records as JSON Lines, the project's canonical trace format: one object per line,
 * fields in this order, zero-valued optional fields left out.
 *
 * <pre>
 * {"arrival_s":12.5,"app":"chat","id":"r7","text_tokens":374,"media":[{"modality":"image","tokens":576}],
 *  "output_tokens":44,"output_modalities":["text","audio"],"hash_ids":[1,2,3]}
 * </pre>
 *
 * <ul>
 *   <li>{@code arrival_s}: seconds since the trace start, the record's nanoseconds written exactly
 *       (up to nine fraction digits, always with a point);</li>
 *   <li>{@code app}: the app name; {@code id}: the request id, absent when none;</li>
 *   <li>{@code text_tokens}, {@code output_tokens}: prompt text tokens and output text tokens;</li>
 *   <li>{@code media}: absent when none; each item as {@link MediaItem}'s JSON ({@code modality},
 *       and whichever of {@code tokens}, {@code width_px}, {@code height_px}, {@code seconds},
 *       {@code frames} are non-zero);</li>
 *   <li>{@code output_modalities}: absent when the answer is text only;</li>
 *   <li>{@code hash_ids}: Mooncake prefix-block ids, absent when none.</li>
 * </ul>
 * Strings are escaped by Jackson's streaming generator. Not thread-safe.
 */
public final class JsonlTraceWriter implements Closeable {

    static final SerializedString ARRIVAL_S = new SerializedString("arrival_s");
    static final SerializedString APP = new SerializedString("app");
    static final SerializedString ID = new SerializedString("id");
    static final SerializedString TEXT_TOKENS = new SerializedString("text_tokens");
    static final SerializedString MEDIA = new SerializedString("media");
    static final SerializedString OUTPUT_TOKENS = new SerializedString("output_tokens");
    static final SerializedString OUTPUT_MODALITIES = new SerializedString("output_modalities");
    static final SerializedString HASH_IDS = new SerializedString("hash_ids");
    static final SerializedString MODALITY = new SerializedString("modality");
    static final SerializedString TOKENS = new SerializedString("tokens");
    static final SerializedString WIDTH_PX = new SerializedString("width_px");
    static final SerializedString HEIGHT_PX = new SerializedString("height_px");
    static final SerializedString SECONDS = new SerializedString("seconds");
    static final SerializedString FRAMES = new SerializedString("frames");

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private final OutputStream out;
    private final JsonGenerator gen;
    private final char[] number = new char[40];
    private long written;

    /** Writes to {@code out} (buffered here); closing the writer flushes and closes {@code out}. */
    public JsonlTraceWriter(OutputStream out) throws IOException {
        this.out = out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 16);
        this.gen = FACTORY.createGenerator(this.out);
        this.gen.setRootValueSeparator(null);
    }

    /** Creates (or truncates) a file and writes to it; {@code -} means standard output. */
    public static JsonlTraceWriter create(Path file) throws IOException {
        if (file.toString().equals("-")) {
            return new JsonlTraceWriter(new BufferedOutputStream(new NonClosingStream(System.out), 1 << 16));
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new JsonlTraceWriter(Files.newOutputStream(file));
    }

    public void write(TraceRecord record) throws IOException {
        JsonGenerator g = gen;
        g.writeStartObject();
        g.writeFieldName(ARRIVAL_S);
        int len = Decimals.formatNanosAsSeconds(record.arrivalNanos(), number);
        g.writeNumber(number, 0, len);
        g.writeFieldName(APP);
        g.writeString(record.app());
        if (record.requestId() != null) {
            g.writeFieldName(ID);
            g.writeString(record.requestId());
        }
        RequestShape shape = record.shape();
        g.writeFieldName(TEXT_TOKENS);
        g.writeNumber(shape.textTokens());
        if (!shape.media().isEmpty()) {
            g.writeFieldName(MEDIA);
            g.writeStartArray();
            for (MediaItem item : shape.media()) {
                writeItem(g, item);
            }
            g.writeEndArray();
        }
        g.writeFieldName(OUTPUT_TOKENS);
        g.writeNumber(shape.outputTokens());
        if (shape.outputModalities().size() != 1 || !shape.wants(Modality.TEXT)) {
            g.writeFieldName(OUTPUT_MODALITIES);
            g.writeStartArray();
            for (Modality m : Modality.values()) {
                if (shape.wants(m)) {
                    g.writeString(m.jsonName());
                }
            }
            g.writeEndArray();
        }
        LongList hashIds = record.hashIds();
        if (!hashIds.isEmpty()) {
            g.writeFieldName(HASH_IDS);
            g.writeStartArray();
            for (int i = 0, n = hashIds.size(); i < n; i++) {
                g.writeNumber(hashIds.getLong(i));
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeRaw('\n');
        written++;
    }

    private static void writeItem(JsonGenerator g, MediaItem item) throws IOException {
        g.writeStartObject();
        g.writeFieldName(MODALITY);
        g.writeString(item.modality().jsonName());
        if (item.tokens() != 0) {
            g.writeFieldName(TOKENS);
            g.writeNumber(item.tokens());
        }
        if (item.widthPx() != 0) {
            g.writeFieldName(WIDTH_PX);
            g.writeNumber(item.widthPx());
            g.writeFieldName(HEIGHT_PX);
            g.writeNumber(item.heightPx());
        }
        if (item.seconds() != 0) {
            g.writeFieldName(SECONDS);
            g.writeNumber(item.seconds());
        }
        if (item.frames() != 0) {
            g.writeFieldName(FRAMES);
            g.writeNumber(item.frames());
        }
        g.writeEndObject();
    }

    /** Records written so far. */
    public long written() {
        return written;
    }

    public void flush() throws IOException {
        gen.flush();
    }

    @Override
    public void close() throws IOException {
        try (out) {
            gen.close();
        }
    }

    /** Keeps standard output open when the writer closes. */
    private static final class NonClosingStream extends java.io.FilterOutputStream {
        NonClosingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
