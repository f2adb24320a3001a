package org.cornserve.traces.io;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/** Exact decimal-seconds to nanoseconds conversion and back, without going through {@code double}. */
public final class Decimals {

    private static final long MAX_WHOLE_SECONDS = Long.MAX_VALUE / 1_000_000_000L - 1;

    private Decimals() {
    }

    /**
     * Parses a non-negative decimal number of seconds ({@code 12}, {@code 12.5}, {@code 0.000001},
     * {@code 1.5e3}) into nanoseconds. Digits past the ninth fraction digit are rounded half-up.
     */
    public static long parseSecondsToNanos(byte[] b, int from, int to, String what) throws LineProblem {
        int i = from;
        int e = to;
        while (i < e && b[i] == ' ') {
            i++;
        }
        while (e > i && b[e - 1] == ' ') {
            e--;
        }
        if (i == e) {
            throw new LineProblem(what + ": empty, expected a number of seconds");
        }
        long whole = 0;
        int k = i;
        int wholeDigits = 0;
        while (k < e && b[k] >= '0' && b[k] <= '9') {
            whole = whole * 10 + (b[k] - '0');
            k++;
            if (++wholeDigits > 10) {
                return slowPath(b, i, e, what);
            }
        }
        long frac = 0;
        int fracDigits = 0;
        boolean roundUp = false;
        if (k < e && b[k] == '.') {
            k++;
            int fracStart = k;
            while (k < e && b[k] >= '0' && b[k] <= '9') {
                if (fracDigits < 9) {
                    frac = frac * 10 + (b[k] - '0');
                    fracDigits++;
                } else if (k == fracStart + 9) {
                    roundUp = b[k] >= '5';
                }
                k++;
            }
            if (k == fracStart && wholeDigits == 0) {
                throw new LineProblem(what + ": not a number: '" + text(b, i, e) + "'");
            }
        }
        if (k < e) {
            if (b[k] == 'e' || b[k] == 'E' || b[k] == '-' || b[k] == '+') {
                return slowPath(b, i, e, what);
            }
            throw new LineProblem(what + ": not a number: '" + text(b, i, e) + "'");
        }
        if (wholeDigits == 0 && fracDigits == 0) {
            throw new LineProblem(what + ": not a number: '" + text(b, i, e) + "'");
        }
        for (int d = fracDigits; d < 9; d++) {
            frac *= 10;
        }
        return whole * 1_000_000_000L + frac + (roundUp ? 1 : 0);
    }

    private static long slowPath(byte[] b, int from, int to, String what) throws LineProblem {
        String s = text(b, from, to);
        BigDecimal v;
        try {
            v = new BigDecimal(s);
        } catch (NumberFormatException ex) {
            throw new LineProblem(what + ": not a number: '" + s + "'");
        }
        if (v.signum() < 0) {
            throw new LineProblem(what + ": must be >= 0, got " + s);
        }
        if (v.compareTo(BigDecimal.valueOf(MAX_WHOLE_SECONDS)) > 0) {
            throw new LineProblem(what + ": too large: " + s);
        }
        return v.movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    /** Parses decimal seconds from chars (the JSON reader's number text). */
    public static long parseSecondsToNanos(char[] c, int offset, int length, String what) throws LineProblem {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            char ch = c[offset + i];
            b[i] = ch < 128 ? (byte) ch : (byte) '?';
        }
        return parseSecondsToNanos(b, 0, length, what);
    }

    /**
     * Writes {@code nanos} as decimal seconds into {@code out} from index 0 and returns the length:
     * whole seconds, then a point and up to nine fraction digits with trailing zeros dropped
     * ({@code 1500000000 -> "1.5"}, {@code 2000000000 -> "2.0"}). Needs {@code out.length >= 32}.
     */
    public static int formatNanosAsSeconds(long nanos, char[] out) {
        int len = 0;
        long n = nanos;
        if (n < 0) {
            out[len++] = '-';
            n = -n; // arrival times are non-negative; kept for completeness (Long.MIN_VALUE excluded)
        }
        long whole = n / 1_000_000_000L;
        int frac = (int) (n % 1_000_000_000L);
        len = writeLong(whole, out, len);
        out[len++] = '.';
        if (frac == 0) {
            out[len++] = '0';
            return len;
        }
        int digits = 9;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        for (int d = digits - 1; d >= 0; d--) {
            out[len + d] = (char) ('0' + frac % 10);
            frac /= 10;
        }
        return len + digits;
    }

    private static int writeLong(long v, char[] out, int at) {
        if (v == 0) {
            out[at] = '0';
            return at + 1;
        }
        int digits = 0;
        for (long t = v; t > 0; t /= 10) {
            digits++;
        }
        for (int d = at + digits - 1; d >= at; d--) {
            out[d] = (char) ('0' + v % 10);
            v /= 10;
        }
        return at + digits;
    }

    private static String text(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.UTF_8);
    }
}
