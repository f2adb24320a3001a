package org.cornserve.cli.validate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.LongToDoubleFunction;
import org.cornserve.model.profile.PrefillScaleCurve;

/**
 * The served run right before a replay, as the prediction's second reading of the machine's speed: validate's
 * calibration replay (the trace's own requests outside the judged slice, at the replay's rate) before the first
 * replay, the replay before for the later ones; the demo's warm-up's later half (its first half has the executors'
 * JIT at work) before its one replay. The probes just before the replay are nearer in time but last two seconds each;
 * a slow spell of this shared machine that catches them moves the whole prediction. The served run lasts a minute or
 * more and ran the replay's kind of load.
 *
 * <p>Measured on the kept runs (experiments/validation-tails.md, section 19), as a log error against the replay's own
 * speed, each estimate times its ratio fitted on r17 to r22: validate's decodes 0.072 from the probe, 0.067 from the
 * served run before, 0.059 from their geometric mean (mean absolute over r23 to r28's eighteen replays); its prefills
 * 0.059, 0.040 and 0.041. The demo's (nine fresh-clone demos, each left out of its own fit) decodes 0.145, 0.074 and
 * 0.095, prefills 0.047, 0.040 and 0.040. The prediction charges a geometric mean of the two, validate's served run
 * before weighted 0.75 by default (equal weights until 7 December), the demo's warm-up 0.5: neither reading is thrown
 * away. The weights are the served costs' {@code served_before_weights} ({@link
 * org.cornserve.simulator.config.ServedBeforeWeights}, where their choice is told).
 *
 * @param steps the served run's {@code steps.csv}
 * @param fromSeconds where in that run its steps are read from (the warm-up's later half)
 * @param warmup whether it is a warm-up ({@code replay_over_warmup_*} ratios) rather than a served replay of the
 *     trace's kind ({@code replay_over_served_before_*})
 */
record ServedBefore(Path steps, double fromSeconds, boolean warmup) {

    /** Steps with another executor computing for at least this share of their time are not read (not alone). */
    static final double ALONE_BELOW = 0.1;

    /** The fewest steps with a prefill, and steady decode-only steps, a level is read from. */
    static final int MIN_STEPS = 10;

    /**
     * The served run before replay {@code k} of a validation's output {@code out}: the calibration replay's later
     * half for the first where it ran, the replay before's steps for the later ones; null for a first replay without
     * a calibration replay (its warm-up's relation to the replay was measured on the demo's plan only).
     *
     * <p>The calibration's later half, as the demo reads its warm-up's: it is the first run of the trace's own mix
     * after the warm-up, whose prompts are short, and its start may still pay for code the warm-up did not reach. In
     * /tmp/s27/v1 its first 36 s of prefill steps ran at 2.84 of their charge (1,000-token prompts at 5.6) and the
     * rest at 1.25 to 1.46, as the replays after it; read whole, it put replay 1's prefills at 1.76 of the profile and
     * the prediction 100% off (experiments/validation-tails.md, section 27). The replays are read whole: the
     * calibration came before them.
     */
    static ServedBefore ofValidation(Path out, int k) throws IOException {
        if (k > 1) {
            return new ServedBefore(Validation.replayDir(out.resolve("measured"), k - 1).resolve("steps.csv"), 0,
                    false);
        }
        return laterHalf(Validation.calibrationDir(out.resolve("measured")), false);
    }

    /**
     * The demo's: its warm-up's ({@code measuredWarmup/steps.csv}) later half, from the midpoint of its steps'
     * decision times; null where the warm-up's steps were not kept.
     */
    static ServedBefore ofWarmup(Path measuredWarmup) throws IOException {
        return laterHalf(measuredWarmup, true);
    }

    /** A served run's ({@code run/steps.csv}) later half, from the midpoint of its steps' decision times. */
    private static ServedBefore laterHalf(Path run, boolean warmup) throws IOException {
        Path steps = run.resolve("steps.csv");
        if (!Files.isRegularFile(steps)) {
            return null;
        }
        List<ServedCostsFit.Row> rows = ServedCostsFit.read(steps);
        if (rows.isEmpty()) {
            return null;
        }
        double first = rows.stream().mapToDouble(ServedCostsFit.Row::decidedMs).min().orElseThrow();
        double last = rows.stream().mapToDouble(ServedCostsFit.Row::decidedMs).max().orElseThrow();
        return new ServedBefore(steps, (first + last) / 2 / 1e3, warmup);
    }

