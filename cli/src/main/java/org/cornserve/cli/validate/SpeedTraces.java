package org.cornserve.cli.validate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The served engine's speed against the profile read from served steps ({@code steps.csv}): window by window
 * ({@link #speedTrace}), by prompt length ({@link #servedPrefillCurve}) and by the sequences in a decode step
 * ({@link #servedDecodeCurve}); and the prefill shape a prediction charges ({@link #predictionCurve}).
 */
public final class SpeedTraces {
    private SpeedTraces() {
    }

    /** The speed trace's window: long enough for a few hundred steps, short against the machine's spells. */
    static final double SPEED_WINDOW_S = 10;

    /**
     * The served engine's speed window by window ({@link org.cornserve.simulator.config.SpeedTrace}) from a replay's
     * {@code steps.csv} ({@link ServedCostsFit#read}): per {@code windowSeconds} of its steps' decision times, the
     * measured compute over the profile's charge with host sharing (which the simulation adds apart), summed over the
     * steps holding a prefill and over the decode-only steps apart. A window
     * without steps of a kind takes the last window's speed for it (the first ones the first speed measured), and a
     * kind never seen runs at 1.
     *
     * @throws IllegalArgumentException naming the file and line of a row it cannot read
     */
    static org.cornserve.simulator.config.SpeedTrace speedTrace(Path stepsCsv, double windowSeconds)
            throws IOException {
        return speedTrace(stepsCsv, windowSeconds, 0, null);
    }

    /**
     * As above, where the simulation charges {@code extraMsPerSequence} per iteration per delivered sequence beyond
     * the first on top of the profile (the served costs' extra, or the batch probe's): each step's charge holds it, so
     * that a window's steps, simulated at its speed, sum to what they measured; and where it charges each prefill by
     * {@code prefillShape} of its tokens (a shape by length, {@link #prefillShape}; null: none), a step holding a
     * prefill is charged that much more (or less) here too. Without it a window of long prompts, which run slower
     * against the profile than short ones, measures their slowness in its speed and the simulation charges it again
     * through the shape (r14 of 2026-12-05, replay 3: a burst of 1,024-token prompts served at about 250 ms a step,
     * simulated at 287 ms).
     */
    static org.cornserve.simulator.config.SpeedTrace speedTrace(Path stepsCsv, double windowSeconds,
            double extraMsPerSequence, java.util.function.LongToDoubleFunction prefillShape) throws IOException {
        return speedTrace(stepsCsv, windowSeconds, extraMsPerSequence, 0, prefillShape);
    }

    /**
     * As above, where the simulation also charges a step with a prefill right after one by the served costs'
     * after-prefill ratio of prefills ({@link
     * org.cornserve.simulator.config.ServedStepCosts#prefillAfterPrefillRatio}):
     * each such served step's charge here holds the ratio too ({@link ServedCostsFit.Row#prefillBefore}), so that a
     * window's speed is the other prefills' and a burst's back-to-back prefills are charged faster, as they ran.
     */
    static org.cornserve.simulator.config.SpeedTrace speedTrace(Path stepsCsv, double windowSeconds,
            double extraMsPerSequence, double prefillAfterPrefillRatio,
            java.util.function.LongToDoubleFunction prefillShape) throws IOException {
        return speedTrace(stepsCsv, windowSeconds, extraMsPerSequence, prefillAfterPrefillRatio, prefillShape, null);
    }

    /**
     * As above, where the simulation charges each decode-only step by {@code decodeShape} of its sequences too (a
     * shape by the sequences in a step, {@link #servedDecodeCurve}; null: none): its charge here holds it.
     */
    static org.cornserve.simulator.config.SpeedTrace speedTrace(Path stepsCsv, double windowSeconds,
            double extraMsPerSequence, double prefillAfterPrefillRatio,
            java.util.function.LongToDoubleFunction prefillShape, java.util.function.LongToDoubleFunction decodeShape)
            throws IOException {
        java.util.TreeMap<Integer, double[]> windows = new java.util.TreeMap<>(); // compute, charge; prefill, decode
        for (ServedCostsFit.Row r : ServedCostsFit.read(stepsCsv)) {
            if (r.decodeOnly() && r.afterPrefill() <= StepRecorder.AFTER_PREFILL_STEPS) {
                continue; // charged apart, at the served costs' after-prefill ratio
            }
            int k = r.decodeOnly() ? 2 : 0;
            double[] sums = windows.computeIfAbsent(Math.max(0, (int) Math.floor(r.decidedMs() / 1e3 / windowSeconds)),
                    x -> new double[4]);
            sums[k] += r.computeMs();
            // as the simulator's StepTimer charges it: per iteration, per sequence beyond the first (a prefill's
            // sequence counted)
            double shape = r.decodeOnly() ? (decodeShape == null ? 1 : decodeShape.applyAsDouble(r.decodeSequences()))
                    : prefillFactor(prefillAfterPrefillRatio, r)
                            * (prefillShape == null ? 1 : prefillShape.applyAsDouble(r.prefillTokens()));
            sums[k + 1] += r.simulatedMs() * shape + extraMsPerSequence * r.iterations()
                    * Math.max(0, r.decodeSequences() + (r.decodeOnly() ? 0 : 1) - 1);
        }
        int count = windows.isEmpty() ? 1 : windows.lastKey() + 1;
        double[][] speed = new double[2][count];
        for (int k = 0; k < 2; k++) {
            double last = Double.NaN;
            for (int w = 0; w < count; w++) {
                double[] sums = windows.get(w);
                if (sums != null && sums[2 * k + 1] > 0) {
                    last = sums[2 * k] / sums[2 * k + 1];
                }
                speed[k][w] = last;
            }
            double first = Arrays.stream(speed[k]).filter(v -> !Double.isNaN(v)).findFirst().orElse(1);
            for (int w = 0; w < count && Double.isNaN(speed[k][w]); w++) {
                speed[k][w] = first;
            }
        }
        return new org.cornserve.simulator.config.SpeedTrace(windowSeconds, Arrays.stream(speed[0]).boxed().toList(),
                Arrays.stream(speed[1]).boxed().toList(), "the served steps of " + stepsCsv
                        + ": measured compute over the profile's charge, summed per window");
    }

    /** What a served step with a prefill computed at by the after-prefill ratio of prefills (0: none). */
    private static double prefillFactor(double prefillAfterPrefillRatio, ServedCostsFit.Row r) {
        return org.cornserve.simulator.config.ServedStepCosts.prefillFactor(prefillAfterPrefillRatio,
                r.prefillBefore());
    }

    /**
     * The probes' prefill curves of replays 1 to {@code k} pooled, point by point the mean ({@code runs}' first
     * {@code k}): the profile's error by prompt length is the profile's, the same in every replay, where one probe's
     * shape carries the speed of the seconds each length ran in (r10 of 2026-12-05: one replay's 274- and 627-token
     * points at 1.06 and 1.42, the next replay's at 1.13 and 1.10). Replay {@code k}'s own curve where the curves do
     * not share their lengths or one is missing.
     */
    static org.cornserve.model.profile.PrefillScaleCurve meanCurve(List<Served> runs, int k) {
        org.cornserve.model.profile.PrefillScaleCurve own = runs.get(k - 1).prefillCurve();
        if (own == null) {
            return null;
        }
        double[] sum = new double[own.scales().size()];
        for (Served r : runs.subList(0, k)) {
            if (r.prefillCurve() == null || !r.prefillCurve().tokens().equals(own.tokens())) {
                return own;
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] += r.prefillCurve().scales().get(i);
            }
        }
        return new org.cornserve.model.profile.PrefillScaleCurve(own.tokens(),
                Arrays.stream(sum).map(x -> x / k).boxed().toList());
    }

    /**
     * The control plane's round trip per report as a served replay paid it: the median over the decode-only steps
     * of {@code stepsCsv} of their busy less compute, read as the decode probe's is ({@link Served#stepOverheadMs});
     * NaN without any.
     */
    static double servedRoundTripMs(Path stepsCsv) throws IOException {
        double[] trips = ServedCostsFit.read(stepsCsv).stream().filter(r -> r.prefillTokens() == 0)
                .mapToDouble(ServedCostsFit.Row::roundTripMs).toArray();
        return trips.length == 0 ? Double.NaN : Validation.median(trips);
    }

    /**
     * The prefill speed by length the prediction of replay {@code k} charges ({@link ValidateCommand}'s simulation as
     * probed): the probes' level ({@code probed}'s mean over the slice's prompts, {@link #prefillShape}) in the shape
     * of the served steps of the runs before the replay (the calibration replay's where one ran, and the earlier
     * replays': {@link #servedPrefillCurve} at the probes' lengths, as the sensed speed's shape). The probes' idle
     * prefills put the long prompts against the short ones otherwise than a loaded replay runs them (section 15 of
     * experiments/validation-tails.md); their level is the minute's. {@code probed} itself where no served steps ran
     * before the replay (the demo; a first replay without a calibration replay) or it is null.
     *
     * @return the curve, and whether it holds the served steps' shape
     */
    static PredictionCurve predictionCurve(org.cornserve.model.profile.PrefillScaleCurve probed, Path out, int k,
            Path slice, double prefillAfterPrefillRatio) throws IOException {
        List<Path> before = new ArrayList<>();
        Path calibration = Validation.calibrationDir(out.resolve("measured")).resolve("steps.csv");
        if (Files.exists(calibration)) {
            before.add(calibration);
        }
        for (int j = 1; j < k; j++) {
            before.add(Validation.replayDir(out.resolve("measured"), j).resolve("steps.csv"));
        }
        if (probed == null || before.isEmpty()) {
            return new PredictionCurve(probed, false);
        }
        var served = servedPrefillCurve(before, probed.tokens(), 0, prefillAfterPrefillRatio);
        if (served == null) {
            return new PredictionCurve(probed, false);
        }
        double level = sliceMean(probed, slice);
        var shape = prefillShape(served, slice);
        return new PredictionCurve(new org.cornserve.model.profile.PrefillScaleCurve(shape.tokens(),
                shape.scales().stream().map(x -> x * level).toList()), true);
    }

    /** A prefill speed by length and whether its shape is the served steps' ({@link #predictionCurve}). */
    record PredictionCurve(org.cornserve.model.profile.PrefillScaleCurve curve, boolean servedShape) {
    }

    /** Decode-only steps a sequence count needs for its own speed in {@link #servedDecodeCurve}. */
    static final int MIN_DECODE_STEPS_PER_COUNT = 20;

    /** The most sequences {@link #servedDecodeCurve} gives a point of its own; steps of more count with it. */
    static final int DECODE_CURVE_MAX_SEQUENCES = 8;

    /**
     * The served engine's decode speed by the sequences in a step, as a shape: for each count of sequences from 1 to
     * {@value #DECODE_CURVE_MAX_SEQUENCES} (more counted with the last) held by at least {@value
     * #MIN_DECODE_STEPS_PER_COUNT} decode-only steps, their summed measured compute over their summed charge (the
     * profile's plus the extra per sequence beyond the first, as {@link #speedTrace} charges them; the first two
     * decode steps after a prefill left out, charged apart), over the same of all those steps (so the shape's mean
     * over the steps is 1). The profile's decode cost by batch was measured on an idle engine, the extra per sequence
     * on the batch probe's few steps; served, the steps of one sequence ran 9% slower than the profile's shape says
     * and those of three and four 10% and 12% faster in r23 (experiments/validation-tails.md, section 17), and the
     * shape differs from run to run (a step of three sequences against one: 0.90 to 1.19), so it is read from served
     * steps:
     * the judged replay's own for the served-speed diagnosis, the runs before it for the sensed speed.
     *
     * @return the shape, or null where fewer than two counts have enough steps
     */
    static org.cornserve.model.profile.PrefillScaleCurve servedDecodeCurve(List<Path> stepsCsvs, double fromSeconds,
            double extraMsPerSequence) throws IOException {
        int n = DECODE_CURVE_MAX_SEQUENCES;
        double[] compute = new double[n + 1];
        double[] charge = new double[n + 1];
        int[] steps = new int[n + 1];
        for (Path csv : stepsCsvs) {
            for (ServedCostsFit.Row r : ServedCostsFit.read(csv)) {
                if (!r.decodeOnly() || r.afterPrefill() <= StepRecorder.AFTER_PREFILL_STEPS
                        || r.decidedMs() < fromSeconds * 1e3 || !(r.simulatedMs() > 0) || r.decodeSequences() < 1) {
                    continue;
                }
                int b = Math.min(n, r.decodeSequences());
                compute[b] += r.computeMs();
                charge[b] += r.simulatedMs() + extraMsPerSequence * r.iterations() * (r.decodeSequences() - 1);
                steps[b]++;
            }
        }
        double allCompute = 0;
        double allCharge = 0;
        List<Long> counts = new ArrayList<>();
        for (int b = 1; b <= n; b++) {
            if (steps[b] >= MIN_DECODE_STEPS_PER_COUNT) {
                counts.add((long) b);
                allCompute += compute[b];
                allCharge += charge[b];
            }
        }
        if (counts.size() < 2) {
            return null;
        }
        double mean = allCompute / allCharge;
        return new org.cornserve.model.profile.PrefillScaleCurve(counts, counts.stream()
                .map(b -> compute[(int) (long) b] / charge[(int) (long) b] / mean).toList());
    }

    /** Served prefill steps a length needs for its own speed in {@link #servedPrefillCurve}. */
    static final int MIN_STEPS_PER_LENGTH = 5;

    /**
     * The served engine's prefill speed by length: at each of {@code points} (token counts, ascending), the summed
     * measured compute over the summed profile charge of the served steps holding a prefill whose tokens lie nearest
     * it (on a log scale), decided at or after {@code fromSeconds} of their run; a length with fewer than {@value
     * #MIN_STEPS_PER_LENGTH} such steps takes the speed over all of them. The shape the speed-trace simulations charge
     * by ({@link #prefillShape}), read from served steps rather than from the probes' idle requests (r14 of
     * 2026-12-05: its probes had the 1,024-token prefill at 1.08 of the slice's mean against the short ones at 0.95 to
     * 0.99, where its served steps ran the short ones at 1.10 to 1.14 of the profile and the long ones at 1.05 to
     * 1.10).
     *
     * @return the curve, or null where no step held a prefill
     */
    static org.cornserve.model.profile.PrefillScaleCurve servedPrefillCurve(List<Path> stepsCsvs, List<Long> points,
            double fromSeconds) throws IOException {
        return servedPrefillCurve(stepsCsvs, points, fromSeconds, 0);
    }

    /**
     * As above, each step's charge times the after-prefill ratio of prefills where it came right after one ({@link
     * #speedTrace}), so that the shape by length is not the bursts' speed again (long prompts come in bursts).
     */
    static org.cornserve.model.profile.PrefillScaleCurve servedPrefillCurve(List<Path> stepsCsvs, List<Long> points,
            double fromSeconds, double prefillAfterPrefillRatio) throws IOException {
        double[] compute = new double[points.size()];
        double[] charge = new double[points.size()];
        int[] steps = new int[points.size()];
        double allCompute = 0;
        double allCharge = 0;
        for (Path csv : stepsCsvs) {
            for (ServedCostsFit.Row r : ServedCostsFit.read(csv)) {
                if (r.decodeOnly() || r.decidedMs() < fromSeconds * 1e3 || !(r.simulatedMs() > 0)) {
                    continue;
                }
                int nearest = 0;
                for (int i = 1; i < points.size(); i++) {
                    if (Math.abs(Math.log(r.prefillTokens()) - Math.log(points.get(i)))
                            < Math.abs(Math.log(r.prefillTokens()) - Math.log(points.get(nearest)))) {
                        nearest = i;
                    }
                }
                double charged = r.simulatedMs() * prefillFactor(prefillAfterPrefillRatio, r);
                compute[nearest] += r.computeMs();
                charge[nearest] += charged;
                steps[nearest]++;
                allCompute += r.computeMs();
                allCharge += charged;
            }
        }
        if (allCharge <= 0) {
            return null;
        }
        List<Double> scales = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            scales.add(steps[i] >= MIN_STEPS_PER_LENGTH ? compute[i] / charge[i] : allCompute / allCharge);
        }
        return new org.cornserve.model.profile.PrefillScaleCurve(points, scales);
    }

    /**
     * The shape of a prefill speed by prompt length (the probes', or the served steps' from {@link
     * #servedPrefillCurve}) without its level, for a simulation whose speed trace
     * sets the level: {@code curve} divided by its mean over the slice's prompts (each with the chat markup, weighted
     * by its tokens, as a prefill's compute grows with them), so that the slice's prefills are charged as much in all
     * as at the trace's speed alone, the long ones against the short ones as the probes measured. (The profile's
     * points are measured minutes apart and not all at one speed: in r9 of 2026-12-05 its 1,024-token point ran 0.93
     * of the others' speed in all three replays' probes, and a flat speed over-charged the long prompts: TTFT P99
     * +38% pooled at the sensed speed, +7% with this shape.)
     *
     * @return null where the probes measured no curve
     */
    static org.cornserve.model.profile.PrefillScaleCurve prefillShape(
            org.cornserve.model.profile.PrefillScaleCurve curve, Path slice) throws IOException {
        if (curve == null) {
            return null;
        }
        double mean = sliceMean(curve, slice);
        return new org.cornserve.model.profile.PrefillScaleCurve(curve.tokens(),
                curve.scales().stream().map(x -> x / mean).toList());
    }

    /**
     * {@code curve}'s mean over the slice's prompts, each with the chat markup, weighted by its tokens ({@link
     * #prefillShape}); 1 for an empty slice.
     */
    static double sliceMean(org.cornserve.model.profile.PrefillScaleCurve curve, Path slice) throws IOException {
        double weighted = 0;
        double tokens = 0;
        for (long t : ProbeTraces.textTokens(slice)) {
            long prompt = t + Validation.PROMPT_OVERHEAD_TOKENS;
            weighted += curve.applyAsDouble(prompt) * prompt;
            tokens += prompt;
        }
        return tokens > 0 ? weighted / tokens : 1;
    }
}
