package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * The prediction's charges on top of its probes: the served costs' replay-over-probe ratios, fitted from served steps
 * and charged on the probes' speeds, and the prefills' shape by length from the served steps before a replay.
 */
class ReplayOverProbeTest {
    @TempDir
    Path tmp;

    private static final PrefillScaleCurve PROBED = new PrefillScaleCurve(List.of(50L, 300L, 1000L),
            List.of(1.0, 1.1, 1.3));

    /**
     * Steps that ran at P times what the probes charged their prefills (the curve at the step's tokens, times the
     * after-prefill ratio where one came right before) and D times the decode scale, plus the extra per sequence:
     * the fit gives P and D back exactly; the two decode steps right after a prefill (charged apart) do not count.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void theRatiosAreRecoveredFromStepsThatRanAtThem(long seed) {
        Random rnd = new Random(seed);
        double p = 0.8 + 0.5 * rnd.nextDouble();
        double d = 0.8 + 0.5 * rnd.nextDouble();
        double decodeScale = 0.9 + 0.4 * rnd.nextDouble();
        double extra = 0.2 * rnd.nextDouble();
        double ratio = 0.887;
        List<ServedCostsFit.Row> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long tokens = 20 + rnd.nextInt(1200);
            int with = rnd.nextInt(3); // decodes riding along in the prefill step
            boolean before = rnd.nextInt(4) == 0;
            double charge = 5 + 50 * rnd.nextDouble();
            double compute = charge * PROBED.applyAsDouble(tokens) * (before ? ratio : 1) * p + extra * with;
            rows.add(new ServedCostsFit.Row(tokens, with, 1, compute, compute, charge, 0, 0.2, i * 100.0, 0, before));
            for (int a = 1; a <= 4; a++) {
                int sequences = 1 + rnd.nextInt(4);
                double c = 1 + rnd.nextDouble();
                double ran = a <= 2 ? 50 * c // the first two after a prefill: left out
                        : c * decodeScale * d + extra * 4 * (sequences - 1);
                rows.add(new ServedCostsFit.Row(0, sequences, 4, ran, ran, c, 0, 0.2, i * 100.0 + a, a));
            }
        }
        double[] fit = ServedCostsFit.replayOverProbe(rows, PROBED, decodeScale, extra, ratio);
        assertEquals(p, fit[0], 1e-9);
        assertEquals(d, fit[1], 1e-9);
        double[] none = ServedCostsFit.replayOverProbe(List.of(), PROBED, decodeScale, extra, ratio);
        assertTrue(Double.isNaN(none[0]) && Double.isNaN(none[1]), "no steps: no ratio");
    }

    /**
     * The prediction's prefill curve: the probes' own where no served steps ran before the replay; else the probes'
     * level over the slice in the shape of the served steps before it (the calibration replay's, the earlier
     * replays'), each length's speed over the others' as those steps ran.
     */
    @Test
    void thePredictionTakesTheServedStepsShapeAtTheProbesLevel() throws Exception {
        Path slice = tmp.resolve("trace.jsonl");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            b.append(String.format(Locale.ROOT, "{\"arrival_s\":%.1f,\"app\":\"default\",\"text_tokens\":%d,"
                    + "\"output_tokens\":5}%n", i / 2.0, i % 2 == 0 ? 40 : 900));
        }
        Files.writeString(slice, b);
        SpeedTraces.PredictionCurve first = SpeedTraces.predictionCurve(PROBED, tmp, 1, slice, 0.887);
        assertFalse(first.servedShape());
        assertSame(PROBED, first.curve(), "no steps before the first replay, no calibration: the probes' curve");
        assertSame(null, SpeedTraces.predictionCurve(null, tmp, 2, slice, 0.887).curve());

