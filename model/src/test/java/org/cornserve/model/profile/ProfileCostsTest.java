package org.cornserve.model.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.util.List;
import java.util.SplittableRandom;
import org.cornserve.model.arch.TransformerArch;
import org.junit.jupiter.api.Test;

class ProfileCostsTest {
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final RooflineEstimator H100 = new RooflineEstimator(RooflineEstimatorTest.H100);
    private static final LlmCost LLAMA = H100.llm(RooflineEstimatorTest.LLAMA_8B, 1);

    @Test
    void llmProfileRoundTripsThroughJson() throws Exception {
        Profile profile = ProfileSampler.DEFAULT.llm("llama-3.1-8b/llm", "h100-sxm", 1, ProfileSource.ESTIMATED,
                "roofline", LLAMA, 0.5);
        String text = JSON.writeValueAsString(profile);
        assertEquals(profile, JSON.readValue(text, Profile.class));
        assertTrue(text.contains("\"source\":\"estimated\""));
    }

    @Test
    void interpolatedProfileReproducesTheCostItSampledAtGridPointsAndNearlyBetween() {
        Profile profile = ProfileSampler.DEFAULT.llm("t", "h100-sxm", 1, ProfileSource.ESTIMATED, "", LLAMA, 0.5);
        ProfileCosts.Fallbacks fallbacks = new ProfileCosts.Fallbacks();
        LlmCost cost = ProfileCosts.llm(profile, LLAMA, fallbacks);
        assertEquals(LLAMA.iterationSeconds(0, 0, 64, 64 * 4096L), cost.iterationSeconds(0, 0, 64, 64 * 4096L), 1e-12);
        assertEquals(LLAMA.iterationSeconds(2048, 2048L * 2049 / 2, 0, 0), cost.iterationSeconds(2048, 2048L * 2049 / 2, 0, 0), 1e-12);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            int batch = random.nextInt(1, 512);
            long context = random.nextLong(0, 131072);
            double exact = LLAMA.iterationSeconds(0, 0, batch, context * batch);
            double interpolated = cost.iterationSeconds(0, 0, batch, context * batch);
            // the roofline is piecewise linear; interpolation across its kink overestimates a little
            assertEquals(exact, interpolated, 0.25 * exact, "batch " + batch + " context " + context);
            assertTrue(interpolated >= exact * (1 - 1e-9), "linear interpolation of a convex function never undershoots");
        }
        assertEquals(0, fallbacks.outsideGrid());
    }

    @Test
    void outsideTheGridFallsBackToTheRooflineAndSaysSo() {
        Profile profile = new ProfileSampler(List.of(1, 2, 4), List.of(0L, 1024L), List.of(16L, 256L), List.of(1), List.of(1L))
                .llm("t", "h100-sxm", 1, ProfileSource.MEASURED, "", LLAMA, 0.5);
        ProfileCosts.Fallbacks fallbacks = new ProfileCosts.Fallbacks();
        LlmCost cost = ProfileCosts.llm(profile, LLAMA, fallbacks);
        cost.iterationSeconds(0, 0, 2, 2 * 512L);
        assertEquals(0, fallbacks.outsideGrid());
        double far = cost.iterationSeconds(0, 0, 64, 64 * 512L);
        assertEquals(LLAMA.iterationSeconds(0, 0, 64, 64 * 512L), far, 1e-15);
        assertEquals(1, fallbacks.outsideGrid());
        assertEquals(2, fallbacks.queries());
    }

    /**
     * Outside the grid the roofline's shape at the measured efficiency of the nearest edge: a profile measured at
     * 2.5 times the roofline's time charges 2.5 times the roofline beyond it (against the roofline itself, by hand),
     * and the cost does not jump where the grid ends.
     */
    @Test
    void outsideTheGridTheRooflineTakesTheEfficiencyMeasuredAtTheNearestEdge() {
        double slower = 2.5;
        List<Profile.DecodePoint> decode = new java.util.ArrayList<>();
        for (int b : List.of(1, 2, 4)) {
            for (long c : List.of(0L, 1024L)) {
                decode.add(new Profile.DecodePoint(b, c, slower * LLAMA.iterationSeconds(0, 0, b, b * c) * 1e3));
            }
        }
        List<Profile.PrefillPoint> prefill = List.of(16L, 256L, 1024L).stream().map(t -> new Profile.PrefillPoint(t,
                slower * LLAMA.iterationSeconds(t, t * (t + 1) / 2, 0, 0) * 1e3)).toList();
        Profile profile = new Profile("t", "h100-sxm", 1, ProfileSource.MEASURED, "", Profile.Kind.LLM, 100, 0.2,
                decode, prefill, List.of());
        ProfileCosts.Fallbacks fallbacks = new ProfileCosts.Fallbacks();
        LlmCost cost = ProfileCosts.llm(profile, LLAMA, fallbacks);
        assertEquals(slower * LLAMA.iterationSeconds(1039, 1039L * 1040 / 2, 0, 0),
                cost.iterationSeconds(1039, 1039L * 1040 / 2, 0, 0), 1e-12, "a prompt past the largest point");
        assertEquals(slower * LLAMA.iterationSeconds(4, 4 * 3 / 2, 0, 0), cost.iterationSeconds(4, 4 * 3 / 2, 0, 0),
                1e-12, "a prompt below the smallest point");
        assertEquals(slower * LLAMA.iterationSeconds(0, 0, 64, 64 * 512L), cost.iterationSeconds(0, 0, 64, 64 * 512L),
                1e-12, "a batch past the largest point");
        assertEquals(slower * LLAMA.iterationSeconds(0, 0, 2, 2 * 4096L), cost.iterationSeconds(0, 0, 2, 2 * 4096L),
                1e-12, "a context past the longest point");
        assertEquals(4, fallbacks.outsideGrid());
        double atEdge = cost.iterationSeconds(1024, 1024L * 1025 / 2, 0, 0);
        double pastEdge = cost.iterationSeconds(1025, 1025L * 1026 / 2, 0, 0);
        assertTrue(pastEdge > atEdge && pastEdge < atEdge * 1.01, atEdge + " -> " + pastEdge);
    }

    /**
     * Between prefill points the roofline's shape: a profile measured at a constant multiple of the roofline answers
     * that multiple of the roofline for every prompt between its points (a straight line between the points would
     * charge more: the roofline's prefill is convex in the prompt), and a roofline with no time for a point leaves
     * the latencies to interpolate linearly.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {17, 100, 257, 313, 700, 1023})
    void betweenPrefillPointsTheRooflineGivesTheShape(long tokens) {
        double slower = 1.7;
        List<Profile.PrefillPoint> prefill = List.of(16L, 256L, 1024L).stream().map(t -> new Profile.PrefillPoint(t,
                slower * LLAMA.iterationSeconds(t, t * (t + 1) / 2, 0, 0) * 1e3)).toList();
        Profile profile = new Profile("t", "h100-sxm", 1, ProfileSource.MEASURED, "", Profile.Kind.LLM, 100, 0.2,
                List.of(), prefill, List.of());
        LlmCost cost = ProfileCosts.llm(profile, LLAMA, null);
        long pairs = tokens * (tokens + 1) / 2;
        assertEquals(slower * LLAMA.iterationSeconds(tokens, pairs, 0, 0), cost.iterationSeconds(tokens, pairs, 0, 0),
                1e-12);
        // the straight line between the two points around it, by hand
        long lo = tokens < 256 ? 16 : 256;
        long hi = tokens < 256 ? 256 : 1024;
        double line = prefill.get(tokens < 256 ? 0 : 1).latencyMs() / 1e3 + (double) (tokens - lo) / (hi - lo)
                * (prefill.get(tokens < 256 ? 1 : 2).latencyMs() - prefill.get(tokens < 256 ? 0 : 1).latencyMs()) / 1e3;
        assertTrue(cost.iterationSeconds(tokens, pairs, 0, 0) <= line + 1e-12, "below the chord: " + line);

        LlmCost noTime = new LlmCost() {
            @Override
            public double iterationSeconds(long p, long pc, int ds, long dc) {
                return 0;
            }

            @Override
            public long kvBytesPerToken() {
                return 1;
            }
        };
        assertEquals(line, ProfileCosts.llm(profile, noTime, null).iterationSeconds(tokens, pairs, 0, 0), 1e-12,
                "no roofline time: a straight line");
    }

    /**
     * A chunk of a long prompt attends to the chunks before it: a measured profile charges each pair past its own
     * at what a pair costs in its points' growth (here made as {@code c + a n + b n(n+1)/2} with 2% seeded noise),
     * checked against that formula by hand; an estimated profile, or one with too few points to pin {@code b},
     * charges the roofline's extra attention as before.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3})
    void earlierContextCostsWhatAPairCostsInThePoints(long seed) {
        double c = 0.76e-3;
        double a = 66.6e-6;
        double b = 0.268e-6;
        SplittableRandom noise = new SplittableRandom(seed);
        List<Profile.PrefillPoint> prefill = List.of(1L, 16L, 64L, 128L, 256L, 512L, 1024L).stream().map(t ->
                new Profile.PrefillPoint(t, (c + a * t + b * t * (t + 1) / 2) * (1 + 0.02 * (2 * noise.nextDouble()
                        - 1)) * 1e3)).toList();
        Profile measured = new Profile("t", "cpu", 1, ProfileSource.MEASURED, "", Profile.Kind.LLM, 100, 0.2,
                List.of(), prefill, List.of());
        double fitted = ProfileCosts.attentionSecondsPerPair(prefill.stream().mapToDouble(Profile.PrefillPoint::tokens)
                .toArray(), prefill.stream().mapToDouble(p -> p.latencyMs() / 1e3).toArray());
        assertEquals(b, fitted, 0.05 * b);
        LlmCost cost = ProfileCosts.llm(measured, LLAMA, null);
        long chunk = 511;
        long before = 1024;
        long self = chunk * (chunk + 1) / 2;
        long pairs = self + chunk * before;
        double alone = cost.iterationSeconds(chunk, self, 0, 0);
        assertEquals(alone + chunk * before * fitted, cost.iterationSeconds(chunk, pairs, 0, 0), 1e-12);
        double byHand = c + a * chunk + b * pairs;
        assertEquals(byHand, cost.iterationSeconds(chunk, pairs, 0, 0), 0.05 * byHand, "the chunk, by the formula");

        double roofline = LLAMA.iterationSeconds(chunk, pairs, 0, 0) - LLAMA.iterationSeconds(chunk, self, 0, 0);
        Profile estimated = new Profile("t", "cpu", 1, ProfileSource.ESTIMATED, "", Profile.Kind.LLM, 100, 0.2,
                List.of(), prefill, List.of());
        LlmCost fromEstimate = ProfileCosts.llm(estimated, LLAMA, null);
        assertEquals(fromEstimate.iterationSeconds(chunk, self, 0, 0) + roofline,
                fromEstimate.iterationSeconds(chunk, pairs, 0, 0), 1e-12);
        Profile few = new Profile("t", "cpu", 1, ProfileSource.MEASURED, "", Profile.Kind.LLM, 100, 0.2, List.of(),
                prefill.subList(3, 7), List.of());
        LlmCost fromFew = ProfileCosts.llm(few, LLAMA, null);
        assertEquals(fromFew.iterationSeconds(chunk, self, 0, 0) + roofline, fromFew.iterationSeconds(chunk, pairs, 0, 0),
                1e-12);
    }

    @Test
    void mixedIterationCostsMoreThanEitherPartAndLessThanBoth() {
        Profile profile = ProfileSampler.DEFAULT.llm("t", "h100-sxm", 1, ProfileSource.ESTIMATED, "", LLAMA, 0.5);
        LlmCost cost = ProfileCosts.llm(profile, LLAMA, null);
        double decode = cost.iterationSeconds(0, 0, 32, 32 * 1024L);
        double prefill = cost.iterationSeconds(1024, 1024L * 1025 / 2, 0, 0);
        double mixed = cost.iterationSeconds(1024, 1024L * 1025 / 2, 32, 32 * 1024L);
        assertTrue(mixed > Math.max(decode, prefill) && mixed < decode + prefill);
    }

    @Test
    void batchProfileInterpolatesAndRoundTrips() throws Exception {
        BatchCost vit = H100.encoder(TransformerArch.encoder(1280, 32, 16, 3420), 1);
        Profile profile = ProfileSampler.DEFAULT.batch("qwen2.5-vl-7b/vision-encoder", "h100-sxm", 1,
                ProfileSource.ESTIMATED, "", vit);
        assertEquals(profile, JSON.readValue(JSON.writeValueAsString(profile), Profile.class));
        BatchCost cost = ProfileCosts.batch(profile, vit, null);
        assertEquals(vit.batchSeconds(8, 8 * 1024), cost.batchSeconds(8, 8 * 1024), 1e-12);
        double between = cost.batchSeconds(6, 6 * 700);
        assertTrue(between > cost.batchSeconds(4, 4 * 256) && between < cost.batchSeconds(8, 8 * 1024));
    }

    @Test
    void prefillOnlyProfileAnswersPrefillsFromItsPointsAndDecodesFromTheRoofline() throws Exception {
        // a text encoder's measured profile: prefill points only (it never decodes)
        Profile profile = new Profile("tiny-image/text-encoder", "cpu", 1, ProfileSource.MEASURED, "",
                Profile.Kind.LLM, 100, 0.2, List.of(), List.of(new Profile.PrefillPoint(16, 2.0),
                        new Profile.PrefillPoint(64, 5.0)), List.of());
        assertEquals(profile, JSON.readValue(JSON.writeValueAsString(profile), Profile.class));
        ProfileCosts.Fallbacks fallbacks = new ProfileCosts.Fallbacks();
        LlmCost cost = ProfileCosts.llm(profile, LLAMA, fallbacks);
        // 40 tokens, halfway between the points: the roofline's time for it at the efficiency halfway between theirs
        double r16 = 2.0e-3 / LLAMA.iterationSeconds(16, 16L * 17 / 2, 0, 0);
        double r64 = 5.0e-3 / LLAMA.iterationSeconds(64, 64L * 65 / 2, 0, 0);
        double at40 = LLAMA.iterationSeconds(40, 40L * 41 / 2, 0, 0) * (r16 + (40 - 16) / 48.0 * (r64 - r16));
        assertEquals(at40, cost.iterationSeconds(40, 40L * 41 / 2, 0, 0), 1e-12);
        assertEquals(2.0e-3, cost.iterationSeconds(16, 16L * 17 / 2, 0, 0), 1e-12, "exact at a point");
        assertEquals(0, fallbacks.outsideGrid());
        assertEquals(LLAMA.iterationSeconds(0, 0, 4, 4 * 100L), cost.iterationSeconds(0, 0, 4, 4 * 100L), 1e-15);
        assertEquals(1, fallbacks.outsideGrid());
        // mixed: no decode point to share a weight pass with, so the two parts add up
        assertEquals(at40 + LLAMA.iterationSeconds(0, 0, 4, 4 * 100L),
                cost.iterationSeconds(40, 40L * 41 / 2, 4, 4 * 100L), 1e-12);
    }

    @Test
    void badProfilesNameTheProblem() {
        String missingKind = "{\"task\":\"t\",\"hardware\":\"h100\",\"tensor_parallel\":1,\"source\":\"estimated\"}";
        MismatchedInputException e = assertThrows(MismatchedInputException.class, () -> JSON.readValue(missingKind, Profile.class));
        assertTrue(e.getMessage().contains("kind"), e.getMessage());
        IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class, () -> new Profile("t", "h", 1,
                ProfileSource.MEASURED, "", Profile.Kind.BATCH, 0, 0, List.of(), List.of(),
                List.of(new Profile.BatchPoint(1, 1, 1), new Profile.BatchPoint(2, 1, 1), new Profile.BatchPoint(1, 2, 1))));
        assertTrue(ragged.getMessage().contains("full grid"), ragged.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Profile("t", "h", 1, ProfileSource.MEASURED, "",
                Profile.Kind.LLM, 100, 0.5, List.of(), List.of(), List.of()));
    }
}
