package org.cornserve.runtime.engine.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks a token from logits: argmax, or temperature plus top-p with a caller-held random stream. */
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
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            p[i] /= sum;
        }
        Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        double mass = 0;
        int keep = 0;
        while (keep < n && (keep == 0 || mass < params.topP())) {
            mass += p[order[keep++]];
        }
        double u = rnd.nextDouble() * mass;
        double acc = 0;
        for (int i = 0; i < keep; i++) {
            acc += p[order[i]];
            if (u < acc) {
                return order[i];
            }
        }
        return order[keep - 1];
    }
}
