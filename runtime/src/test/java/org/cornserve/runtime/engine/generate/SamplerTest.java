package org.cornserve.runtime.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The primitive top-p sampler against the boxed sort it replaced, token for token on the same random streams. */
class SamplerTest {
    /** The former sampler: ids sorted boxed by (probability descending, id ascending). */
    private static int reference(float[] logits, SamplingParams params, SplittableRandom rnd) {
        if (params.temperature() == 0) {
            return Sampler.argmax(logits);
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

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void sameTokensAsTheBoxedSort(long seed) {
        SplittableRandom gen = new SplittableRandom(seed);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + gen.nextInt(trial % 2 == 0 ? 8 : 600);
            float[] logits = new float[n];
            int levels = 1 + gen.nextInt(6); // few distinct values: many ties
            for (int i = 0; i < n; i++) {
                logits[i] = trial % 3 == 0 ? gen.nextInt(levels) - 2f : (float) (gen.nextGaussian() * 3);
                if (gen.nextInt(40) == 0) {
                    logits[i] = Float.NEGATIVE_INFINITY; // a masked placeholder
                }
            }
            double temperature = new double[] {0, 0.3, 1, 2}[gen.nextInt(4)];
            double topP = new double[] {1e-6, 0.5, 0.95, 1}[gen.nextInt(4)];
            SamplingParams params = new SamplingParams(temperature, temperature == 0 ? 1 : topP, seed);
            SplittableRandom a = new SplittableRandom(seed * 1000 + trial);
            SplittableRandom b = new SplittableRandom(seed * 1000 + trial);
            for (int draw = 0; draw < 20; draw++) {
                assertEquals(reference(logits, params, a), Sampler.sample(logits, params, b),
                        "seed " + seed + ", trial " + trial + ", draw " + draw + ", " + n + " logits");
            }
        }
    }
}
