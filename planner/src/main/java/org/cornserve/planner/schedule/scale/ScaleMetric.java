package org.cornserve.planner.schedule.scale;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a scaled deployment's load is measured by; both are known to a live engine (no trace output lengths).
 */
public enum ScaleMetric {
    /**
     * Busy fraction of the deployment's replicas over the last evaluation window (time running steps over
     * window x replicas that were up); the target is the fraction to hold, e.g. 0.7.
     */
    UTILIZATION("utilization"),
    /**
     * Outstanding invocations (queued or running) per replica; the target is what one replica carries at its
     * profile's capacity (e.g. the concurrency at which it still meets the SLO).
     */
    QUEUE("queue");

    private final String metricName;

    ScaleMetric(String metricName) {
        this.metricName = metricName;
    }

    public String metricName() {
        return metricName;
    }

    /** The metric named {@code name}; an unknown name lists the known ones. */
    public static ScaleMetric byName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (ScaleMetric m : values()) {
            if (m.metricName.equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown scaling metric '" + name + "'; known: "
                + Arrays.stream(values()).map(ScaleMetric::metricName).collect(Collectors.joining(", ")));
    }
}
