package org.cornserve.traces.transform;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.traces.TraceRecord;

/**
 * Runs cut from an in-memory trace for measuring a plan at a rate: the trace replayed back to back until it holds
 * enough requests, and its arrivals rescaled to a mean rate with their pattern kept. The planner's simulator
 * ranking, {@code capacity} and the experiments all cut their runs here.
 */
public final class TraceRuns {
    private TraceRuns() {
    }

    /**
     * At least {@code requests} records: the trace itself when it has enough, else the trace replayed back to
     * back (pass {@code k} shifted by {@code k} times the trace's span plus one mean inter-arrival gap).
     *
     * @throws IllegalArgumentException when replaying is needed and the trace has fewer than two records
     */
    public static List<TraceRecord> replayed(List<TraceRecord> trace, int requests) {
        int size = trace.size();
        if (requests <= size) {
            return trace;
        }
        if (size < 2) {
            throw new IllegalArgumentException("replaying a trace needs two records, got " + size);
        }
        long first = trace.get(0).arrivalNanos();
        long span = trace.get(size - 1).arrivalNanos() - first;
        long pass = span + Math.max(1, span / (size - 1));
        List<TraceRecord> out = new ArrayList<>(requests);
        for (int i = 0; i < requests; i++) {
            TraceRecord r = trace.get(i % size);
            out.add(i < size ? r : r.withArrivalNanos(r.arrivalNanos() + (long) (i / size) * pass));
        }
        return out;
    }

    /**
     * The first {@code requests} records of a trace with arrivals scaled so that their mean rate is
     * {@code rateRps} (times relative to the first arrival; the inter-arrival pattern is kept).
     *
     * @throws IllegalArgumentException for a rate that is not positive or fewer than two requests
     */
    public static List<TraceRecord> rescale(List<TraceRecord> trace, double rateRps, int requests) {
        int n = Math.min(requests, trace.size());
        if (!(rateRps > 0) || n < 2) {
            throw new IllegalArgumentException("rescaling needs a positive rate and two requests, got " + rateRps
                    + " rps and " + n + " requests");
        }
        long first = trace.get(0).arrivalNanos();
        double span = trace.get(n - 1).arrivalNanos() - first;
        double factor = span > 0 ? (n - 1) / (rateRps * span / 1e9) : 1;
        List<TraceRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            TraceRecord r = trace.get(i);
            out.add(r.withArrivalNanos(span > 0 ? Math.round((r.arrivalNanos() - first) * factor)
                    : Math.round(i * 1e9 / rateRps)));
        }
        return out;
    }

    /** {@code requests} records of {@code window}, replayed where it runs out, rescaled to {@code rateRps}. */
    public static List<TraceRecord> at(List<TraceRecord> window, double rateRps, int requests) {
        return rescale(replayed(window, requests), rateRps, requests);
    }
}
