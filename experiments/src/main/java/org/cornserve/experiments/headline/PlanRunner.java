package org.cornserve.experiments.headline;

import java.util.List;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.planner.Slo;
import org.cornserve.traces.TraceRecord;

/** Runs a plan on a trace at a rate and measures it (the simulator does). */
@FunctionalInterface
public interface PlanRunner {
    /**
     * @param trace the workload, arrivals already at the rate to run
     * @param rateRps that rate, for the report
     */
    RunMetrics run(DeploymentPlan plan, List<TraceRecord> trace, double rateRps, Slo slo);

    /**
     * The first {@code requests} records of a trace with arrivals scaled so that their mean rate is
     * {@code rateRps} (times relative to the first arrival; the inter-arrival pattern is kept).
     */
    static List<TraceRecord> rescale(List<TraceRecord> trace, double rateRps, int requests) {
        int n = Math.min(requests, trace.size());
        if (!(rateRps > 0) || n < 2) {
            throw new IllegalArgumentException("rescaling needs a positive rate and two requests, got " + rateRps
                    + " rps and " + n + " requests");
        }
        long first = trace.get(0).arrivalNanos();
        double span = trace.get(n - 1).arrivalNanos() - first;
        double factor = span > 0 ? (n - 1) / (rateRps * span / 1e9) : 1;
        List<TraceRecord> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            TraceRecord r = trace.get(i);
            out.add(r.withArrivalNanos(span > 0 ? Math.round((r.arrivalNanos() - first) * factor)
                    : Math.round(i * 1e9 / rateRps)));
        }
        return out;
    }
}
