package org.cornserve.simulator.evaluate;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.request.RequestShape;
import org.cornserve.planner.Slo;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.transform.TraceRuns;

/**
 * A plan whose sustained rate is known, for testing the steady-state check: {@code servers} first-come-first-served
 * servers fed Poisson arrivals, each request taking a service time drawn for it (the same at every rate). Past
 * {@code servers / mean service} its queue grows without end, so that is its capacity.
 *
 * @param name for reports
 * @param servers servers working in parallel
 * @param fastServiceS the service time of a request drawn fast
 * @param slowServiceS the service time of the others
 * @param slowShare the share of requests that are slow (0: every request takes {@code fastServiceS})
 */
record KnownCapacityQueue(String name, int servers, double fastServiceS, double slowServiceS, double slowShare) {

    /** One server, 10 ms a request: 100 rps, latencies of milliseconds (M/D/1). */
    static final KnownCapacityQueue SINGLE_FAST = new KnownCapacityQueue("1 server, 10 ms", 1, 0.01, 0.01, 0);
    /**
     * 16 servers, half the requests 0.4 s and half 2.8 s: 10 rps, latencies of seconds with a wide spread (text and
     * speech answers of an Omni model).
     */
    static final KnownCapacityQueue MANY_BIMODAL = new KnownCapacityQueue("16 servers, 0.4 s / 2.8 s", 16, 0.4, 2.8,
            0.5);
    /** One server, 25 ms or 75 ms: 20 rps, a single queue with variable service. */
    static final KnownCapacityQueue SINGLE_VARIABLE = new KnownCapacityQueue("1 server, 25 / 75 ms", 1, 0.025, 0.075,
            0.5);

    double capacityRps() {
        return servers / (fastServiceS * (1 - slowShare) + slowServiceS * slowShare);
    }

    /** Poisson arrivals at 1 rps (rescaled to a probe's rate by {@link TraceRuns#at}). */
    static List<TraceRecord> poisson(long seed, int n) {
        Random rnd = new Random(seed);
        List<TraceRecord> out = new ArrayList<>(n);
        long t = 0;
        for (int i = 0; i < n; i++) {
            t += Math.round(-Math.log(1 - rnd.nextDouble()) * 1e9);
            out.add(new TraceRecord(t, "default", new RequestShape(10, List.of(), 10, Set.of(Modality.TEXT))));
        }
        return out;
    }

    /**
     * The queue serves the trace: request {@code i} takes the service time drawn {@code i}-th from {@code seed}; met
     * when its end-to-end latency is in the SLO.
     */
    RunMetrics serve(List<TraceRecord> trace, double rateRps, Slo slo, long seed) {
        Random service = new Random(seed * 31 + 7);
        PriorityQueue<Long> free = new PriorityQueue<>();
        for (int s = 0; s < servers; s++) {
            free.add(Long.MIN_VALUE);
        }
        long[] arrivals = new long[trace.size()];
        long[] ends = new long[trace.size()];
        int met = 0;
        for (int i = 0; i < trace.size(); i++) {
            arrivals[i] = trace.get(i).arrivalNanos();
            double serviceS = service.nextDouble() < slowShare ? slowServiceS : fastServiceS;
            ends[i] = Math.max(free.poll(), arrivals[i]) + Math.round(serviceS * 1e9);
            free.add(ends[i]);
            if ((ends[i] - arrivals[i]) / 1e6 <= slo.e2eMs()) {
                met++;
            }
        }
        double attainment = (double) met / trace.size();
        RunMetrics.Latency none = RunMetrics.Latency.NONE;
        return new RunMetrics(rateRps, trace.size(), 0, 0, attainment, none, none, none, Backlog.of(arrivals, ends));
    }

    /** The requests of a probe at {@code rateRps}: {@code seconds} of arrivals, never fewer than {@code minRequests}. */
    static int probeRequests(double rateRps, double seconds, int minRequests) {
        return (int) Math.max(minRequests, Math.ceil(rateRps * seconds));
    }

    /** The capacity a bisection to 1% finds with {@code steady}, on probes of {@code seconds} of arrivals. */
    double capacity(long seed, double seconds, int minRequests, Slo slo, SteadyState steady) {
        List<TraceRecord> window = poisson(seed, 150_000);
        PlanRunner runner = (plan, trace, rate, s) -> serve(trace, rate, s, seed);
        return runner.capacity(null, rate -> TraceRuns.at(window, rate, probeRequests(rate, seconds, minRequests)),
                slo, steady, 0.01, 12, capacityRps() / 2, Double.POSITIVE_INFINITY, m -> { }).capacityRps();
    }
}
