package org.cornserve.plots.figure;

import org.knowm.xchart.internal.chartpart.Chart;

/**
 * One figure to write: a file stem (no extension) and its chart.
 *
 * @param stem file name without extension, e.g. {@code latency-cdf-ttft}
 * @param chart the XChart chart
 */
public record Figure(String stem, Chart<?, ?> chart) {

    public Figure {
        if (stem == null || !stem.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("figure file stem must be letters, digits, '.', '_' or '-', got " + stem);
        }
    }

    /** A file stem from free text: lower case, runs of other characters as one '-'. */
    public static String slug(String text) {
        String s = text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9.]+", "-").replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "figure" : s.length() > 80 ? s.substring(0, 80) : s;
    }
}
