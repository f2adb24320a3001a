package org.cornserve.plots.figure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.model.plan.Deployment;
import org.cornserve.model.plan.DeploymentPlan;
import org.knowm.xchart.CategoryChart;

/**
 * Plans' device allocation: one bar per plan, stacked by deployment, each segment the deployment's devices
 * (replicas x devices per replica). Deployments are named by the unit tasks they hold, joined with '+' and without
 * the model prefix when the plan serves one model, so equal groupings share a colour across plans. Plan names lose
 * the prefix and suffix they all share.
 */
public final class AllocationFigure {

    private AllocationFigure() {
    }

    /** The figure for these plans (one bar each), or null for none. */
    public static Figure of(String title, List<DeploymentPlan> plans, String stem) {
        if (plans.isEmpty()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        Map<String, double[]> devicesByGroup = new LinkedHashMap<>();
        for (int p = 0; p < plans.size(); p++) {
            DeploymentPlan plan = plans.get(p);
            String label = plan.name();
            for (int k = 2; names.contains(label); k++) {
                label = plan.name() + " #" + k;
            }
            names.add(label);
            for (Deployment d : plan.deployments()) {
                devicesByGroup.computeIfAbsent(groupName(plan, d), k -> new double[plans.size()])[p] += d.devices();
            }
        }
        List<String> planLabels = Labels.shorten(names);
        int groups = devicesByGroup.size();
        CategoryChart chart = groups <= 8 ? Charts.category(title, "plan", "devices")
                : Charts.category(title, "plan", "devices", Charts.WIDTH + 400, Math.max(Charts.HEIGHT, 200 + 40 * groups));
        for (Map.Entry<String, double[]> e : devicesByGroup.entrySet()) {
            List<Double> y = new ArrayList<>();
            for (double v : e.getValue()) {
                y.add(v);
            }
            chart.addSeries(e.getKey(), planLabels, y);
        }
        chart.getStyler().setStacked(true);
        chart.getStyler().setXAxisLabelRotation(Labels.rotation(planLabels));
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        chart.getStyler().setYAxisMin(0.0);
        return new Figure(stem, chart);
    }

    /** A deployment's name for the legend: its tasks, without the model prefix when the plan serves one model. */
    static String groupName(DeploymentPlan plan, Deployment d) {
        List<String> parts = new ArrayList<>();
        for (String t : d.tasks()) {
            int slash = t.indexOf('/');
            parts.add(plan.models().size() == 1 && slash >= 0 ? t.substring(slash + 1) : t);
        }
        return String.join(" + ", parts);
    }
}