    /**
     * The speeds the served steps ran at against what the prediction charges per unit of level: over the steps with a
     * prefill, their summed compute less the extra per sequence of the decodes riding along, over their summed charge
     * in the prefill's {@code shape} (times the after-prefill ratio of prefills where one came right before: {@link
     * ServedCostsFit#replayOverProbe}); over the steady decode-only steps of one sequence (past the first {@value
     * StepRecorder#AFTER_PREFILL_STEPS} after a prefill, charged apart), their summed compute over their summed
     * charge, as the decode probe reads its requests. Only steps that ran alone on the host (another executor
     * computing under {@value #ALONE_BELOW} of their time; the simulation charges an overlapped step the host slowdown
     * on top) and were decided at or after {@code fromSeconds}.
     *
     * @return {prefill, decode}, each NaN with fewer than {@value #MIN_STEPS} steps to read
     */
    static double[] level(List<ServedCostsFit.Row> steps, double fromSeconds, LongToDoubleFunction shape,
            double extraMsPerSequence, double prefillAfterPrefillRatio) {
        return new double[] {prefillLevel(steps, fromSeconds, shape, extraMsPerSequence, prefillAfterPrefillRatio),
            decodeLevel(steps, fromSeconds)};
    }

    /** {@link #level}'s prefill part. */
    static double prefillLevel(List<ServedCostsFit.Row> steps, double fromSeconds, LongToDoubleFunction shape,
            double extraMsPerSequence, double prefillAfterPrefillRatio) {
        List<ServedCostsFit.Row> prefills = alone(steps, fromSeconds).stream().filter(r -> !r.decodeOnly()).toList();
        return prefills.size() < MIN_STEPS ? Double.NaN
                : ServedCostsFit.replayOverProbe(prefills, shape, 1, extraMsPerSequence, prefillAfterPrefillRatio)[0];
    }

    /** {@link #level}'s decode part (no shape and no extra per sequence: steps of one sequence). */
    static double decodeLevel(List<ServedCostsFit.Row> steps, double fromSeconds) {
        List<ServedCostsFit.Row> ones = alone(steps, fromSeconds).stream().filter(r -> r.decodeOnly()
                && r.decodeSequences() == 1 && r.afterPrefill() > StepRecorder.AFTER_PREFILL_STEPS).toList();
        double compute = ones.stream().mapToDouble(ServedCostsFit.Row::computeMs).sum();
        double charge = ones.stream().mapToDouble(ServedCostsFit.Row::simulatedMs).sum();
        return ones.size() < MIN_STEPS || !(charge > 0) ? Double.NaN : compute / charge;
    }

    /** The fewest steady decode steps of several sequences {@link #extraMsPerSequence} reads. */
    static final int MIN_BATCH_STEPS = 100;

    /**
     * What the served run's steady decode steps of several sequences paid per iteration per sequence beyond the
     * first, beyond their profile's point at the speed its one-sequence steps ran ({@code decodeLevel}, {@link
     * #level}): {@link ServedCostsFit#batchExtraMsPerSequence} over its steps alone decided at or after {@code
     * fromSeconds}; NaN with fewer than {@value #MIN_BATCH_STEPS} such steps. Over the 39 replays of r17 to r29 the
     * served run before a replay gave the replay's own within 0.022 ms (mean absolute), the batch probe's within
     * 0.077 ms (one constant for all does 0.038): the probe's figure is mostly its noise
     * (experiments/validation-tails.md, section 19).
     */
    static double extraMsPerSequence(List<ServedCostsFit.Row> steps, double fromSeconds, double decodeLevel) {
        List<ServedCostsFit.Row> read = alone(steps, fromSeconds);
        long batches = read.stream().filter(r -> r.decodeOnly() && r.decodeSequences() >= 2 && r.simulatedMs() > 0
                && r.afterPrefill() > StepRecorder.AFTER_PREFILL_STEPS).count();
        return batches < MIN_BATCH_STEPS || !(decodeLevel > 0) ? Double.NaN
                : ServedCostsFit.batchExtraMsPerSequence(read, decodeLevel);
    }

    private static List<ServedCostsFit.Row> alone(List<ServedCostsFit.Row> steps, double fromSeconds) {
        return steps.stream().filter(r -> r.othersComputing() < ALONE_BELOW && r.decidedMs() >= fromSeconds * 1e3
                && r.simulatedMs() > 0).toList();
    }

