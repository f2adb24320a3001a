package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.cornserve.cli.simulate.SimulateCommand;
import org.cornserve.model.profile.PrefillScaleCurve;
import org.cornserve.simulator.config.ServedStepCosts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The prediction's second reading of the machine's speed: the served run before the replay, its levels read from its
 * steps, and blended with the probes' by a weighted geometric mean.
 */
class ServedBeforeTest {
    @TempDir
    Path tmp;

    private static final PrefillScaleCurve SHAPE = new PrefillScaleCurve(List.of(50L, 1000L), List.of(0.9, 1.2));

    /**
     * Steps alone on the host that ran at P times the shape (times the after-prefill ratio where a prefill came right
     * before) and D times their decode charge, plus the extra per sequence, give P, D (read on the steps of one
     * sequence) and the extra back; steps beside another executor's compute, and steps before {@code fromSeconds},
     * whatever they ran at, are not read; fewer than ten prefills, or a hundred steps of several sequences, read NaN.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void theLevelIsReadFromTheStepsAloneAfterTheStart(long seed) {
        Random rnd = new Random(seed);
        double p = 0.8 + 0.6 * rnd.nextDouble();
        double d = 0.8 + 0.6 * rnd.nextDouble();
        double extra = 0.1 * rnd.nextDouble();
        List<ServedCostsFit.Row> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            double at = i * 100.0;
            boolean early = i < 20; // before fromSeconds = 2 s: ran at three times the level
            long tokens = 20 + rnd.nextInt(1200);
            boolean before = rnd.nextInt(3) == 0;
            double charge = 5 + 20 * rnd.nextDouble();
            double compute = charge * SHAPE.applyAsDouble(tokens) * (before ? 0.887 : 1) * p * (early ? 3 : 1);
            rows.add(new ServedCostsFit.Row(tokens, 0, 1, compute, compute, charge, 0, 0.2, at, 0, before));
            for (int a = 1; a <= 5; a++) {
                int sequences = 1 + rnd.nextInt(3);
                double c = 1 + rnd.nextDouble();
                boolean overlapped = a == 5;
                double ran = a <= 2 ? 40 * c : c * d * (early || overlapped ? 3 : 1) + extra * 4 * (sequences - 1);
                rows.add(new ServedCostsFit.Row(0, sequences, 4, ran, ran, c, overlapped ? 0.6 : 0, 0.2, at + a, a));
            }
        }
        double[] level = ServedBefore.level(rows, 2, SHAPE, extra, 0.887);
        assertEquals(p, level[0], 1e-9);
        assertEquals(d, level[1], 1e-9);
        double[] few = ServedBefore.level(rows.subList(0, 6 * 9), 0, SHAPE, extra, 0.887);
        assertTrue(Double.isNaN(few[0]), "nine prefills: not read");
        // the steps of several sequences paid the extra beyond the one-sequence level
        assertEquals(extra, ServedBefore.extraMsPerSequence(rows, 2, d), 1e-9);
        assertTrue(Double.isNaN(ServedBefore.extraMsPerSequence(rows.subList(0, 6 * 40), 0, d)),
                "fewer than a hundred steps of several sequences");
    }

    /**
     * Validate's served run before a replay: the calibration replay's later half before the first, none without one,
     * the replay before's steps for the later ones. The demo's: its warm-up from the midpoint of its steps' decision
     * times.
     */
    @Test
    void theRunBeforeIsTheCalibrationTheReplayBeforeOrTheWarmupsLaterHalf() throws Exception {
        assertNull(ServedBefore.ofValidation(tmp, 1), "no calibration replay: none before the first replay");
        assertEquals(tmp.resolve("measured").resolve("steps.csv"), ServedBefore.ofValidation(tmp, 2).steps());
        assertEquals(tmp.resolve("measured-2").resolve("steps.csv"), ServedBefore.ofValidation(tmp, 3).steps());
        Path calibration = tmp.resolve("measured-calibration").resolve("steps.csv");
        Files.createDirectories(calibration.getParent());
        Files.writeString(calibration, StepRecorder.CSV_HEADER + "\n");
        assertNull(ServedBefore.ofValidation(tmp, 1), "a calibration replay without steps: nothing to read");
        // the calibration's later half, as the warm-up's (its start may still pay for code the warm-up did not reach)
        Files.writeString(calibration, StepRecorder.CSV_HEADER + "\n" + step(100, 0, 1, 2000) + step(0, 1, 1, 4000)
                + step(0, 1, 1, 12000));
        ServedBefore first = ServedBefore.ofValidation(tmp, 1);
        assertEquals(calibration, first.steps());
        assertEquals(7.0, first.fromSeconds(), 1e-12, "from the midpoint of 2 s and 12 s");
        assertEquals(false, first.warmup());
        assertEquals(0, ServedBefore.ofValidation(tmp, 2).fromSeconds(), "a replay before is read whole");

        assertNull(ServedBefore.ofWarmup(tmp.resolve("measured-warmup")), "no warm-up kept");
        Path warm = tmp.resolve("measured-warmup").resolve("steps.csv");
        Files.createDirectories(warm.getParent());
        Files.writeString(warm, StepRecorder.CSV_HEADER + "\n" + step(100, 0, 1, 1000) + step(0, 1, 1, 3000)
                + step(0, 1, 1, 9000));
        ServedBefore w = ServedBefore.ofWarmup(warm.getParent());
        assertEquals(5.0, w.fromSeconds(), 1e-12, "from the midpoint of 1 s and 9 s");
        assertTrue(w.warmup());
    }

