package org.cornserve.traces.io;

import java.nio.charset.StandardCharsets;

/**
 * Reads the comma-separated fields of one line in place, left to right, with no regular expressions,
 * no {@code String.split} and no allocation for numbers. Fields are plain (no quoting), as in the
 * Azure, BurstGPT and ServeGen files. Each method names the column in its error.
 */
public final class CsvFields {

    private byte[] buf;
    private int pos;
    private int end;
    private boolean exhausted;

    /** Points the cursor at {@code buf[start .. end)}. */
    public CsvFields reset(byte[] buf, int start, int end) {
        this.buf = buf;
        this.pos = start;
        this.end = end;
        this.exhausted = false;
        return this;
    }

    /** The end (exclusive) of the field starting at the cursor; fails when there is no field left. */
    private int fieldEnd(String column) throws LineProblem {
        if (exhausted) {
            throw new LineProblem("missing column " + column);
        }
        int i = pos;
        while (i < end && buf[i] != ',') {
            i++;
        }
        return i;
    }

    private void advance(int fieldEnd) {
        if (fieldEnd >= end) {
            exhausted = true;
            pos = end;
        } else {
            pos = fieldEnd + 1;
        }
    }

    /** Parses a non-negative whole number (surrounding spaces allowed). */
    public long nextLong(String column) throws LineProblem {
        int fe = fieldEnd(column);
        int i = pos;
        int e = fe;
        while (i < e && buf[i] == ' ') {
            i++;
        }
        while (e > i && buf[e - 1] == ' ') {
            e--;
        }
        if (i == e) {
            throw new LineProblem(column + ": empty, expected a whole number");
        }
        if (e - i > 18) {
            throw new LineProblem(column + ": number too large: '" + text(i, e) + "'");
        }
        long v = 0;
        for (int k = i; k < e; k++) {
            int d = buf[k] - '0';
            if (d < 0 || d > 9) {
                if (buf[k] == '.' && allZeros(k + 1, e) && k > i) {
                    break; // "12.0" is a whole number too (some exports write floats)
                }
                throw new LineProblem(column + ": not a whole number: '" + text(pos, fe) + "'");
            }
            v = v * 10 + d;
        }
        advance(fe);
        return v;
    }

    private boolean allZeros(int from, int to) {
        for (int k = from; k < to; k++) {
            if (buf[k] != '0') {
                return false;
            }
        }
        return true;
    }

    /** Parses a non-negative whole number that fits an int. */
    public int nextInt(String column) throws LineProblem {
        long v = nextLong(column);
        if (v > Integer.MAX_VALUE) {
            throw new LineProblem(column + ": number too large: " + v);
        }
        return (int) v;
    }

    /** Parses a non-negative decimal number of seconds into whole nanoseconds (exact up to 9 fraction digits). */
    public long nextSecondsAsNanos(String column) throws LineProblem {
        int fe = fieldEnd(column);
        long nanos = Decimals.parseSecondsToNanos(buf, pos, fe, column);
        advance(fe);
        return nanos;
    }

    /** Parses a decimal number (as {@link Double#parseDouble}), for rarely read columns. */
    public double nextDouble(String column) throws LineProblem {
        String s = nextString(column).trim();
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new LineProblem(column + ": not a number: '" + s + "'");
        }
    }

    /** The field as text (allocates; for string columns only). */
    public String nextString(String column) throws LineProblem {
        int fe = fieldEnd(column);
        String s = text(pos, fe);
        advance(fe);
        return s;
    }

    /** Skips one field. */
    public void skip(String column) throws LineProblem {
        advance(fieldEnd(column));
    }

    /** The position of the next field's first byte (valid until the next call). */
    public int position() {
        return pos;
    }

    /** The end (exclusive) of the next field, without consuming it. */
    public int peekEnd(String column) throws LineProblem {
        return fieldEnd(column);
    }

    /** Consumes the field whose end was returned by {@link #peekEnd}. */
    public void consume(int fieldEnd) {
        advance(fieldEnd);
    }

    /** Fails when fields remain after the expected ones. */
    public void expectEnd(int expectedColumns) throws LineProblem {
        if (!exhausted) {
            throw new LineProblem("too many columns, expected " + expectedColumns);
        }
    }

    private String text(int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.UTF_8);
    }
}
