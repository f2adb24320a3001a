package org.cornserve.plots.data;

import java.util.List;

/**
 * Per-deployment queue lengths over time, from {@code queues.csv}.
 *
 * @param timeSeconds sample instants in seconds
 * @param deployments deployment names, in column order
 * @param lengths {@code lengths[d][i]}: deployment d's queue length at sample i
 */
public record QueueSeries(double[] timeSeconds, List<String> deployments, double[][] lengths) {

    public QueueSeries {
        deployments = List.copyOf(deployments);
    }
}
