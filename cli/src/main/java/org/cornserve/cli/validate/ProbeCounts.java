package org.cornserve.cli.validate;

import java.util.Locale;

/**
 * How many requests each probe before a replay sends ({@link Validation}'s idle, shape, decode and batch probes). The
 * defaults are what the validations of this project were judged with (each count's reasons are at its constant in
 * {@link Validation}); {@code validate --probe-scale X} takes X of each for a quicker, noisier validation (a probe's
 * own noise grows as one over the square root of its requests: section 18 of experiments/validation-tails.md found
 * the decode probe's about 0.087 in log terms at 8 requests, 0.05 at 24).
 *
 * @param idle idle requests one at a time, cycling through the slice's quartile prompt lengths
 * @param shape idle requests at the slice's short and long prompt lengths
 * @param decode streamed requests with long answers, one after another
 * @param batchGroups groups of requests arriving together (one per answer length of the batch probe)
 */
public record ProbeCounts(int idle, int shape, int decode,
        @com.fasterxml.jackson.annotation.JsonProperty("batch_groups") int batchGroups) {

    private static final int LEAST_IDLE = 3;
    private static final int LEAST_SHAPE = 3;

    /** What every validation so far was judged with. */
    public static final ProbeCounts DEFAULT = new ProbeCounts(ProbeTraces.PROBES, ProbeTraces.SHAPE_PROBES,
            ProbeTraces.DECODE_PROBES, ProbeTraces.BATCH_PROBE_GROUPS);

    /** The fewest of each: an idle request per quartile length, one per shape length, the decode speed's minimum. */
    static final ProbeCounts LEAST = new ProbeCounts(LEAST_IDLE, LEAST_SHAPE, Probes.MIN_DECODE_PROBE_REQUESTS, 1);

    public ProbeCounts {
        if (idle < LEAST_IDLE || shape < LEAST_SHAPE || decode < Probes.MIN_DECODE_PROBE_REQUESTS
                || batchGroups < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "probe requests: at least %d idle, %d shape,"
                    + " %d decode and 1 batch group, got %d, %d, %d and %d", LEAST_IDLE, LEAST_SHAPE,
                    Probes.MIN_DECODE_PROBE_REQUESTS, idle, shape, decode, batchGroups));
        }
    }

    /**
     * {@code fraction} of each default count, rounded, and at least {@link #LEAST}'s.
     *
     * @throws IllegalArgumentException unless {@code fraction} is in (0, 1]
     */
    public static ProbeCounts scaled(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("--probe-scale must be in (0, 1], got " + fraction);
        }
        return new ProbeCounts(scale(DEFAULT.idle, fraction, LEAST.idle), scale(DEFAULT.shape, fraction, LEAST.shape),
                scale(DEFAULT.decode, fraction, LEAST.decode), scale(DEFAULT.batchGroups, fraction,
                        LEAST.batchGroups));
    }

    private static int scale(int count, double fraction, int least) {
        return Math.max(least, (int) Math.round(count * fraction));
    }
}
