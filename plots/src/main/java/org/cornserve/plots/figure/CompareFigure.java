package org.cornserve.plots.figure;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.cornserve.plots.data.CompareRow;
import org.cornserve.plots.data.Percentiles;
import org.knowm.xchart.CategoryChart;

/** Plans compared on one trace ({@code compare.json}): latency percentiles and throughput per plan. */
public final class CompareFigure {

    private CompareFigure() {
    }

    /**
     * P50, P90 and P99 of one latency per plan, in seconds when the largest passes 10 s; a log axis when they span
     * decades (two powers of ten or more within the range).
     */
    public static Figure latency(List<CompareRow> rows, String label, String stem, Function<CompareRow, Percentiles> of) {
        double largest = rows.stream().mapToDouble(r -> of.apply(r).p99()).max().orElse(0);
        double scale = largest >= 10_000 ? 1e-3 : 1;
        CategoryChart chart = Charts.category(capitalised(label) + " per plan" + atRate(rows), "plan",
                label + (scale == 1 ? " (ms)" : " (s)"));
        List<String> plans = Labels.shorten(rows.stream().map(CompareRow::plan).toList());
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (String p : List.of("P50", "P90", "P99")) {
            List<Double> y = new ArrayList<>();
            for (CompareRow r : rows) {
                Percentiles v = of.apply(r);
                double value = switch (p) {
                    case "P50" -> v.p50();
                    case "P90" -> v.p90();
                    default -> v.p99();
                };
                value *= scale;
                y.add(value);
                if (value > 0) {
                    min = Math.min(min, value);
                }
                max = Math.max(max, value);
            }
            chart.addSeries(p, plans, y);
        }
        Charts.logYIfDecades(chart, min, max);
        chart.getStyler().setXAxisLabelRotation(Labels.rotation(plans));
        chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        return new Figure(stem, chart);
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** " at R req/s" when every plan ran at the same offered rate. */
    private static String atRate(List<CompareRow> rows) {
        double rate = rows.get(0).rateRps();
        return rows.stream().allMatch(r -> r.rateRps() == rate) && rate > 0
                ? String.format(java.util.Locale.ROOT, " at %.4g req/s", rate) : "";
    }

    /** Offered rate, throughput and goodput per plan (SLO attainment in the plan's label). */
    public static Figure throughput(List<CompareRow> rows) {
        CategoryChart chart = Charts.category("Throughput and goodput per plan" + atRate(rows),
                "plan (SLO attainment)", "requests per second");
        List<String> names = Labels.shorten(rows.stream().map(CompareRow::plan).toList());
        List<String> plans = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            plans.add(String.format(java.util.Locale.ROOT, "%s (%.1f%%)", names.get(i), 100 * rows.get(i).sloAttainment()));
        }
        chart.addSeries("offered", plans, rows.stream().map(r -> (Number) r.rateRps()).toList());
        chart.addSeries("throughput", plans, rows.stream().map(r -> (Number) r.throughputRps()).toList());
        chart.addSeries("goodput (met the SLO)", plans, rows.stream().map(r -> (Number) r.goodputRps()).toList());
        chart.getStyler().setXAxisLabelRotation(Labels.rotation(plans));
        chart.getStyler().setYAxisDecimalPattern("#,##0.##");
        chart.getStyler().setYAxisMin(0.0);
        return new Figure("compare-throughput", chart);
    }
}
