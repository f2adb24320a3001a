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

    /** P50, P90 and P99 of one latency per plan; a log axis when they span two decades. */
    public static Figure latency(List<CompareRow> rows, String label, String stem, Function<CompareRow, Percentiles> of) {
        CategoryChart chart = Charts.category(label + " per plan", "plan", label + " (ms)");
        List<String> plans = rows.stream().map(CompareRow::plan).toList();
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
                y.add(value);
                if (value > 0) {
                    min = Math.min(min, value);
                }
                max = Math.max(max, value);
            }
            chart.addSeries(p, plans, y);
        }
        if (Charts.spansDecades(min, max)) {
            chart.getStyler().setYAxisLogarithmic(true);
        }
        chart.getStyler().setXAxisLabelRotation(rows.size() > 3 ? 20 : 0);
        chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        return new Figure(stem, chart);
    }

    /** Offered rate, throughput and goodput per plan (SLO attainment in the plan's label). */
    public static Figure throughput(List<CompareRow> rows) {
        CategoryChart chart = Charts.category("Throughput and goodput per plan", "plan (SLO attainment)",
                "requests per second");
        List<String> plans = new ArrayList<>();
        for (CompareRow r : rows) {
            plans.add(String.format(java.util.Locale.ROOT, "%s (%.1f%%)", r.plan(), 100 * r.sloAttainment()));
        }
        chart.addSeries("offered", plans, rows.stream().map(r -> (Number) r.rateRps()).toList());
        chart.addSeries("throughput", plans, rows.stream().map(r -> (Number) r.throughputRps()).toList());
        chart.addSeries("goodput (met the SLO)", plans, rows.stream().map(r -> (Number) r.goodputRps()).toList());
        chart.getStyler().setXAxisLabelRotation(rows.size() > 3 ? 20 : 0);
        chart.getStyler().setYAxisDecimalPattern("#,##0.##");
        chart.getStyler().setYAxisMin(0.0);
        return new Figure("compare-throughput", chart);
    }
}
