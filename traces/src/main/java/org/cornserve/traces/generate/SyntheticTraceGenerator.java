package org.cornserve.traces.generate;

import org.apache.commons.math3.distribution.RealDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.TraceSource;

/**
 * A renewal-process trace: inter-arrival gaps from a distribution (exponential for Poisson, Gamma
 * for a given coefficient of variation, ...), each request's shape from a {@link ShapeSampler}. The
 * first request arrives one gap after 0. It stops after {@code maxRequests} records or at
 * {@code durationS} seconds, whichever comes first. All randomness comes from one {@link Well19937c}
 * seeded with {@code seed}, so a seed gives the same trace every time.
 */
public final class SyntheticTraceGenerator implements TraceReader {

    /** How gaps are drawn from the generator's random source. */
    @FunctionalInterface
    public interface GapFactory {
        RealDistribution create(RandomGenerator random);
    }

    private final RealDistribution gaps;
    private final ShapeSampler shapes;
    private final String app;
    private final long maxRequests;
    private final long endNanos;
    private double timeS;
    private long produced;

    /**
     * @param gapsSeconds inter-arrival distribution in seconds
     * @param shapes request shape sampler factory
     * @param app app name of every record
     * @param maxRequests stop after this many records ({@code Long.MAX_VALUE} for no limit)
     * @param durationS stop at this time ({@code Double.POSITIVE_INFINITY} for no limit)
     * @param seed the random seed
     */
    public SyntheticTraceGenerator(GapFactory gapsSeconds, ShapeSampler.Factory shapes, String app, long maxRequests,
            double durationS, long seed) {
        if (maxRequests < 0) {
            throw new IllegalArgumentException("request count must be >= 0, got " + maxRequests);
        }
        if (!(durationS > 0)) {
            throw new IllegalArgumentException("duration must be > 0 s, got " + durationS);
        }
        if (maxRequests == Long.MAX_VALUE && Double.isInfinite(durationS)) {
            throw new IllegalArgumentException("give a request count or a duration (or both)");
        }
        RandomGenerator random = new Well19937c(seed);
        this.gaps = gapsSeconds.create(random);
        this.shapes = shapes.create(random);
        this.app = app;
        this.maxRequests = maxRequests;
        this.endNanos = Double.isInfinite(durationS) ? Long.MAX_VALUE : TraceRecord.secondsToNanos(durationS);
    }

    /** A reopenable source: each open starts the same seeded trace again. */
    public static TraceSource source(GapFactory gapsSeconds, ShapeSampler.Factory shapes, String app, long maxRequests,
            double durationS, long seed) {
        return () -> new SyntheticTraceGenerator(gapsSeconds, shapes, app, maxRequests, durationS, seed);
    }

    @Override
    public TraceRecord read() {
        if (produced >= maxRequests) {
            return null;
        }
        timeS += gaps.sample();
        long arrivalNanos = TraceRecord.secondsToNanos(timeS);
        if (arrivalNanos >= endNanos) {
            produced = maxRequests;
            return null;
        }
        produced++;
        return new TraceRecord(arrivalNanos, app, shapes.sample());
    }

    @Override
    public void close() {
        produced = maxRequests;
    }
}
