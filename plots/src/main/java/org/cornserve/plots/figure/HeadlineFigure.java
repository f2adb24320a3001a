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
 * The headline experiment ({@code results.json}), one figure per case (model or arena): each strategy's capacity
 * at the SLO relative to the monolith's on the same workload and cluster (grouped bars, 1.0 = the monolith), and
 * the P99 end-to-end latency at equal load. A strategy with no plan in a group (n/a) gets no bar.
 */
public final class HeadlineFigure {
    /** The baseline every capacity is divided by. */
    public static final String BASELINE = "monolithic";

    private HeadlineFigure() {
    }

    /** One figure per case of each kind, in the order the cases first appear. */
    public static List<Figure> perCase(List<HeadlineRow> rows) {
        Map<String, List<HeadlineRow>> byCase = new LinkedHashMap<>();
        for (HeadlineRow r : rows) {
            byCase.computeIfAbsent(r.caseName(), k -> new ArrayList<>()).add(r);
        }
        List<Figure> out = new ArrayList<>();
        for (Map.Entry<String, List<HeadlineRow>> e : byCase.entrySet()) {
            Figure cap = relativeCapacity(e.getKey(), e.getValue());
            if (cap != null) {
                out.add(cap);
            }
            Figure lat = equalLoadLatency(e.getKey(), e.getValue());
            if (lat != null) {
                out.add(lat);
            }
        }
        return out;
    }

    /** One case's capacity relative to the monolith; null when no group has a monolith with a capacity. */
    public static Figure relativeCapacity(String caseName, List<HeadlineRow> rows) {
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
        CategoryChart chart = Charts.category(caseName + ": capacity at the SLO relative to the monolith",
                "workload / cluster", "capacity / monolith's capacity");
        for (String strategy : strategies(rows)) {
            List<Double> y = new ArrayList<>();
            for (String g : groups) {
                Double c = byGroup.get(g).get(strategy);
                y.add(c == null ? 0.0 : c / byGroup.get(g).get(BASELINE));
            }
            chart.addSeries(strategy, groups, y);
        }
        style(chart, groups);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        return new Figure("headline-capacity-" + Figure.slug(caseName), chart);
    }

    /** One case's P99 end-to-end latency at each group's equal load, in seconds (log axis when it spans decades). */
    public static Figure equalLoadLatency(String caseName, List<HeadlineRow> rows) {
        Map<String, Map<String, Double>> byGroup = groups(rows,
                r -> r.equalLoad() == null ? 0 : r.equalLoad().e2eMs().p99() / 1000);
        List<String> groups = new ArrayList<>(byGroup.keySet());
        CategoryChart chart = Charts.category(caseName + ": P99 end-to-end latency at equal load",
                "workload / cluster", "P99 end-to-end latency (s)");
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
        style(chart, groups);
        Charts.logYIfDecades(chart, min, max);
        chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        return new Figure("headline-equal-load-" + Figure.slug(caseName), chart);
    }

    private static void style(CategoryChart chart, List<String> groups) {
        chart.getStyler().setXAxisLabelRotation(Labels.rotation(groups));
        chart.getStyler().setAvailableSpaceFill(0.85);
    }

    private static Map<String, Map<String, Double>> groups(List<HeadlineRow> rows,
            java.util.function.ToDoubleFunction<HeadlineRow> value) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (HeadlineRow r : rows) {
            Map<String, Double> g = out.computeIfAbsent(r.workload() + " / " + r.gpus() + " GPUs",
                    k -> new LinkedHashMap<>());
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