    /**
     * The prediction with this served run's reading: its prefill curve and scale times {@code (before x ratio /
     * probed)^w} and its decode scale {@code own^(1 - w) x (before x ratio)^w} ({@code w} the served costs'
     * {@code served_before_weights} of prefills and of decodes, a warm-up's for both),
     * where {@code probed} is
     * the prediction's prefill level over the slice ({@link SpeedTraces#sliceMean}) and {@code before} this run's
     * {@link #level} in the prediction's shape; each component as probed where its ratio is 0 (off) or the run read
     * too few steps.
     *
     * @param asProbed the prediction from the probes alone ({@link Served#asProbed})
     * @param slice the judged slice (the prefill level's weights)
     */
    Prediction blend(Served asProbed, Path slice) throws IOException {
        double[] ratio = asProbed.replayOverServedBefore(warmup);
        if (ratio[0] == 0 && ratio[1] == 0) {
            return Prediction.probesAlone(asProbed);
        }
        PrefillScaleCurve curve = asProbed.prefillCurve();
        double probedLevel = curve == null ? asProbed.prefillComputeScale() : SpeedTraces.sliceMean(curve, slice);
        PrefillScaleCurve shape = SpeedTraces.prefillShape(curve, slice);
        List<ServedCostsFit.Row> rows = ServedCostsFit.read(steps);
        // its extra per sequence in place of the batch probe's where it ran enough steps of several sequences
        double decodeLevel = decodeLevel(rows, fromSeconds);
        double served = ratio[1] > 0 ? extraMsPerSequence(rows, fromSeconds, decodeLevel) : Double.NaN;
        double extra = Double.isNaN(served) ? asProbed.chargedExtraMsPerSequence() : served;
        double[] before = {prefillLevel(rows, fromSeconds, shape == null ? t -> 1 : shape, extra,
            asProbed.chargedPrefillAfterPrefillRatio()), decodeLevel};
        double[] w = asProbed.servedBeforeWeights(warmup);
        double prefill = ratio[0] > 0 && before[0] > 0 ? Math.pow(before[0] * ratio[0] / probedLevel, w[0]) : 1;
        double decode = ratio[1] > 0 && before[1] > 0
                ? Math.pow(asProbed.decodeComputeScale(), 1 - w[1]) * Math.pow(before[1] * ratio[1], w[1])
                : asProbed.decodeComputeScale();
        PrefillScaleCurve blended = curve == null ? null : new PrefillScaleCurve(curve.tokens(),
                curve.scales().stream().map(x -> x * prefill).toList());
        Served charged = asProbed.withComputeScales(asProbed.prefillComputeScale() * prefill, decode)
                .withPrefillCurve(blended).withExtraMsPerSequence(Double.isNaN(served)
                        ? asProbed.extraMsPerSequence() : served);
        String note = String.format(Locale.ROOT, "; blended with the %s (prefills %s, decodes %s of the profile, x%.3f"
                + " and x%.3f, served costs): the geometric mean weighted %s to it, prefills at %.3f and decodes at"
                + " %.3f%s",
                warmup ? "warm-up's later half" : steps.getParent().getFileName() + " run before",
                fmt(before[0]), fmt(before[1]), ratio[0], ratio[1], weights(w), probedLevel * prefill, decode,
                Double.isNaN(served) ? "" : String.format(Locale.ROOT, ", %.4f ms per extra sequence (its steps of"
                        + " several sequences', in place of the batch probe's)", served));
        return new Prediction(charged, before, note);
    }

    /**
     * One weight where prefills and decodes share it ("0.75"), else both ("0.75 for prefills and 0.00 for decodes").
     */
    static String weights(double[] w) {
        return w[0] == w[1] ? String.format(Locale.ROOT, "%.2f", w[0])
                : String.format(Locale.ROOT, "%.2f for prefills and %.2f for decodes", w[0], w[1]);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "too few steps" : String.format(Locale.ROOT, "%.3f", v);
    }

    /**
     * A prediction's charges and where they came from.
     *
     * @param served what the simulation charges
     * @param before the served run's levels read ({prefill, decode}; NaN where not read)
     * @param note for the tables' headers (empty where nothing was blended)
     */
    record Prediction(Served served, double[] before, String note) {

        /** The probes' prediction alone, nothing blended (no run before, or its ratios off). */
        static Prediction probesAlone(Served asProbed) {
            return new Prediction(asProbed, new double[] {Double.NaN, Double.NaN}, "");
        }
    }

    /** {@code before}'s {@link #blend}, or the probes' prediction alone where no run came before (null). */
    static Prediction blend(ServedBefore before, Served asProbed, Path slice) throws IOException {
        return before == null ? Prediction.probesAlone(asProbed) : before.blend(asProbed, slice);
    }
}
