package org.cornserve.plots.figure;

import java.util.List;
import org.cornserve.plots.data.ValidationRow;
import org.knowm.xchart.CategoryChart;

/** Simulated against measured ({@code validation.json}): the two values per metric, and the relative errors. */
public final class ValidationFigure {

    private ValidationFigure() {
    }

    public static Figure values(List<ValidationRow> rows) {
        List<String> metrics = rows.stream().map(ValidationRow::metric).toList();
        CategoryChart chart = Charts.category("Simulated against measured", "metric (unit in its name)", "value");
        chart.addSeries("simulated", metrics, rows.stream().map(r -> (Number) r.simulated()).toList());
        chart.addSeries("measured", metrics, rows.stream().map(r -> (Number) r.measured()).toList());
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (ValidationRow r : rows) {
            for (double v : new double[] {r.simulated(), r.measured()}) {
                if (v > 0) {
                    min = Math.min(min, v);
                }
                max = Math.max(max, v);
            }
        }
        Charts.logYIfDecades(chart, min, max);
        chart.getStyler().setXAxisLabelRotation(Labels.rotation(metrics));
        chart.getStyler().setYAxisDecimalPattern("#,##0.##");
        return new Figure("validation-values", chart);
    }

    public static Figure errors(List<ValidationRow> rows) {
        List<String> metrics = rows.stream().map(ValidationRow::metric).toList();
        CategoryChart chart = Charts.category("Relative error of the simulation ((simulated - measured) / measured)",
                "metric", "relative error (%)");
        chart.addSeries("error", metrics, rows.stream().map(r -> (Number) (100 * r.relativeError())).toList());
        chart.getStyler().setXAxisLabelRotation(Labels.rotation(metrics));
        chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setLabelsVisible(true);
        return new Figure("validation-errors", chart);
    }
}
