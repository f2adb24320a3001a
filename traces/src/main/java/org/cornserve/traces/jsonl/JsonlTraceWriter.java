package org.cornserve.traces.jsonl;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
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
 * Lines are assembled as bytes in one buffer, no objects per record (the app's encoded name is
 * cached); strings are escaped as JSON requires ({@link #jsonString}). Not thread-safe.
 */
public final class JsonlTraceWriter implements Closeable {

    private static final int FLUSH_AT = 1 << 16;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final char[] number = new char[40];
    private byte[] buf = new byte[FLUSH_AT + 1024];
    private int filled;
    private String lastApp;
    private byte[] lastAppJson;
    private long written;

    /** Writes to {@code out}; closing the writer flushes and closes {@code out}. */
    public JsonlTraceWriter(OutputStream out) {
        this.out = out;
    }

    /** Creates (or truncates) a file and writes to it; {@code -} means standard output. */
    public static JsonlTraceWriter create(Path file) throws IOException {
        if (file.toString().equals("-")) {
            return new JsonlTraceWriter(new NonClosingStream(System.out));
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new JsonlTraceWriter(Files.newOutputStream(file));
    }

    public void write(TraceRecord record) throws IOException {
        append("{\"arrival_s\":");
        int len = Decimals.formatNanosAsSeconds(record.arrivalNanos(), number);
        ensure(len);
        for (int i = 0; i < len; i++) {
            buf[filled + i] = (byte) number[i];
        }
        filled += len;
        append(",\"app\":");
        if (record.app() != lastApp) {
            lastApp = record.app();
            lastAppJson = jsonString(lastApp);
        }
        ensure(lastAppJson.length);
        System.arraycopy(lastAppJson, 0, buf, filled, lastAppJson.length);
        filled += lastAppJson.length;
        if (record.requestId() != null) {
            append(",\"id\":");
            appendString(record.requestId());
        }
        RequestShape shape = record.shape();
        append(",\"text_tokens\":");
        appendLong(shape.textTokens());
        List<MediaItem> media = shape.media();
        if (!media.isEmpty()) {
            append(",\"media\":[");
            for (int i = 0; i < media.size(); i++) {
                if (i > 0) {
                    append(",");
                }
                appendItem(media.get(i));
            }
            append("]");
        }
        append(",\"output_tokens\":");
        appendLong(shape.outputTokens());
        if (shape.outputModalities().size() != 1 || !shape.wants(Modality.TEXT)) {
            append(",\"output_modalities\":[");
            boolean first = true;
            for (Modality m : Modality.values()) {
                if (shape.wants(m)) {
                    append(first ? "\"" : ",\"");
                    append(m.jsonName());
                    append("\"");
                    first = false;
                }
            }
            append("]");
        }
        LongList hashIds = record.hashIds();
        if (!hashIds.isEmpty()) {
            append(",\"hash_ids\":[");
            for (int i = 0, n = hashIds.size(); i < n; i++) {
                if (i > 0) {
                    append(",");
                }
                appendLong(hashIds.getLong(i));
            }
            append("]");
        }
        append("}\n");
        if (filled >= FLUSH_AT) {
            out.write(buf, 0, filled);
            filled = 0;
        }
        written++;
    }

    private void appendItem(MediaItem item) {
        append("{\"modality\":\"");
        append(item.modality().jsonName());
        append("\"");
        if (item.tokens() != 0) {
            append(",\"tokens\":");
            appendLong(item.tokens());
        }
        if (item.widthPx() != 0) {
            append(",\"width_px\":");
            appendLong(item.widthPx());
            append(",\"height_px\":");
            appendLong(item.heightPx());
        }
        if (item.seconds() != 0) {
            append(",\"seconds\":");
            append(Double.toString(item.seconds())); // finite (MediaItem checks): valid JSON
        }
        if (item.frames() != 0) {
            append(",\"frames\":");
            appendLong(item.frames());
        }
        append("}");
    }

    /** Appends a JSON string literal: quotes, escapes ({@code \\"}, {@code \\\\}, control characters) and UTF-8. */
    private void appendString(String value) {
        byte[] json = jsonString(value);
        ensure(json.length);
        System.arraycopy(json, 0, buf, filled, json.length);
        filled += json.length;
    }

    /**
     * The JSON string literal of {@code value} in UTF-8: {@code "} and {@code \} escaped, control
     * characters as {@code \n}, {@code \t}, ... or a six-character u00XX escape; a lone surrogate becomes U+FFFD.
     */
    static byte[] jsonString(String value) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(value.length() + 2);
        b.write('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                b.write('\\');
                b.write(c);
            } else if (c < 0x20) {
                b.write('\\');
                switch (c) {
                    case '\n' -> b.write('n');
                    case '\r' -> b.write('r');
                    case '\t' -> b.write('t');
                    case '\b' -> b.write('b');
                    case '\f' -> b.write('f');
                    default -> {
                        b.write('u');
                        b.write('0');
                        b.write('0');
                        b.write(HEX[c >> 4]);
                        b.write(HEX[c & 0xF]);
                    }
                }
            } else if (c < 0x80) {
                b.write(c);
            } else {
                int cp = c;
                if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    cp = Character.toCodePoint(c, value.charAt(++i));
                } else if (Character.isSurrogate(c)) {
                    cp = 0xFFFD;
                }
                byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                b.write(utf8, 0, utf8.length);
            }
        }
        b.write('"');
        return b.toByteArray();
    }

    private void ensure(int extra) {
        if (filled + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, filled + extra));
        }
    }

    /** Appends ASCII text (field names, punctuation, numbers). */
    private void append(String ascii) {
        int n = ascii.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[filled + i] = (byte) ascii.charAt(i);
        }
        filled += n;
    }

    private void appendLong(long v) {
        ensure(20);
        if (v < 0) {
            buf[filled++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) {
            digits++;
        }
        for (int i = filled + digits - 1; i >= filled; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        filled += digits;
    }

    /** Records written so far. */
    public long written() {
        return written;
    }

    public void flush() throws IOException {
        out.write(buf, 0, filled);
        filled = 0;
        out.flush();
    }

    @Override
    public void close() throws IOException {
        try (out) {
            flush();
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
