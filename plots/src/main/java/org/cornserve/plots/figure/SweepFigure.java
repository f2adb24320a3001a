package org.cornserve.plots.figure;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.cornserve.plots.data.CapacitySweep;
import org.cornserve.plots.data.SweepPoint;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A plan's runs at several rates ({@code capacity.json}, the capacity bisection's probes, sorted by rate): SLO
 * attainment against offered load with the target and the capacity marked, throughput and goodput against offered
 * load, and tail latency against throughput.
 */
public final class SweepFigure {

    private SweepFigure() {
    }

    static List<SweepPoint> sorted(CapacitySweep sweep) {
        List<SweepPoint> p = new ArrayList<>(sweep.probes());
        p.sort(Comparator.comparingDouble(SweepPoint::rateRps));
        return p;
    }

    public static Figure attainment(CapacitySweep sweep) {
        List<SweepPoint> p = sorted(sweep);
        XYChart chart = Charts.xy("SLO attainment against load: " + sweep.plan()
                + (sweep.slo() == null ? "" : " (" + sweep.slo() + ")"), "offered load (requests/s)",
                "share of requests meeting the SLO");
        XYSeries s = chart.addSeries("SLO attainment", rates(p), p.stream().mapToDouble(SweepPoint::sloAttainment).toArray());
        s.setMarker(SeriesMarkers.CIRCLE);
        double lo = p.get(0).rateRps();
        double hi = p.get(p.size() - 1).rateRps();
        XYSeries target = chart.addSeries(String.format(java.util.Locale.ROOT, "target %.2f", sweep.attainmentTarget()),
                new double[] {lo, hi}, new double[] {sweep.attainmentTarget(), sweep.attainmentTarget()});
        target.setMarker(SeriesMarkers.NONE);
        target.setLineStyle(SeriesLines.DASH_DASH);
        XYSeries cap = chart.addSeries(String.format(java.util.Locale.ROOT, "capacity %.2f req/s", sweep.capacityRps()),
                new double[] {sweep.capacityRps(), sweep.capacityRps()}, new double[] {0, 1});
        cap.setMarker(SeriesMarkers.NONE);
        cap.setLineStyle(SeriesLines.DOT_DOT);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSW);
        return new Figure("sweep-attainment-" + Figure.slug(sweep.plan()), chart);
    }

    public static Figure goodput(CapacitySweep sweep) {
        List<SweepPoint> p = sorted(sweep);
        XYChart chart = Charts.xy("Throughput and goodput against load: " + sweep.plan(), "offered load (requests/s)",
                "requests per second");
        double[] x = rates(p);
        XYSeries offered = chart.addSeries("offered (y = x)", x, x);
        offered.setMarker(SeriesMarkers.NONE);
        offered.setLineStyle(SeriesLines.DASH_DASH);
        chart.addSeries("throughput", x, p.stream().mapToDouble(SweepPoint::throughputRps).toArray())
                .setMarker(SeriesMarkers.CIRCLE);
        chart.addSeries("goodput (met the SLO)", x, p.stream().mapToDouble(SweepPoint::goodputRps).toArray())
                .setMarker(SeriesMarkers.DIAMOND);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        return new Figure("sweep-goodput-" + Figure.slug(sweep.plan()), chart);
    }

    public static Figure latency(CapacitySweep sweep) {
        List<SweepPoint> p = new ArrayList<>(sorted(sweep));
        p.sort(Comparator.comparingDouble(SweepPoint::throughputRps));
        XYChart chart = Charts.xy("Tail latency against throughput: " + sweep.plan(), "throughput (requests/s)",
                "P99 latency (ms)");
        double[] x = p.stream().mapToDouble(SweepPoint::throughputRps).toArray();
        double[] ttft = p.stream().mapToDouble(s -> s.ttftMs().p99()).toArray();
        double[] e2e = p.stream().mapToDouble(s -> s.e2eMs().p99()).toArray();
        chart.addSeries("P99 TTFT", x, ttft).setMarker(SeriesMarkers.CIRCLE);
        chart.addSeries("P99 end-to-end", x, e2e).setMarker(SeriesMarkers.DIAMOND);
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (double[] a : new double[][] {ttft, e2e}) {
            for (double v : a) {
                min = Math.min(min, v); // a zero (no completed request) keeps the axis linear
                max = Math.max(max, v);
            }
        }
        chart.getStyler().setYAxisLogarithmic(Charts.spansDecades(min, max));
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        return new Figure("sweep-latency-" + Figure.slug(sweep.plan()), chart);
    }

    private static double[] rates(List<SweepPoint> p) {
        return p.stream().mapToDouble(SweepPoint::rateRps).toArray();
    }
}