    /**
     * The blend, by hand: probes charged prefills at 1.2 over the slice and decodes at 1.1 (after their own ratios);
     * the run before read 1.5 and 1.3; its ratios 1.2 and 1.4 make 1.8 and 1.82; the prediction charges 1.2^(1 - w)
     * x 1.8^w and 1.1^(1 - w) x 1.82^w ({@code w} the run before's weight, 0.75; a demo's warm-up 0.5), the prefill
     * curve's shape kept.
     * Without the ratios (or without served costs) the probes' alone; a kind the run read too few steps of stays as
     * probed.
     */
    @Test
    void thePredictionIsTheWeightedGeometricMeanOfTheProbesAndTheRunBefore() throws Exception {
        Path slice = tmp.resolve("trace.jsonl");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            b.append(String.format(Locale.ROOT, "{\"arrival_s\":%d,\"app\":\"default\",\"text_tokens\":%d,"
                    + "\"output_tokens\":5}%n", i, i % 2 == 0 ? 40 : 900));
        }
        Files.writeString(slice, b);
        PrefillScaleCurve curve = new PrefillScaleCurve(List.of(50L, 1000L), List.of(1.0, 1.3));
        double probedLevel = SpeedTraces.sliceMean(curve, slice);
        var shape = SpeedTraces.prefillShape(curve, slice);
        String steps = runBeforeSteps(50, 1000, shape::applyAsDouble);
        Path before = writeRunBefore(steps);
        Path costs = tmp.resolve("costs.json");
        Files.writeString(costs, "{\"replay_over_served_before_prefill\": 1.2, \"replay_over_served_before_decode\":"
                + " 1.4, \"replay_over_warmup_prefill\": 1.0, \"replay_over_warmup_decode\": 1.0}");
        Served probed = new Served(1, 0.2, java.util.Map.of(), null, costs, 0, null, 1, 1.1,
                0.0, curve);
        ServedBefore whole = new ServedBefore(before, 0, false); // read whole: the arithmetic, not which half
        ServedBefore.Prediction p = whole.blend(probed, slice);
        assertEquals(1.5, p.before()[0], 1e-6);
        assertEquals(1.3, p.before()[1], 1e-6);
        double w = 0.75; // served_before_weights left out: the defaults
        assertEquals(w, probed.servedBeforeWeights(false)[0]);
        assertEquals(w, probed.servedBeforeWeights(false)[1]);
        assertEquals(Math.pow(1.1, 1 - w) * Math.pow(1.3 * 1.4, w), p.served().decodeComputeScale(), 1e-6);
        double factor = Math.pow(1.5 * 1.2 / probedLevel, w);
        assertEquals(Math.pow(probedLevel, 1 - w) * Math.pow(1.5 * 1.2, w),
                SpeedTraces.sliceMean(p.served().prefillCurve(), slice), 1e-6);
        assertEquals(1.3 / 1.0, p.served().prefillCurve().scales().get(1) / p.served().prefillCurve().scales().get(0),
                1e-6, "the shape kept");
        assertEquals(factor, p.served().prefillComputeScale(), 1e-6);
        assertTrue(p.note().contains("measured-calibration run before"), p.note());

        Path off = tmp.resolve("off.json");
        Files.writeString(off, "{\"extra_ms_per_sequence\": 0}");
        Served plain = probed.withServedCosts(off);
        assertSame(plain, whole.blend(plain, slice).served());
        Served bare = probed.withServedCosts(null);
        assertSame(bare, whole.blend(bare, slice).served());

