package org.cornserve.traces.jsonl;

import java.nio.charset.StandardCharsets;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.LongList;
import org.cornserve.traces.io.Decimals;
import org.cornserve.traces.io.LineProblem;

/**
 * A fast path for the commonest line, a text-only record exactly as {@link JsonlTraceWriter} writes it:
 * {@code {"arrival_s":S,"app":"A"[,"id":"I"],"text_tokens":N,"output_tokens":N[,"hash_ids":[...]]}} with
 * no spaces, plain ASCII strings without escapes and plain numbers. Anything else (other order,
 * whitespace, media, escapes, exponents, leading zeros, unknown fields, errors) returns null, and the
 * reader falls back to Jackson, which also produces the error messages. So this path only ever accepts
 * lines that Jackson would read to the same record.
 */
final class FastTextLine {

    private static final byte[] ARRIVAL = ascii("{\"arrival_s\":");
    private static final byte[] APP = ascii(",\"app\":\"");
    private static final byte[] ID = ascii(",\"id\":\"");
    private static final byte[] TEXT = ascii(",\"text_tokens\":");
    private static final byte[] OUTPUT = ascii(",\"output_tokens\":");
    private static final byte[] HASH_IDS = ascii(",\"hash_ids\":[");

    private long[] hashBuffer = new long[64];
    private String lastApp = "";
    private byte[] buf;
    private int pos;
    private int end;

    /** The parsed parts of a line; valid until the next call. */
    long arrivalNanos;
    String app;
    String id;
    RequestShape shape;
    LongList hashIds;

    /** Parses the line, or returns false when it is not in the writer's exact text-only form. */
    boolean parse(byte[] b, int start, int lineEnd) {
        buf = b;
        pos = start;
        end = lineEnd;
        if (!expect(ARRIVAL)) {
            return false;
        }
        int numberStart = pos;
        while (pos < end && (buf[pos] >= '0' && buf[pos] <= '9' || buf[pos] == '.')) {
            pos++;
        }
        if (pos == numberStart || buf[numberStart] == '.' || buf[pos - 1] == '.' || leadingZero(numberStart, pos)
                || dots(numberStart, pos) > 1) {
            return false;
        }
        try {
            arrivalNanos = Decimals.parseSecondsToNanos(buf, numberStart, pos, "arrival_s");
        } catch (LineProblem e) {
            return false;
        }
        if (!expect(APP)) {
            return false;
        }
        int appStart = pos;
        if (!skipPlainString()) {
            return false;
        }
        app = appString(appStart, pos - 1);
        id = null;
        if (startsWith(ID)) {
            pos += ID.length;
            int idStart = pos;
            if (!skipPlainString()) {
                return false;
            }
            id = new String(buf, idStart, pos - 1 - idStart, StandardCharsets.ISO_8859_1);
        }
        if (!expect(TEXT)) {
            return false;
        }
        long text = plainInt();
        if (text < 0 || !expect(OUTPUT)) {
            return false;
        }
        long output = plainInt();
        if (output < 0) {
            return false;
        }
        hashIds = LongList.EMPTY;
        if (startsWith(HASH_IDS)) {
            pos += HASH_IDS.length;
            if (!hashIds()) {
                return false;
            }
        }
        if (pos != end - 1 || buf[pos] != '}') {
            return false;
        }
        shape = RequestShape.text((int) text, (int) output);
        return true;
    }

    private boolean hashIds() {
        long[] values = hashBuffer;
        int n = 0;
        if (pos < end && buf[pos] == ']') {
            pos++;
            hashIds = LongList.EMPTY;
            return true;
        }
        while (true) {
            int digitsStart = pos;
            long v = 0;
            while (pos < end && buf[pos] >= '0' && buf[pos] <= '9') {
                int d = buf[pos] - '0';
                if (v > (Long.MAX_VALUE - d) / 10) {
                    return false; // beyond a long: Jackson decides
                }
                v = v * 10 + d;
                pos++;
            }
            if (pos == digitsStart || leadingZero(digitsStart, pos)) {
                return false;
            }
            if (n == values.length) {
                values = java.util.Arrays.copyOf(values, n * 2);
                hashBuffer = values;
            }
            values[n++] = v;
            if (pos >= end) {
                return false;
            }
            if (buf[pos] == ']') {
                pos++;
                hashIds = LongList.copyOf(values, n);
                return true;
            }
            if (buf[pos] != ',') {
                return false;
            }
            pos++;
        }
    }

    /** A whole number of at most 9 digits (always fits an int), or -1. */
    private long plainInt() {
        int digitsStart = pos;
        long v = 0;
        while (pos < end && buf[pos] >= '0' && buf[pos] <= '9') {
            v = v * 10 + (buf[pos] - '0');
            pos++;
        }
        int digits = pos - digitsStart;
        return digits == 0 || digits > 9 || leadingZero(digitsStart, pos) ? -1 : v;
    }

    /** Skips printable ASCII up to and including the closing quote; false on escapes, controls or non-ASCII. */
    private boolean skipPlainString() {
        while (pos < end) {
            byte c = buf[pos++];
            if (c == '"') {
                return true;
            }
            if (c == '\\' || c < 0x20 || c == 0x7F) { // bytes >= 0x80 are negative: non-ASCII
                return false;
            }
        }
        return false;
    }

    private String appString(int from, int to) {
        int len = to - from;
        String last = lastApp;
        if (len == last.length()) {
            boolean same = true;
            for (int i = 0; i < len && same; i++) {
                same = buf[from + i] == last.charAt(i);
            }
            if (same) {
                return last;
            }
        }
        lastApp = new String(buf, from, len, StandardCharsets.ISO_8859_1);
        return lastApp;
    }

    private boolean leadingZero(int from, int to) {
        return to - from > 1 && buf[from] == '0' && buf[from + 1] != '.';
    }

    private int dots(int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n += buf[i] == '.' ? 1 : 0;
        }
        return n;
    }

    private boolean startsWith(byte[] token) {
        if (end - pos < token.length) {
            return false;
        }
        for (int i = 0; i < token.length; i++) {
            if (buf[pos + i] != token[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean expect(byte[] token) {
        if (!startsWith(token)) {
            return false;
        }
        pos += token.length;
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
