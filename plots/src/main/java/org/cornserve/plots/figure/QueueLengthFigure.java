package org.cornserve.plots.figure;

import org.cornserve.plots.data.QueueSeries;
import org.cornserve.plots.data.RunResults;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One run's outstanding invocations (queued or running) per deployment over time, from {@code queues.csv}, drawn
 * as steps held from each sample; at most {@value #MAX_POINTS} samples per line (every k-th sample, the
 * maximum of each stride kept so that no spike disappears).
 */
public final class QueueLengthFigure {
    static final int MAX_POINTS = 2000;

    private QueueLengthFigure() {
    }

    /** The figure, or null when the run has no queue series or fewer than two samples. */
    public static Figure of(RunResults run) {
        QueueSeries q = run.queues();
        if (q == null || q.timeSeconds().length < 2 || q.deployments().isEmpty()) {
            return null;
        }
        XYChart chart = Charts.xy("Outstanding invocations per deployment: " + run.name(), "time (s)",
                "invocations queued or running");
        int n = q.timeSeconds().length;
        int stride = (n + MAX_POINTS - 1) / MAX_POINTS;
        for (int d = 0; d < q.deployments().size(); d++) {
            int m = (n + stride - 1) / stride;
            double[] x = new double[m];
            double[] y = new double[m];
            for (int i = 0; i < m; i++) {
                x[i] = q.timeSeconds()[i * stride];
                double peak = 0;
                for (int j = i * stride; j < Math.min(n, (i + 1) * stride); j++) {
                    peak = Math.max(peak, q.lengths()[d][j]);
                }
                y[i] = peak;
            }
            XYSeries s = chart.addSeries(LatencyCdfFigure.unique(chart, q.deployments().get(d)), x, y);
            s.setMarker(SeriesMarkers.NONE);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        }
        chart.getStyler().setYAxisMin(0.0);
        return new Figure("queues-" + Figure.slug(run.name()), chart);
    }
}