        // the calibration replay ran short prompts at 1.2 of the profile, long ones at 0.9
        StringBuilder steps = new StringBuilder(StepRecorder.CSV_HEADER + "\n");
        for (int i = 0; i < 10; i++) {
            long tokens = i % 2 == 0 ? 50 : 1000;
            double charge = tokens / 10.0;
            double compute = charge * (tokens == 50 ? 1.2 : 0.9);
            // idle a second between steps: none right after a prefill
            steps.append(String.format(Locale.ROOT, "0,0,2,%d,0,0,1,%.4f,%.4f,%.4f,0,%.4f,%d,0.2,,%n", tokens,
                    compute, compute, charge, charge, i * 1000));
        }
        Path calibration = tmp.resolve("measured-calibration").resolve("steps.csv");
        Files.createDirectories(calibration.getParent());
        Files.writeString(calibration, steps);
        SpeedTraces.PredictionCurve shaped = SpeedTraces.predictionCurve(PROBED, tmp, 1, slice, 0.887);
        assertTrue(shaped.servedShape());
        assertEquals(PROBED.tokens(), shaped.curve().tokens());
        assertEquals(SpeedTraces.sliceMean(PROBED, slice), SpeedTraces.sliceMean(shaped.curve(), slice), 1e-9,
                "the probes' level over the slice");
        assertEquals(1.2 / 0.9, shaped.curve().scales().get(0) / shaped.curve().scales().get(2), 1e-9,
                "the served steps' shape");
        // a later replay without a calibration replay learns from the replays before it
        Files.move(calibration.getParent(), tmp.resolve("measured"));
        assertEquals(shaped.curve(), SpeedTraces.predictionCurve(PROBED, tmp, 2, slice, 0.887).curve());
        assertFalse(SpeedTraces.predictionCurve(PROBED, tmp, 1, slice, 0.887).servedShape());
    }

    /**
     * The ratios charged: the decode probe's speed times the decode ratio always, the prefill curve times the prefill
     * ratio only where it holds the served steps' shape (the ratio was fitted so); nothing without served costs or
     * ratios; a negative ratio is refused by name and a costs file without them charges none.
     */
    @Test
    void thePredictionChargesTheProbesSpeedsTimesTheRatios() throws Exception {
        Path costs = tmp.resolve("costs.json");
        Files.writeString(costs, "{\"extra_ms_per_sequence\": 0.01, \"replay_over_probe_prefill\": 1.2,"
                + " \"replay_over_probe_decode\": 1.1}");
        Served served = new Served(1, 0.2, java.util.Map.of(), null, costs, 0, null, 1, 1.3,
                Double.NaN, PROBED);
        Served probesShape = served.asProbed(false);
        assertEquals(1.43, probesShape.decodeComputeScale(), 1e-12);
        assertEquals(PROBED, probesShape.prefillCurve());
        Served servedShape = served.asProbed(true);
        assertEquals(List.of(1.2, 1.32, 1.56), servedShape.prefillCurve().scales().stream()
                .map(x -> Math.round(x * 1e9) / 1e9).toList());
        List<String> args = servedShape.simulateArgs();
        assertEquals("1.4300", args.get(args.indexOf("--decode-compute-scale") + 1));
        assertEquals("50=1.2000,300=1.3200,1000=1.5600", args.get(args.indexOf("--prefill-compute-scale-at") + 1));
        assertTrue(Validation.replayOverProbeNote(served, true).contains("x1.200 and x1.100"));
        assertTrue(Validation.replayOverProbeNote(served, false).contains("x1.000 and x1.100"));

        Served none = served.withServedCosts(null);
        assertSame(none, none.asProbed(true));
        assertEquals("", Validation.replayOverProbeNote(none, true));
        Path without = tmp.resolve("without.json");
        Files.writeString(without, "{\"extra_ms_per_sequence\": 0.01}");
        assertEquals(0, SimulateCommand.readServedCosts(without).replayOverProbeDecode());
        Served plain = served.withServedCosts(without);
        assertSame(plain, plain.asProbed(true));

        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"replay_over_probe_decode\": -1}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SimulateCommand.readServedCosts(bad));
        assertTrue(e.getMessage().contains("replay_over_probe_decode"), e.getMessage());
        assertEquals(2.6, ServedStepCosts.replayOverProbe(2, 1.3), 1e-12);
        assertEquals(1.3, ServedStepCosts.replayOverProbe(0, 1.3));
    }

    /**
     * The decode probe's speed: per request (its steps after its prefill) the steady steps' summed compute over their
     * summed charge, the first two after the prefill and those beside another executor's left out; over the requests
     * the 25th percentile, by hand: eight requests at 1.0 to 1.7, three of them in a slow spell at twice that, give the
     * quantile of {1.0, 1.1, 1.2, 1.3, 1.4, 2.6, 3.0, 3.4} at a quarter, 1.175 (the sum would say about 2). Fewer than
     * four requests: the fallback.
     */
    @Test
    void theDecodeProbeIsChargedAtItsRequestsQuarterQuantile() {
        double[] speeds = {1.0, 1.1, 1.2, 1.3, 1.4, 1.3 * 2, 1.5 * 2, 1.7 * 2};
        List<ServedCostsFit.Row> rows = new ArrayList<>();
        for (int i = 0; i < speeds.length; i++) {
            rows.add(new ServedCostsFit.Row(100, 0, 1, 20, 20, 10, 0, 0.2, i * 200.0, 0, false));
            for (int a = 1; a <= 6; a++) {
                double charge = 1 + a * 0.1;
                // the two right after the prefill ran at 5, and one beside another executor's at 9: left out
                double ran = a <= 2 ? 5 : (a == 6 ? 9 : speeds[i]);
                rows.add(new ServedCostsFit.Row(0, 1, 4, charge * ran, charge * ran, charge, a == 6 ? 0.5 : 0, 0.2,
                        i * 200.0 + a, a));
            }
        }
        assertEquals(1.175, Probes.decodeProbeSpeed(rows, 7), 1e-9);
        assertEquals(7, Probes.decodeProbeSpeed(rows.subList(0, 3 * 7), 7), "three requests: the fallback");
        assertEquals(7, Probes.decodeProbeSpeed(List.of(), 7));
    }

    /** The embedded served costs carry both ratios, fitted on this machine's runs (their source says where). */
    @Test
    void theEmbeddedCostsCarryBothRatios() throws Exception {
        ServedStepCosts c = SimulateCommand.readServedCosts(Validation.servedCosts(
                Validation.EMBEDDED_SERVED_COSTS, tmp));
        assertTrue(c.replayOverProbePrefill() > 1 && c.replayOverProbeDecode() > 1);
        assertTrue(c.source().contains("TailReport probe-level"), c.source());
    }
}
