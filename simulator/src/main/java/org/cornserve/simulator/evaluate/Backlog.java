package org.cornserve.simulator.evaluate;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.commons.math3.stat.regression.SimpleRegression;
import org.cornserve.simulator.metrics.RequestRecord;

/**
 * Whether a run's completions kept up with its arrivals over its last part, for each last part of
 * {@code k / }{@link #POINTS} of the arrival span (first arrival to last): the share of the requests offered there that
 * the plan did not serve, {@code 1 - completed / offered}. A rejected request counts as served at its arrival (it holds
 * nothing).
 *
 * <p>Completions in the window {@code [a, b]} are compared with the arrivals of the same window moved back by the mean
 * latency {@code L} of the requests completed in it, {@code [a - L, b - L]}: in steady state those are the requests
 * that complete in the window, whatever the arrival rate did before (a real trace's rate rises and falls within a
 * minute; comparing with the window's own arrivals would read a rising rate as a backlog). Past a plan's capacity the
 * completions are what it serves, {@code mu w}, and the arrivals {@code lambda w}, so the share is
 * {@code 1 - mu / lambda} from the first second of overload on, whatever the run's length.
 *
 * <p>How much of that share is noise: the share is {@code (D(b) - D(a)) / offered} with {@code D(t) = A(t - L) -
 * C(t)} (arrivals up to {@code t - L} less completions up to {@code t}). In a stable queue {@code D} wanders about a
 * level (the queue's own fluctuation, the latencies' spread about {@code L}, the arrivals' bursts), so the share of a
 * stable run is not 0 but {@code 0 +- sqrt(2) sd(D) / offered}; past capacity {@code D} also climbs at
 * {@code lambda - mu}. {@link #noise} estimates that standard error from the run itself: {@code D} sampled at
 * {@value #NOISE_SAMPLES} + 1 even points of the window, its standard deviation about their least-squares line (the
 * line takes out an overload's climb, which is signal, not noise).
 *
 * @param unserved the share for the last {@code (k + 1) / POINTS} of the span at index {@code k}
 * @param offered the requests offered there (the moved-back window's arrivals), at the same index
 * @param noise the share's standard error in a stable run of that window, estimated from the run, at the same index
 *     (absent in a file written before it: 0 everywhere)
 */
