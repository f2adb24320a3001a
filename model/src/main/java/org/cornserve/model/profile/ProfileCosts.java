package org.cornserve.model.profile;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns a {@link Profile}'s points into the cost interfaces the scheduler uses. Inside the measured grid
 * latencies interpolate linearly along each axis, except an LLM's prefill: its time grows faster than its prompt
 * (attention over the prompt is quadratic), so a straight line between two points overcharges every prompt between
 * them; there the roofline gives the shape and the efficiency (measured over roofline time) interpolates linearly
 * between the points, exact at each. Measured on this project's CPU (2026-12-05, a 1,000-request validation's probe):
 * ten 313-token prompts took 36.8 to 41.7 ms of compute but one (79 ms; median 38.2), the straight line between the
 * 256- and 1,024-token points charged 45.3 ms, the roofline's shape 38.4 ms; ten 117-token prompts 11.2 to 12.3 ms but
 * one (15.6; median 11.6), 12.8 against 11.7 ms. Outside the
 * grid costs fall back to a roofline estimate rather than extrapolating a fit, and the cost counts how often
 * it did ({@link Fallbacks}), so a report can say so.
 * An LLM profile's fallback keeps the roofline's shape but takes the efficiency measured at the grid's nearest
 * edge: a query outside the grid costs the roofline's time for it times the ratio of the measured latency to the
 * roofline's at the nearest grid point (clamped along each axis), so the cost is continuous where the grid ends.
 * Without that anchor a CPU profile measured up to 1,024 prompt tokens charged a 1,039-token prefill at the
 * roofline's 58 ms where its 1,024-token point measured 155 ms and the server took 160 to 215 ms (the demo of
 * 2026-12-05).
 *
 * <p>LLM iterations mixing prefill and decode: the profile measures the two apart, and a mixed iteration
 * shares one pass over the weights, so its latency is {@code decode + prefill - shared}, where
 * {@code shared} is the smallest measured decode latency (about one weight read plus the CPU overhead),
 * capped by the smaller of the two parts. Prefill points have no earlier context; attention to earlier
 * context (chunked prefill) costs what one more attention pair costs in the points' own growth
 * ({@link #attentionSecondsPerPair}), or the roofline's extra attention time where the points cannot say.
 */
public final class ProfileCosts {
    private ProfileCosts() {}

    /** Counts queries answered by the roofline fallback because they fell outside the profile's grid. */
    public static final class Fallbacks {
        private final LongAdder outside = new LongAdder();
        private final LongAdder total = new LongAdder();

        void count(boolean inside) {
            total.increment();
            if (!inside) {
                outside.increment();
            }
        }

        public long outsideGrid() {
            return outside.sum();
        }

        public long queries() {
            return total.sum();
        }
    }

    /** An LLM cost from an llm profile, with a roofline fallback outside its grid. */
    public static LlmCost llm(Profile profile, LlmCost fallback, Fallbacks fallbacks) {
        if (profile.kind() != Profile.Kind.LLM) {
            throw new IllegalArgumentException("profile " + profile.task() + " is a " + profile.kind() + " profile, not llm");
        }
        // a prefill-only task (a text encoder) has no decode points: a decode query is outside its grid
        Grids.Bilinear decode = profile.decode().isEmpty() ? null : Grids.Bilinear.of(profile.decode().stream()
                .map(p -> new double[] {p.batch(), p.contextTokens(), p.latencyMs() / 1e3}).toList());
        List<Profile.PrefillPoint> prefillPoints = profile.prefill().stream()
                .sorted(Comparator.comparingLong(Profile.PrefillPoint::tokens)).toList();
        double[] prefillTokensAt = prefillPoints.stream().mapToDouble(Profile.PrefillPoint::tokens).toArray();
        double[] prefillSecondsAt = prefillPoints.stream().mapToDouble(p -> p.latencyMs() / 1e3).toArray();
        Grids.Linear prefill = new Grids.Linear(prefillTokensAt, prefillSecondsAt);
        Grids.Linear prefillEfficiency = efficiency(prefillTokensAt, prefillSecondsAt, fallback);
        // an estimated profile samples the roofline, whose own attention time is then the better answer
        double pairSeconds = profile.source() == ProfileSource.ESTIMATED ? 0
                : attentionSecondsPerPair(prefillTokensAt, prefillSecondsAt);
        double shared = profile.decode().stream().mapToDouble(Profile.DecodePoint::latencyMs).min().orElse(0) / 1e3;
        long kvBytes = profile.kvBytesPerToken();
        return new LlmCost() {
            @Override
            public double iterationSeconds(long prefillTokens, long prefillContextTokens, int decodeSequences,
                    long decodeContextTokens) {
                double decodeSeconds = 0;
                double prefillSeconds = 0;
                boolean inside = true;
                if (decodeSequences > 0) {
                    double meanContext = (double) decodeContextTokens / decodeSequences;
                    if (decode != null && decode.contains(decodeSequences, meanContext)) {
                        decodeSeconds = decode.value(decodeSequences, meanContext);
                    } else {
                        inside = false;
                        decodeSeconds = fallback.iterationSeconds(0, 0, decodeSequences, decodeContextTokens);
                        if (decode != null) {
                            double edgeBatch = decode.clampX(decodeSequences);
                            double edgeContext = decode.clampY(meanContext);
                            decodeSeconds *= edgeRatio(decode.value(edgeBatch, edgeContext), fallback.iterationSeconds(
                                    0, 0, (int) Math.round(edgeBatch), Math.round(edgeBatch * edgeContext)));
                        }
                    }
                }
                if (prefillTokens > 0) {
                    long selfPairs = prefillTokens * (prefillTokens + 1) / 2;
                    if (prefill.contains(prefillTokens)) {
                        prefillSeconds = prefillEfficiency == null ? prefill.value(prefillTokens)
                                : fallback.iterationSeconds(prefillTokens, selfPairs, 0, 0)
                                        * prefillEfficiency.value(prefillTokens);
                        if (prefillContextTokens > selfPairs) {
                            prefillSeconds += pairSeconds > 0 ? (prefillContextTokens - selfPairs) * pairSeconds
                                    : Math.max(0, fallback.iterationSeconds(prefillTokens, prefillContextTokens, 0, 0)
                                            - fallback.iterationSeconds(prefillTokens, selfPairs, 0, 0));
                        }
                    } else {
                        inside = false;
                        long edge = Math.round(prefill.clamp(prefillTokens));
                        // the efficiency measured at the grid's edge point (the interpolation's, where it has one)
                        prefillSeconds = fallback.iterationSeconds(prefillTokens, prefillContextTokens, 0, 0)
                                * (prefillEfficiency != null ? prefillEfficiency.value(edge) : edgeRatio(
                                        prefill.value(edge), fallback.iterationSeconds(edge, edge * (edge + 1) / 2, 0,
                                                0)));
                    }
                }
                if (fallbacks != null && (decodeSequences > 0 || prefillTokens > 0)) {
                    fallbacks.count(inside);
                }
                if (decodeSequences > 0 && prefillTokens > 0) {
                    return decodeSeconds + prefillSeconds - Math.min(shared, Math.min(decodeSeconds, prefillSeconds));
                }
                return decodeSeconds + prefillSeconds;
            }

            @Override
            public long kvBytesPerToken() {
                return kvBytes;
            }

            @Override
            public double hostCopySeconds(long tokens) {
                return fallback.hostCopySeconds(tokens);
            }
        };
    }

    /**
     * Measured over roofline time at each prefill point ({@code tokens}, a prompt with no earlier context), to be
     * interpolated between the points; null when the roofline has no positive time for one of them (then the
     * latencies interpolate linearly).
     */
    private static Grids.Linear efficiency(double[] tokens, double[] seconds, LlmCost roofline) {
        double[] ratio = new double[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            long t = (long) tokens[i];
            double r = roofline.iterationSeconds(t, t * (t + 1) / 2, 0, 0);
            if (!(r > 0) || !(seconds[i] > 0)) {
                return null;
            }
            ratio[i] = seconds[i] / r;
        }
        return new Grids.Linear(tokens, ratio);
    }

    /**
     * What one more (query, key) pair of attention costs in a prefill, from the profile's own prefill points: the
     * least-squares fit of {@code latency = c + a * tokens + b * tokens (tokens + 1) / 2} (a fixed cost, the work per
     * token, attention over the prompt's pairs), {@code b} in seconds; 0 where the points cannot pin it (fewer than
     * five, or {@code b} not at least twice its standard error), and the roofline's attention is charged instead, as it
     * is for an estimated profile (sampled from the roofline).
     * A chunk of a long prompt attends to the chunks before it as well as to itself; the points (prompts with no
     * earlier context) measure attention only through their growth, and the roofline's attention time, which
     * assumes a GPU's kernels, charged a fraction of it on this project's CPU: in the 1,000-request validation of
     * 2026-12-05 13:40 (fcP) a 511-token chunk after 1,024 tokens took 231 ms of compute and was charged 96, the
     * 13- to 30-token tails of 1,037- to 1,054-token prompts (the chat markup's 18 included) 5.4 to 11.8 ms, charged
     * 2.2 to 4.7. The fit on that
     * profile (1 to 1,024 tokens, seven points) gives 0.268 us a pair (the decode points' slope in context, 0.307 us
     * a cached token, agrees): 209 and 5.2 ms for those two chunks.
     */
    static double attentionSecondsPerPair(double[] tokens, double[] seconds) {
        if (tokens.length < 5) {
            return 0;
        }
        double[][] x = new double[tokens.length][];
        for (int i = 0; i < tokens.length; i++) {
            x[i] = new double[] {tokens[i], tokens[i] * (tokens[i] + 1) / 2};
        }
        org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression ols =
                new org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression();
        try {
            ols.newSampleData(seconds, x);
            double b = ols.estimateRegressionParameters()[2];
            double se = ols.estimateRegressionParametersStandardErrors()[2];
            return b > 0 && b >= 2 * se ? b : 0;
        } catch (org.apache.commons.math3.exception.MathIllegalArgumentException e) {
            return 0; // singular: repeated token counts
        }
    }

    /** Measured over roofline at a grid edge: what scales the roofline outside the grid (1 without a roofline time). */
    private static double edgeRatio(double measuredSeconds, double rooflineSeconds) {
        return rooflineSeconds > 0 && measuredSeconds > 0 ? measuredSeconds / rooflineSeconds : 1;
    }

    /** A batch cost from a batch profile, with a roofline fallback outside its grid. */
    public static BatchCost batch(Profile profile, BatchCost fallback, Fallbacks fallbacks) {
        if (profile.kind() == Profile.Kind.LLM) {
            throw new IllegalArgumentException("profile " + profile.task() + " is an llm profile, not a batch profile");
        }
        Grids.Bilinear grid = Grids.Bilinear.of(profile.batch().stream()
                .map(p -> new double[] {p.items(), p.tokensPerItem(), p.latencyMs() / 1e3}).toList());
        return (items, tokens) -> {
            double perItem = (double) tokens / items;
            boolean inside = grid.contains(items, perItem);
            if (fallbacks != null) {
                fallbacks.count(inside);
            }
            return inside ? grid.value(items, perItem) : fallback.batchSeconds(items, tokens);
        };
    }

    /** A diffusion step cost from a diffusion profile (jobs x latent tokens per job), with a fallback. */
    public static DiffusionCost diffusion(Profile profile, DiffusionCost fallback, Fallbacks fallbacks) {
        BatchCost asBatch = batch(profile, fallback::stepSeconds, fallbacks);
        return asBatch::batchSeconds;
    }
}
