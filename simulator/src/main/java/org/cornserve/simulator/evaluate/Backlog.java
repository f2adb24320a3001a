package org.cornserve.simulator.evaluate;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;
import org.cornserve.simulator.metrics.RequestRecord;

/**
 * How a run's backlog moved while requests arrived: at {@link #POINTS} + 1 evenly spaced instants from the first
 * arrival to the last, how many requests had arrived and how many had ended (completed or rejected; a rejected
 * request counts as ended at its arrival, since it holds nothing). Arrived minus ended is the backlog.
 *
 * @param arrived requests arrived by each instant
 * @param ended requests ended by each instant
 */
public record Backlog(@JsonProperty("arrived") long[] arrived, @JsonProperty("ended") long[] ended) {
    /** Intervals the arrival span is cut into: a tail fraction is measured in steps of 1 / POINTS. */
    public static final int POINTS = 20;

    public Backlog {
        if (arrived == null || ended == null || arrived.length != POINTS + 1 || ended.length != POINTS + 1) {
            throw new IllegalArgumentException("a backlog needs " + (POINTS + 1) + " arrived and ended counts");
        }
        arrived = arrived.clone();
        ended = ended.clone();
    }

    @Override
    public long[] arrived() {
        return arrived.clone();
    }

    @Override
    public long[] ended() {
        return ended.clone();
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
     * @param endNanos each request's end (its arrival for a rejected one; {@code Long.MAX_VALUE} for one that never
     *     ended)
     */
    public static Backlog of(long[] arrivalNanos, long[] endNanos) {
        if (arrivalNanos.length != endNanos.length) {
            throw new IllegalArgumentException("backlog: " + arrivalNanos.length + " arrivals but " + endNanos.length
                    + " ends");
        }
        long[] a = arrivalNanos.clone();
        long[] e = endNanos.clone();
        Arrays.sort(a);
        Arrays.sort(e);
        long[] arrived = new long[POINTS + 1];
        long[] ended = new long[POINTS + 1];
        if (a.length > 0) {
            long first = a[0];
            long span = a[a.length - 1] - first;
            for (int i = 0; i <= POINTS; i++) {
                long t = i == POINTS ? a[a.length - 1] : first + Math.round((double) span * i / POINTS);
                arrived[i] = upTo(a, t);
                ended[i] = upTo(e, t);
            }
        }
        return new Backlog(arrived, ended);
    }

    /** How many of the sorted values are at most t. */
    private static long upTo(long[] sorted, long t) {
        int i = Arrays.binarySearch(sorted, t);
        if (i < 0) {
            return -i - 1;
        }
        while (i + 1 < sorted.length && sorted[i + 1] == t) {
            i++;
        }
        return i + 1;
    }

    /**
     * The backlog's growth over the last {@code tailFraction} of the arrival span, as a share of the requests that
     * arrived in it: 0 when completions kept up with arrivals, {@code 1 - served / offered} when a stage serves
     * slower than requests come. 0 for a run with no arrivals in its tail.
     */
    public double growth(double tailFraction) {
        int from = POINTS - (int) Math.round(tailFraction * POINTS);
        if (from < 0 || from >= POINTS) {
            throw new IllegalArgumentException("backlog tail fraction must be a multiple of 1/" + POINTS
                    + " in (0, 1], got " + tailFraction);
        }
        long offered = arrived[POINTS] - arrived[from];
        if (offered == 0) {
            return 0;
        }
        long grown = (arrived[POINTS] - ended[POINTS]) - (arrived[from] - ended[from]);
        return (double) grown / offered;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Backlog b && Arrays.equals(arrived, b.arrived) && Arrays.equals(ended, b.ended);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(arrived) + Arrays.hashCode(ended);
    }

    @Override
    public String toString() {
        return "Backlog[arrived=" + Arrays.toString(arrived) + ", ended=" + Arrays.toString(ended) + "]";
    }
}
