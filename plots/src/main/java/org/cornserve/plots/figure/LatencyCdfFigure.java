package org.cornserve.plots.figure;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.cornserve.plots.data.RunResults;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Empirical CDFs of a latency, one line per run (plan, named without the prefix and suffix all names share, with
 * its count of completed requests): the share of completed requests at or below each
 * latency. Each line is drawn through the exact empirical quantiles at {@value #POINTS} evenly spaced levels below 0.99
 * plus the tail levels 0.99, 0.995, 0.999 and the maximum, so a run of any length draws the same small number
 * of points. The latency axis is logarithmic when the values span decades (two powers of ten or more within
 * the range).
 */
public final class LatencyCdfFigure {
    static final int POINTS = 200;
    private static final double[] TAIL = {0.99, 0.995, 0.999};

    private LatencyCdfFigure() {
    }

    /** Which latency: its label, file part and the run's samples. */
    public enum Metric {
        TTFT("time to first token", "ttft", RunResults::ttftMs),
        E2E("end-to-end latency", "e2e", RunResults::e2eMs);

        final String label;
        final String stem;
        final Function<RunResults, double[]> samples;

        Metric(String label, String stem, Function<RunResults, double[]> samples) {
            this.label = label;
            this.stem = stem;
            this.samples = samples;
        }
    }

    /** The figure, or null when no run completed a request. */
    public static Figure of(List<RunResults> runs, Metric metric) {
        XYChart chart = Charts.xy("CDF of " + metric.label + " per plan", metric.label + " (ms)",
                "share of completed requests");
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        List<String> names = Labels.shorten(runs.stream().map(RunResults::name).toList());
        for (int r = 0; r < runs.size(); r++) {
            RunResults run = runs.get(r);
            double[] s = metric.samples.apply(run).clone();
            if (s.length == 0) {
                continue;
            }
            Arrays.sort(s);
            double[][] xy = quantileCurve(s);
            XYSeries series = chart.addSeries(unique(chart, names.get(r) + " (" + s.length + ")"), xy[0], xy[1]);
            series.setMarker(SeriesMarkers.NONE);
            series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            min = Math.min(min, xy[0][0]);
            max = Math.max(max, xy[0][xy[0].length - 1]);
        }
        if (chart.getSeriesMap().isEmpty()) {
            return null;
        }
        chart.getStyler().setXAxisLogarithmic(Charts.spansDecades(min, max));
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisDecimalPattern("#,##0.###");
        return new Figure("latency-cdf-" + metric.stem, chart);
    }

    /**
     * The curve through a sorted sample: x = the empirical quantile at level p (the smallest sample with at
     * least p of the samples at or below it), y = p; latencies are floored at 0.001 ms so a log axis can show them.
     */
    static double[][] quantileCurve(double[] sorted) {
        int n = sorted.length;
        double[] levels = new double[POINTS + TAIL.length + 1];
        int k = 0;
        for (int i = 0; i < POINTS; i++) {
            levels[k++] = (double) i / POINTS * 0.99;
        }
        for (double t : TAIL) {
            levels[k++] = t;
        }
        levels[k] = 1.0;
        double[] x = new double[levels.length];
        for (int i = 0; i < levels.length; i++) {
            int index = Math.max(0, (int) Math.ceil(levels[i] * n) - 1);
            x[i] = Math.max(0.001, sorted[index]);
        }
        return new double[][] {x, levels};
    }

    static String unique(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, String name) {
        String n = name;
        for (int i = 2; chart.getSeriesMap().containsKey(n); i++) {
            n = name + " #" + i;
        }
        return n;
    }
}
