package org.cornserve.traces.azure;

import org.cornserve.traces.io.LineProblem;

/**
 * Parses Azure trace timestamps such as {@code 2023-11-16 18:15:46.6805900} (also with a {@code T}
 * separator, up to nine fraction digits, no zone: times are taken as UTC) straight from bytes into
 * nanoseconds since the epoch, with no allocation.
 */
final class AzureTimestamps {

    private static final int[] DAYS_IN_MONTH = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    private AzureTimestamps() {
    }

    static long parseEpochNanos(byte[] b, int from, int to, String column) throws LineProblem {
        while (from < to && b[from] == ' ') {
            from++;
        }
        while (to > from && b[to - 1] == ' ') {
            to--;
        }
        int len = to - from;
        if (len < 19 || b[from + 4] != '-' || b[from + 7] != '-' || (b[from + 10] != ' ' && b[from + 10] != 'T')
                || b[from + 13] != ':' || b[from + 16] != ':') {
            throw bad(b, from, to, column);
        }
        int year = digits(b, from, 4, from, to, column);
        int month = digits(b, from + 5, 2, from, to, column);
        int day = digits(b, from + 8, 2, from, to, column);
        int hour = digits(b, from + 11, 2, from, to, column);
        int minute = digits(b, from + 14, 2, from, to, column);
        int second = digits(b, from + 17, 2, from, to, column);
        if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59
                || second > 60) {
            throw new LineProblem(column + ": no such date or time: '" + text(b, from, to) + "'");
        }
        long nanos = 0;
        int i = from + 19;
        if (i < to) {
            if (b[i] != '.') {
                throw bad(b, from, to, column);
            }
            i++;
            int fracDigits = 0;
            for (; i < to; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) {
                    throw bad(b, from, to, column);
                }
                if (fracDigits < 9) {
                    nanos = nanos * 10 + d;
                    fracDigits++;
                }
            }
            if (fracDigits == 0) {
                throw bad(b, from, to, column);
            }
            for (; fracDigits < 9; fracDigits++) {
                nanos *= 10;
            }
        }
        long days = epochDay(year, month, day);
        long secondsOfDay = hour * 3600L + minute * 60L + second;
        return (days * 86_400L + secondsOfDay) * 1_000_000_000L + nanos;
    }

    private static int digits(byte[] b, int at, int count, int from, int to, String column) throws LineProblem {
        int v = 0;
        for (int i = at; i < at + count; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                throw bad(b, from, to, column);
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) {
            return 29;
        }
        return DAYS_IN_MONTH[month - 1];
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    private static LineProblem bad(byte[] b, int from, int to, String column) {
        return new LineProblem(column + ": not a timestamp like 2023-11-16 18:15:46.6805900: '"
                + text(b, from, to) + "'");
    }

    private static String text(byte[] b, int from, int to) {
        return new String(b, from, to - from, java.nio.charset.StandardCharsets.UTF_8);
    }
}