        // the warm-up's ratios for a warm-up (the demo's), 1 here, and its own weight (equal): sqrt(probed x before)
        ServedBefore warm = new ServedBefore(before, 0, true);
        assertEquals(0.5, probed.servedBeforeWeights(true)[1]);
        assertEquals(Math.sqrt(1.1 * 1.3), warm.blend(probed, slice).served().decodeComputeScale(), 1e-6);
        // a run before with too few prefills: the prefills as probed, the decodes blended
        Files.writeString(before, StepRecorder.CSV_HEADER + "\n" + steps.toString().lines().skip(1).limit(5 * 9)
                .map(l -> l + "\n").reduce("", String::concat));
        ServedBefore.Prediction few = whole.blend(probed, slice);
        assertTrue(Double.isNaN(few.before()[0]));
        assertEquals(curve, few.served().prefillCurve());
        assertEquals(Math.pow(1.1, 1 - w) * Math.pow(1.3 * 1.4, w), few.served().decodeComputeScale(), 1e-6);
    }

    /**
     * The served costs' {@code served_before_weights}: the decodes at the probes' level alone (0) while the prefills
     * keep the default 0.75, and the warm-up's weight as given; a weight outside 0 to 1 is refused by its field.
     */
    @Test
    void theWeightsAreTheServedCosts() throws Exception {
        Path slice = tmp.resolve("trace.jsonl");
        Files.writeString(slice, "{\"arrival_s\":0,\"app\":\"default\",\"text_tokens\":40,\"output_tokens\":5}\n");
        Path before = writeRunBefore(runBeforeSteps(40, 40, t -> 1));
        Path costs = tmp.resolve("costs.json");
        Files.writeString(costs, "{\"replay_over_served_before_prefill\": 1.0, \"replay_over_served_before_decode\":"
                + " 1.0, \"replay_over_warmup_prefill\": 1.0, \"replay_over_warmup_decode\": 1.0,"
                + " \"served_before_weights\": {\"decode\": 0, \"warmup\": 1}}");
        Served probed = new Served(1, 0.2, java.util.Map.of(), null, costs, 0, null, 1.2, 1.1,
                0.0, null);
        assertArrayEquals(new double[] {0.75, 0}, probed.servedBeforeWeights(false));
        ServedBefore.Prediction p = new ServedBefore(before, 0, false).blend(probed, slice);
        assertEquals(1.1, p.served().decodeComputeScale(), 1e-9, "the decodes as probed");
        assertEquals(Math.pow(1.5 / 1.2, 0.75), p.served().prefillComputeScale() / 1.2, 1e-6, "the prefills blended");
        assertTrue(p.note().contains("weighted 0.75 for prefills and 0.00 for decodes"), p.note());
        ServedBefore.Prediction warm = new ServedBefore(before, 0, true).blend(probed, slice);
        assertEquals(1.3, warm.served().decodeComputeScale(), 1e-6, "the warm-up's alone");

        Files.writeString(costs, "{\"served_before_weights\": {\"decode\": 1.5}}");
        Exception e = assertThrows(Exception.class, () -> SimulateCommand.readServedCosts(costs));
        assertTrue(String.valueOf(e.getMessage()).contains("served_before_weights.decode must be 0 to 1, got 1.5"),
                e.getMessage());
    }

    /** The embedded served costs carry the four ratios, fitted on this machine's runs (their source says where). */
    @Test
    void theEmbeddedCostsCarryTheRunBeforesRatios() throws Exception {
        ServedStepCosts c = SimulateCommand.readServedCosts(Validation.servedCosts(
                Validation.EMBEDDED_SERVED_COSTS, tmp));
        for (double r : new double[] {c.replayOverServedBeforePrefill(), c.replayOverServedBeforeDecode(),
            c.replayOverWarmupPrefill(), c.replayOverWarmupDecode()}) {
            assertTrue(r > 0.8 && r < 1.3, "ratio " + r);
        }
        assertTrue(c.source().contains("TailReport served-before"), c.source());
    }

    /**
     * A run before's steps: twelve prefills, of {@code even} and {@code odd} prompt tokens in turn, at 1.5 of {@code
     * shape}, alone, none back to back; after each two decode steps right after it (slow, not read) and two steady
     * ones at 1.3.
     */
    private static String runBeforeSteps(long even, long odd, java.util.function.LongToDoubleFunction shape) {
        StringBuilder steps = new StringBuilder(StepRecorder.CSV_HEADER + "\n");
        for (int i = 0; i < 12; i++) {
            long tokens = i % 2 == 0 ? even : odd;
            steps.append(step(tokens, 0, 10 * 1.5 * shape.applyAsDouble(tokens), i * 1000));
            for (int a = 1; a <= 4; a++) {
                steps.append(step(0, 1, a <= 2 ? 99 : 2 * 1.3, i * 1000 + 10 * a, 2));
            }
        }
        return steps.toString();
    }

    /** {@code steps} as the calibration replay's {@code steps.csv} under the temporary folder. */
    private Path writeRunBefore(String steps) throws java.io.IOException {
        Path before = tmp.resolve("measured-calibration").resolve("steps.csv");
        Files.createDirectories(before.getParent());
        Files.writeString(before, steps);
        return before;
    }

    private static String step(long prefill, int sequences, double compute, double decidedMs) {
        return step(prefill, sequences, compute, decidedMs, 10);
    }

    /** A steps.csv row: one iteration, charged {@code charge} (10 for prefills), alone, no round trip to speak of. */
    private static String step(long prefill, int sequences, double compute, double decidedMs, double charge) {
        double c = prefill > 0 ? 10 : charge;
        return String.format(Locale.ROOT, "0,0,2,%d,%d,0,1,%.6f,%.6f,%.6f,0,%.6f,%.4f,0.0,,%n", prefill, sequences,
                compute, compute, c, c, decidedMs);
    }
}
