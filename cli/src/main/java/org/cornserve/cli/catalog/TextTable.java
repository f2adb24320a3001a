package org.cornserve.cli.catalog;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A left-aligned plain-text table (numbers right-aligned), and the number formats the catalog commands use. */
final class TextTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    TextTable(String... header) {
        this.header = List.of(header);
    }

    TextTable row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, header " + header.size());
        }
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(String.valueOf(c));
        }
        rows.add(r);
        return this;
    }

    void print(PrintWriter out) {
        int[] width = new int[header.size()];
        boolean[] numeric = new boolean[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            numeric[i] = !rows.isEmpty();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
                numeric[i] &= r.get(i).matches("[-0-9.,]+[A-Za-z/]*") || r.get(i).equals("-");
            }
        }
        line(out, header, width, new boolean[width.length]);
        for (List<String> r : rows) {
            line(out, r, width, numeric);
        }
        out.flush();
    }

    private static void line(PrintWriter out, List<String> cells, int[] width, boolean[] right) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            String pad = " ".repeat(width[i] - c.length());
            sb.append(right[i] ? pad + c : c + (i == cells.size() - 1 ? "" : pad));
            if (i < cells.size() - 1) {
                sb.append("  ");
            }
        }
        out.println(sb.toString().stripTrailing());
    }

    /** 8.03B, 675.1M, 12.3K. */
    static String count(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2fB", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        }
        if (n >= 1_000L) {
            return String.format(Locale.ROOT, "%.1fK", n / 1e3);
        }
        return Long.toString(n);
    }

    /** Bytes in decimal GB (1e9) with two decimals, or MB below 0.1 GB. */
    static String bytes(double b) {
        if (b >= 1e8) {
            return String.format(Locale.ROOT, "%.2fGB", b / 1e9);
        }
        return String.format(Locale.ROOT, "%.2fMB", b / 1e6);
    }

    static String num(double v, String unit) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f%s" : v >= 10 ? "%.1f%s" : "%.2f%s", v, unit);
    }
}
