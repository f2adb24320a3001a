package org.cornserve.plots.figure;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.plots.data.RunResults;
import org.cornserve.plots.data.StageTiming;
import org.knowm.xchart.CategoryChart;

/**
 * One run's per-stage latency: for each unit task a bar of the mean time an invocation queued (all inputs present
 * to start) stacked under the mean time it ran (start to finish). Means add up, so a bar's height is the task's
 * mean latency per invocation. Task ids lose their model prefix when the run has one model.
 */
public final class StageBreakdownFigure {

    private StageBreakdownFigure() {
    }

    /** The figure, or null when the run has no stages. */
    public static Figure of(RunResults run) {
        List<StageTiming> stages = run.summary().stages();
        if (stages.isEmpty()) {
            return null;
        }
        List<String> tasks = shortTaskNames(stages.stream().map(StageTiming::task).toList());
        List<Double> queue = new ArrayList<>();
        List<Double> running = new ArrayList<>();
        for (StageTiming s : stages) {
            queue.add(s.queueMs().mean());
            running.add(s.runMs().mean());
        }
        CategoryChart chart = Charts.category("Per-stage latency: " + run.name(), "unit task (invocations)",
                "mean latency per invocation (ms)");
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            labels.add(tasks.get(i) + " (" + stages.get(i).invocations() + ")");
        }
        chart.addSeries("queued", labels, queue);
        chart.addSeries("running", labels, running);
        chart.getStyler().setStacked(true);
        chart.getStyler().setXAxisLabelRotation(Labels.rotation(labels));
        chart.getStyler().setYAxisDecimalPattern("#,##0.##");
        return new Figure("stages-" + Figure.slug(run.name()), chart);
    }

    /** Drops the shared {@code model/} prefix when every task has the same one. */
    static List<String> shortTaskNames(List<String> tasks) {
        String prefix = null;
        for (String t : tasks) {
            int slash = t.indexOf('/');
            String p = slash < 0 ? "" : t.substring(0, slash + 1);
            if (prefix == null) {
                prefix = p;
            } else if (!prefix.equals(p)) {
                return tasks;
            }
        }
        String cut = prefix == null ? "" : prefix;
        return tasks.stream().map(t -> t.substring(cut.length())).toList();
    }
}
