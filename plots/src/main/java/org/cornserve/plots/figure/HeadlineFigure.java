package org.cornserve.plots.figure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cornserve.plots.data.HeadlineRow;
import org.knowm.xchart.CategoryChart;

/**
 * The headline experiment ({@code results.json}): each strategy's capacity at the SLO relative to the monolith's
 * in the same case, workload and cluster (grouped bars, 1.0 = the monolith), and the P99 end-to-end latency at
 * equal load. A strategy with no plan in a group (n/a) gets no bar.
 */
public final class HeadlineFigure {
    /** The baseline every capacity is divided by. */
    public static final String BASELINE = "monolithic";

    private HeadlineFigure() {
    }

    /** Capacity relative to the monolith; null when no group has a monolith with a capacity. */
    public static Figure relativeCapacity(List<HeadlineRow> rows) {
        Map<String, Map<String, Double>> byGroup = groups(rows, HeadlineRow::capacityRps);
        List<String> groups = new ArrayList<>();
        for (Map.Entry<String, Map<String, Double>> e : byGroup.entrySet()) {
            Double base = e.getValue().get(BASELINE);
            if (base != null && base > 0) {
                groups.add(e.getKey());
            }
        }
        if (groups.isEmpty()) {
            return null;
        }
        CategoryChart chart = Charts.category("Capacity at the SLO relative to the monolith",
                "case / workload / cluster", "capacity / monolith's capacity");
        for (String strategy : strategies(rows)) {
            List<Double> y = new ArrayList<>();
            for (String g : groups) {
                Double c = byGroup.get(g).get(strategy);
                y.add(c == null ? 0.0 : c / byGroup.get(g).get(BASELINE));
            }
            chart.addSeries(strategy, groups, y);
        }
        style(chart, groups.size());
        chart.getStyler().setYAxisDecimalPattern("0.00");
        return new Figure("headline-relative-capacity", chart);
    }

    /** P99 end-to-end latency at the equal load of each group, in seconds (log axis when it spans decades). */
    public static Figure equalLoadLatency(List<HeadlineRow> rows) {
        Map<String, Map<String, Double>> byGroup = groups(rows,
                r -> r.equalLoad() == null ? 0 : r.equalLoad().e2eMs().p99() / 1000);
        List<String> groups = new ArrayList<>(byGroup.keySet());
        CategoryChart chart = Charts.category("P99 end-to-end latency at equal load", "case / workload / cluster",
                "P99 end-to-end latency (s)");
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (String strategy : strategies(rows)) {
            List<Double> y = new ArrayList<>();
            for (String g : groups) {
                double v = byGroup.get(g).getOrDefault(strategy, 0.0);
                y.add(v);
                if (v > 0) {
                    min = Math.min(min, v);
                }
                max = Math.max(max, v);
            }
            chart.addSeries(strategy, groups, y);
        }
        if (max == 0) {
            return null;
        }
        style(chart, groups.size());
        chart.getStyler().setYAxisLogarithmic(Charts.spansDecades(min, max));
        chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        return new Figure("headline-equal-load-p99-e2e", chart);
    }

    private static void style(CategoryChart chart, int groups) {
        chart.getStyler().setXAxisLabelRotation(groups > 3 ? 30 : 0);
        chart.getStyler().setAvailableSpaceFill(0.85);
    }

    private static Map<String, Map<String, Double>> groups(List<HeadlineRow> rows,
            java.util.function.ToDoubleFunction<HeadlineRow> value) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (HeadlineRow r : rows) {
            Map<String, Double> g = out.computeIfAbsent(r.group(), k -> new LinkedHashMap<>());
            if (r.status() == null || r.status().equals("ok")) {
                g.put(r.strategy(), value.applyAsDouble(r));
            }
        }
        return out;
    }

    private static List<String> strategies(List<HeadlineRow> rows) {
        Set<String> s = new LinkedHashSet<>();
        for (HeadlineRow r : rows) {
            s.add(r.strategy());
        }
        return new ArrayList<>(s);
    }
}
