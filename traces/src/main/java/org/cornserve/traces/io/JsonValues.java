package org.cornserve.traces.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;
import org.cornserve.traces.LongList;

/** Typed reads of the current value of a streaming Jackson parser, failing with a {@link LineProblem}. */
public final class JsonValues {

    private JsonValues() {
    }

    /** A reusable growable buffer for reading arrays of whole numbers. */
    public static final class LongBuffer {
        long[] values = new long[64];
    }

    /** A whole number in {@code [0, Integer.MAX_VALUE]}; an integral float such as {@code 12.0} is accepted. */
    public static int nonNegativeInt(JsonParser p, JsonToken v, String field) throws IOException, LineProblem {
        long n = nonNegativeLong(p, v, field);
        if (n > Integer.MAX_VALUE) {
            throw new LineProblem(field + ": number too large: " + n);
        }
        return (int) n;
    }

    /** A non-negative whole number; an integral float such as {@code 12.0} is accepted. */
    public static long nonNegativeLong(JsonParser p, JsonToken v, String field) throws IOException, LineProblem {
        long n;
        if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            n = p.getLongValue();
        } else if (v == JsonToken.VALUE_NUMBER_FLOAT && p.getDoubleValue() == Math.rint(p.getDoubleValue())
                && Math.abs(p.getDoubleValue()) < 1e15) {
            n = (long) p.getDoubleValue();
        } else {
            throw new LineProblem(field + ": expected a whole number, got " + describe(p, v));
        }
        if (n < 0) {
            throw new LineProblem(field + ": must be >= 0, got " + n);
        }
        return n;
    }

    /** An array of whole numbers, read through the reusable {@code buffer}. */
    public static LongList longArray(JsonParser p, JsonToken v, String field, LongBuffer buffer)
            throws IOException, LineProblem {
        if (v != JsonToken.START_ARRAY) {
            throw new LineProblem(field + ": expected an array, got " + describe(p, v));
        }
        long[] buf = buffer.values;
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.VALUE_NUMBER_INT) {
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, n * 2);
                buffer.values = buf;
            }
            buf[n++] = p.getLongValue();
        }
        if (t != JsonToken.END_ARRAY) {
            throw new LineProblem(field + ": expected whole numbers, got " + describe(p, t));
        }
        return LongList.copyOf(buf, n);
    }

    /** A Jackson syntax error as a one-line problem: what went wrong and the column. */
    public static LineProblem problem(com.fasterxml.jackson.core.JsonProcessingException e) {
        int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
        if (e instanceof com.fasterxml.jackson.core.io.JsonEOFException) {
            return new LineProblem("truncated JSON: the line ends inside a value (column " + column + ")");
        }
        String message = e.getOriginalMessage();
        int marker = message.indexOf(" (start marker at");
        if (marker > 0) {
            message = message.substring(0, marker);
        }
        int newline = message.indexOf('\n');
        if (newline > 0) {
            message = message.substring(0, newline);
        }
        return new LineProblem("bad JSON: " + message + " (column " + column + ")");
    }

    /** Describes the current token for an error message. */
    public static String describe(JsonParser p, JsonToken t) throws IOException {
        if (t == null) {
            return "end of line (truncated JSON)";
        }
        return switch (t) {
            case VALUE_STRING -> "the string \"" + p.getText() + "\"";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + p.getText();
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }
}
