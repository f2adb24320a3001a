package org.cornserve.plots.figure;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * An experiment sweep's results ({@code experiment run}'s {@code summary.json}: per variant, plan, rate and engine,
 * each metric's mean over seeds and its interval): the metric against the offered rate, one line per variant, plan and
 * engine, the interval as error bars; and with engine {@code both} ({@code errors.json}) the simulator's relative error
 * against the runtime, paired seed by seed, against the rate, one line per metric.
 */
public final class ExperimentFigure {
    /** What {@link #metrics} draws: the summary's key, the figure's stem and the axis title. */
    static final List<String[]> METRICS = List.of(
            new String[] {"goodput_rps", "goodput", "goodput (requests/s meeting the SLO)"},
            new String[] {"slo_attainment", "attainment", "share of requests meeting the SLO"},
            new String[] {"ttft_ms.p99", "ttft-p99", "P99 time to first token (ms)"},
            new String[] {"tpot_ms.p50", "tpot-p50", "P50 time per output token (ms)"},
            new String[] {"e2e_ms.p99", "e2e-p99", "P99 end-to-end latency (ms)"});

    /** What {@link #errors} draws, in order. */
    static final List<String> ERROR_METRICS = List.of("ttft_ms.p50", "ttft_ms.p99", "tpot_ms.p50", "tpot_ms.p99",
            "e2e_ms.p50", "e2e_ms.p99");

    private ExperimentFigure() {
    }

    /** Whether {@code doc} is an experiment's {@code summary.json}: an array of groups with a rate and an engine. */
    public static boolean isSummary(JsonNode doc) {
        return doc.isArray() && doc.size() > 0 && doc.get(0).has("rate") && doc.get(0).has("engine")
                && doc.get(0).has("seeds");
    }

    /** Whether {@code doc} is an experiment's {@code errors.json}. */
    public static boolean isErrors(JsonNode doc) {
        return doc.isArray() && doc.size() > 0 && doc.get(0).has("metric") && doc.get(0).path("error").has("mean");
    }

    /** One figure per metric of {@link #METRICS} that the summary holds. */
    public static List<Figure> metrics(JsonNode summary, int confidencePercent) {
        Map<String, List<JsonNode>> lines = new LinkedHashMap<>();
        for (JsonNode g : summary) {
            String label = (g.path("variant").asText().isEmpty() ? "" : g.path("variant").asText() + ", ")
                    + g.path("plan").asText() + " (" + g.path("engine").asText() + ")";
            lines.computeIfAbsent(label, k -> new ArrayList<>()).add(g);
        }
        List<Figure> out = new ArrayList<>();
        for (String[] m : METRICS) {
            if (!summary.get(0).has(m[0])) {
                continue;
            }
            XYChart chart = Charts.xy(m[2] + " against load, mean over seeds with its " + confidencePercent
                    + "% interval", "offered load (requests/s; 0: the trace's own)", m[2]);
            for (Map.Entry<String, List<JsonNode>> line : lines.entrySet()) {
                List<JsonNode> points = new ArrayList<>(line.getValue());
                points.sort(java.util.Comparator.comparingDouble(p -> p.path("rate").asDouble()));
                double[] x = points.stream().mapToDouble(p -> p.path("rate").asDouble()).toArray();
                double[] y = points.stream().mapToDouble(p -> p.path(m[0]).path("mean").asDouble()).toArray();
                double[] bars = points.stream().mapToDouble(p -> halfWidth(p.path(m[0]))).toArray();
                XYSeries s = chart.addSeries(line.getKey(), x, y, bars);
                s.setMarker(line.getKey().endsWith("(runtime)") ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
                if (line.getKey().endsWith("(simulator)")) {
                    s.setLineStyle(SeriesLines.DASH_DASH);
                }
            }
            chart.getStyler().setYAxisMin(0.0);
            chart.getStyler().setErrorBarsColorSeriesColor(true);
            chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
            out.add(new Figure("experiment-" + m[1], chart));
        }
        return out;
    }

    /** Per variant and plan: the simulator's relative error (%) against the runtime per metric, against the rate. */
    public static List<Figure> errors(JsonNode errors, int confidencePercent) {
        Map<String, Map<String, List<JsonNode>>> byCase = new LinkedHashMap<>();
        for (JsonNode e : errors) {
            String key = (e.path("variant").asText().isEmpty() ? "" : e.path("variant").asText() + ", ")
                    + e.path("plan").asText();
            byCase.computeIfAbsent(key, k -> new LinkedHashMap<>()).computeIfAbsent(e.path("metric").asText(),
                    k -> new ArrayList<>()).add(e);
        }
        List<Figure> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, List<JsonNode>>> c : byCase.entrySet()) {
            XYChart chart = Charts.xy("Simulated against served: " + c.getKey(), "offered load (requests/s; 0: the"
                    + " trace's own)", "relative error (%), mean over seeds, " + confidencePercent + "% interval");
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (String metric : ERROR_METRICS) {
                List<JsonNode> points = c.getValue().get(metric);
                if (points == null) {
                    continue;
                }
                points = new ArrayList<>(points);
                points.sort(java.util.Comparator.comparingDouble(p -> p.path("rate").asDouble()));
                double[] x = points.stream().mapToDouble(p -> p.path("rate").asDouble()).toArray();
                double[] y = points.stream().mapToDouble(p -> 100 * p.path("error").path("mean").asDouble()).toArray();
                double[] bars = points.stream().mapToDouble(p -> 100 * halfWidth(p.path("error"))).toArray();
                XYSeries s = chart.addSeries(metric, x, y, bars);
                s.setMarker(metric.endsWith("p99") ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
                if (metric.endsWith("p99")) {
                    s.setLineStyle(SeriesLines.DASH_DASH);
                }
                lo = Math.min(lo, x[0]);
                hi = Math.max(hi, x[x.length - 1]);
            }
            if (chart.getSeriesMap().isEmpty()) {
                continue;
            }
            XYSeries zero = chart.addSeries("exact", new double[] {lo, hi}, new double[] {0, 0});
            zero.setMarker(SeriesMarkers.NONE);
            zero.setLineStyle(SeriesLines.DOT_DOT);
            zero.setLineColor(java.awt.Color.GRAY);
            chart.getStyler().setErrorBarsColorSeriesColor(true);
            chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
            out.add(new Figure("experiment-errors-" + Figure.slug(c.getKey()), chart));
        }
        return out;
    }

    /** The interval's half width (the intervals are symmetric about the mean); 0 where it has none (one seed). */
    static double halfWidth(JsonNode interval) {
        double w = interval.path("high").asDouble(Double.NaN) - interval.path("mean").asDouble(Double.NaN);
        return Double.isFinite(w) && w > 0 ? w : 0;
    }
}
