package org.cornserve.runtime.engine.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks a token from logits: argmax, or temperature plus top-p with a caller-held random stream.
 *
 * <p>Top-p sorts the probabilities as primitives ({@code double[]}, no boxed token ids, no comparator) and finds the
 * drawn token's id afterwards: among equal probabilities the lower id comes first, so the k-th of a run of equal
 * values in the sorted order is the k-th lowest id holding that value. The result is the same token, bit for bit, as
 * sorting the ids by (probability descending, id ascending), at a fraction of the cost: a served decode step samples
 * once per sequence per iteration, and the boxed sort of a 512-token vocabulary cost a tenth of a millisecond or more
 * per sequence here ({@code cornserve profile decode-check}).
 */
public final class Sampler {
    private Sampler() {
    }

    /** The token with the largest logit (lowest id on ties). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Samples a token under {@code params}, drawing from {@code rnd} (unused when greedy). */
    public static int sample(float[] logits, SamplingParams params, SplittableRandom rnd) {
        if (params.temperature() == 0) {
            return argmax(logits);
        }
        int n = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp((logits[i] - max) / params.temperature());
            sum += p[i];
        }
        // the probabilities negated and sorted ascending: largest first (a negated 0 is -0.0 for every zero alike)
        double[] descending = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
            descending[i] = -p[i];
        }
        Arrays.sort(descending);
        double mass = 0;
        int keep = 0;
        while (keep < n && (keep == 0 || mass < params.topP())) {
            mass -= descending[keep++];
        }
        double u = rnd.nextDouble() * mass;
        double acc = 0;
        int at = keep - 1;
        for (int i = 0; i < keep; i++) {
            acc -= descending[i];
            if (u < acc) {
                at = i;
                break;
            }
        }
        return tokenAt(p, descending, at);
    }

    /** The id at position {@code at} of the order by (probability descending, id ascending). */
    private static int tokenAt(double[] p, double[] descending, int at) {
        int rank = 0;
        while (rank < at && Double.compare(descending[at - rank - 1], descending[at]) == 0) {
            rank++;
        }
        double value = -descending[at];
        for (int i = 0; i < p.length; i++) {
            if (Double.compare(p[i], value) == 0 && rank-- == 0) {
                return i;
            }
        }
        throw new IllegalStateException("sampler: no token holds probability " + value);
    }
}