public record Backlog(@JsonProperty("unserved") List<Double> unserved, @JsonProperty("offered") List<Long> offered,
        @JsonProperty("noise") List<Double> noise) {
    /** Steps the arrival span is cut into: a tail fraction is a multiple of 1 / POINTS. */
    public static final int POINTS = 20;
    /** Intervals of a window at whose ends its {@code D(t)} is sampled for the noise estimate. */
    public static final int NOISE_SAMPLES = 40;

    public Backlog {
        if (noise == null) {
            noise = Collections.nCopies(POINTS, 0.0);
        }
        if (unserved == null || unserved.size() != POINTS || offered == null || offered.size() != POINTS
                || noise.size() != POINTS) {
            throw new IllegalArgumentException("a backlog needs " + POINTS + " shares, counts and noise figures");
        }
        unserved = List.copyOf(unserved);
        offered = List.copyOf(offered);
        noise = List.copyOf(noise);
    }

    /** The backlog of a simulated run, from its records (arrival and completion times). */
    public static Backlog of(List<RequestRecord> records) {
        int n = records.size();
        long[] arrivals = new long[n];
        long[] ends = new long[n];
        for (int i = 0; i < n; i++) {
            RequestRecord r = records.get(i);
            arrivals[i] = r.request().arrivalNanos();
            ends[i] = r.completed() ? r.completionNanos() : arrivals[i];
        }
        return of(arrivals, ends);
    }

    /**
     * @param arrivalNanos each request's arrival
     * @param endNanos each request's end (its arrival for a rejected one)
     */
    public static Backlog of(long[] arrivalNanos, long[] endNanos) {
        int n = arrivalNanos.length;
        if (n != endNanos.length) {
            throw new IllegalArgumentException("backlog: " + n + " arrivals but " + endNanos.length + " ends");
        }
        Double[] unserved = new Double[POINTS];
        Long[] offeredIn = new Long[POINTS];
        Double[] noise = new Double[POINTS];
        Arrays.fill(unserved, 0.0);
        Arrays.fill(offeredIn, 0L);
        Arrays.fill(noise, 0.0);
        if (n < 2) {
            return new Backlog(Arrays.asList(unserved), Arrays.asList(offeredIn), Arrays.asList(noise));
        }
        long[] arrivals = arrivalNanos.clone();
        Arrays.sort(arrivals);
        // requests in order of their ends, with the running sum of their latencies
        Integer[] byEnd = new Integer[n];
        for (int i = 0; i < n; i++) {
            byEnd[i] = i;
        }
        Arrays.sort(byEnd, (x, y) -> Long.compare(endNanos[x], endNanos[y]));
        long[] ends = new long[n];
        double[] latencySum = new double[n + 1];
        for (int i = 0; i < n; i++) {
            ends[i] = endNanos[byEnd[i]];
            latencySum[i + 1] = latencySum[i] + (endNanos[byEnd[i]] - arrivalNanos[byEnd[i]]);
        }
        long first = arrivals[0];
        long last = arrivals[n - 1];
        for (int k = 0; k < POINTS; k++) {
            long from = last - Math.round((double) (last - first) * (k + 1) / POINTS);
            int c0 = upTo(ends, from - 1);
            int c1 = upTo(ends, last);
            int completed = c1 - c0;
            long lag = completed == 0 ? 0 : Math.round((latencySum[c1] - latencySum[c0]) / completed);
            int offered = upTo(arrivals, last - lag) - upTo(arrivals, from - lag - 1);
            unserved[k] = offered == 0 ? 0 : 1 - (double) completed / offered;
            offeredIn[k] = (long) offered;
            noise[k] = offered == 0 ? 0 : Math.sqrt(2) * detrendedDeviation(arrivals, ends, from, last, lag) / offered;
        }
        return new Backlog(Arrays.asList(unserved), Arrays.asList(offeredIn), Arrays.asList(noise));
    }

    /**
     * The standard deviation of {@code D(t) = A(t - lag) - C(t)} about its least-squares line over {@code [from, to]},
     * from {@link #NOISE_SAMPLES} + 1 even samples.
     */
    private static double detrendedDeviation(long[] arrivals, long[] ends, long from, long to, long lag) {
        SimpleRegression line = new SimpleRegression();
        for (int j = 0; j <= NOISE_SAMPLES; j++) {
            long t = from + Math.round((double) (to - from) * j / NOISE_SAMPLES);
            line.addData(j, upTo(arrivals, t - lag) - upTo(ends, t));
        }
        double meanSquare = line.getMeanSquareError();
        return Double.isNaN(meanSquare) ? 0 : Math.sqrt(Math.max(0, meanSquare));
    }

    /** How many of the sorted values are at most t. */
    private static int upTo(long[] sorted, long t) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The share of the requests offered over the last {@code tailFraction} of the arrival span that the plan did not
     * serve there (negative when it caught up on earlier ones).
     */
    public double growth(double tailFraction) {
        return unserved.get(index(tailFraction));
    }

    /** The standard error of {@link #growth} in a stable run of the same window, estimated from this run. */
    public double noise(double tailFraction) {
        return noise.get(index(tailFraction));
    }

    /** The requests offered over the last {@code tailFraction} of the arrival span. */
    public long offered(double tailFraction) {
        return offered.get(index(tailFraction));
    }

    private static int index(double tailFraction) {
        int k = (int) Math.round(tailFraction * POINTS) - 1;
        if (k < 0 || k >= POINTS || Math.abs((k + 1) - tailFraction * POINTS) > 1e-9) {
            throw new IllegalArgumentException("backlog tail fraction must be a multiple of 1/" + POINTS
                    + " in (0, 1], got " + tailFraction);
        }
        return k;
    }
}
