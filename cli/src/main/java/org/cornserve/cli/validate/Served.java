package org.cornserve.cli.validate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cornserve.simulator.config.ServedStepCosts;

/**
 * What a served plan measured besides the replay's requests.
 *
 * @param overheadMs the per-request overhead: idle streamed probes' served TTFT less the simulator's TTFT of the
 *     same requests
 * @param overheadMsPerToken the per-request overhead's growth per prompt token (its fixed part is then
 *     {@code overheadMs}, the fit's intercept; see {@link Probes#overheadLine}), 0 for none
 * @param servedCosts served step costs charged on top of the profiles ({@code simulate --served-costs}), or null
 * @param stepOverheadMs the control plane's round trip per LLM step (busy less compute) on the idle probes'
 *     steps, which the simulator charges per step as the runtime runs them ({@link #simulateArgs})
 * @param steps the served LLM steps' measured compute over the simulator's charge, by kind of step
 * @param session the served runtime's session id (its shared-memory files are named after it), or null
 * @param hostLoad the outside load the measured replay ran beside ({@link HostLoad#NONE} when not watched)
 * @param prefillComputeScale the speed the served engine's prefills ran at just before the replay, against the
 *     profile: the median over the idle probes' prefills of their measured compute over the profile's charge
 *     ({@link Probes#prefillScale}); 1 when they could not be told apart
 * @param decodeComputeScale the speed its decode steps ran at just before the replay, against the profile: the
 *     median over the decode probe's steps ({@link Probes#decodeScale}); 1 without them
 * @param costs the served step costs of {@code servedCosts}, read once (a constructor without it reads the file, so a
 *     bad one fails as the run is built); null without served costs
 */
public record Served(double overheadMs, double stepOverheadMs, java.util.Map<String, Object> steps,
        String session, Path servedCosts, double overheadMsPerToken, HostLoad hostLoad,
        double prefillComputeScale, double decodeComputeScale, double extraMsPerSequence,
        org.cornserve.model.profile.PrefillScaleCurve prefillCurve, ServedStepCosts costs) {
    public Served {
        hostLoad = hostLoad == null ? HostLoad.NONE : hostLoad;
        if (servedCosts == null) {
            costs = null;
        } else if (costs == null) {
            try {
                costs = org.cornserve.cli.simulate.SimulateCommand.readServedCosts(servedCosts);
            } catch (IOException e) {
                throw new UncheckedIOException("served: cannot read the served costs " + servedCosts, e);
            }
        }
        for (double scale : new double[] {prefillComputeScale, decodeComputeScale}) {
            if (!(scale > 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException("served: a compute scale must be positive and finite, got "
                        + scale);
            }
        }
        if (!Double.isNaN(extraMsPerSequence) && (!(extraMsPerSequence >= 0)
                || Double.isInfinite(extraMsPerSequence))) {
            throw new IllegalArgumentException("served: the extra ms per sequence must be >= 0 and finite (or"
                    + " NaN, not measured), got " + extraMsPerSequence);
        }
    }

    /** A served run whose served costs (if any) are read from {@code servedCosts}. */
    public Served(double overheadMs, double stepOverheadMs, java.util.Map<String, Object> steps,
            String session, Path servedCosts, double overheadMsPerToken, HostLoad hostLoad,
            double prefillComputeScale, double decodeComputeScale, double extraMsPerSequence,
            org.cornserve.model.profile.PrefillScaleCurve prefillCurve) {
        this(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                prefillComputeScale, decodeComputeScale, extraMsPerSequence, prefillCurve, null);
    }

    /** A served run whose batch probe measured no extra per sequence (the served costs' own is charged). */
    public Served(double overheadMs, double stepOverheadMs, java.util.Map<String, Object> steps,
            String session, Path servedCosts, double overheadMsPerToken, HostLoad hostLoad,
            double prefillComputeScale, double decodeComputeScale) {
        this(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                prefillComputeScale, decodeComputeScale, Double.NaN);
    }

    /** A served run whose probes measured no prefill speed by prompt length. */
    public Served(double overheadMs, double stepOverheadMs, java.util.Map<String, Object> steps,
            String session, Path servedCosts, double overheadMsPerToken, HostLoad hostLoad,
            double prefillComputeScale, double decodeComputeScale, double extraMsPerSequence) {
        this(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                prefillComputeScale, decodeComputeScale, extraMsPerSequence, null);
    }

    public Served(double overheadMs, double stepOverheadMs, java.util.Map<String, Object> steps,
            String session, Path servedCosts, double overheadMsPerToken, HostLoad hostLoad) {
        this(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad, 1, 1);
    }

    public Served(double overheadMs, double stepOverheadMs, java.util.Map<String, Object> steps, String session) {
        this(overheadMs, stepOverheadMs, steps, session, null, 0, HostLoad.NONE);
    }

    /** This served run with served step costs from {@code file} charged on top (null: none). */
    public Served withServedCosts(Path file) {
        return new Served(overheadMs, stepOverheadMs, steps, session, file, overheadMsPerToken, hostLoad,
                prefillComputeScale, decodeComputeScale, extraMsPerSequence, prefillCurve);
    }

    /**
     * What the probes measured, as {@code validation.json} names it: the overheads, the speeds against the
     * profile, and the extra per sequence and the prefill's speed by length where measured.
     */
    public java.util.Map<String, Object> probedFigures() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("request_overhead_ms", overheadMs);
        m.put("request_overhead_ms_per_token", overheadMsPerToken);
        m.put("step_overhead_ms", stepOverheadMs);
        m.put("prefill_compute_scale", prefillComputeScale);
        m.put("decode_compute_scale", decodeComputeScale);
        if (!Double.isNaN(extraMsPerSequence)) {
            m.put("extra_ms_per_sequence", extraMsPerSequence);
        }
        if (prefillCurve != null) {
            m.put("prefill_compute_scale_at", prefillCurve.toString());
        }
        return m;
    }

    /** This served run with another round trip per LLM step, in ms (>= 0). */
    public Served withStepOverheadMs(double ms) {
        if (!(ms >= 0) || Double.isInfinite(ms)) {
            throw new IllegalArgumentException("served: the round trip per step must be >= 0 and finite, got "
                    + ms);
        }
        return new Served(overheadMs, ms, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                prefillComputeScale, decodeComputeScale, extraMsPerSequence, prefillCurve, costs);
    }

    /**
     * This served run with another prefill curve (the probes' of several replays pooled: {@link
     * SpeedTraces#meanCurve}).
     */
    public Served withPrefillCurve(org.cornserve.model.profile.PrefillScaleCurve curve) {
        return new Served(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                prefillComputeScale, decodeComputeScale, extraMsPerSequence, curve, costs);
    }

    /**
     * This served run for a simulation whose {@link SpeedTraces#speedTrace speed trace} sets the compute's level: no
     * scale, the prefill's shape by prompt length ({@link SpeedTraces#prefillShape}; null: none) kept.
     */
    public Served atSpeedTrace(org.cornserve.model.profile.PrefillScaleCurve prefillShape) {
        return new Served(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad, 1,
                1, extraMsPerSequence, prefillShape, costs);
    }

    /**
     * This served run with its compute charged at the profile's speed (for a {@link SpeedTraces#speedTrace} to set it).
     */
    public Served atProfileSpeed() {
        return new Served(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad, 1,
                1, extraMsPerSequence, null, costs);
    }

    /**
     * This served run as the prediction charges it: the probes' decode speed times the served costs'
     * replay-over-probe ratio of decodes ({@link
     * ServedStepCosts#replayOverProbeDecode}), and where its prefill curve holds
     * the served steps' shape ({@code servedShape}, {@link SpeedTraces#predictionCurve}) the prefill speed times
     * theirs ({@link ServedStepCosts#replayOverProbePrefill}: it was fitted on
     * prefills charged so; on the probes' own curve, whose long prompts run slow, it put the tails of two of three
     * runs 38% and 47% high, experiments/validation-tails.md, section 18); itself without served costs or
     * ratios. Only the simulation as probed: the speed-trace simulations take their level from a trace.
     */
    public Served asProbed(boolean servedShape) {
        return asProbed(servedShape, false);
    }

    /**
     * As above, the decodes times the ratio of a replay after a warm-up where {@code afterWarmup} (the demo's and the
     * experiment cases': {@link #replayOverProbe(boolean)}).
     */
    public Served asProbed(boolean servedShape, boolean afterWarmup) {
        double[] ratio = replayOverProbe(afterWarmup);
        if (!servedShape) {
            ratio[0] = 0;
        }
        if (ratio[0] == 0 && ratio[1] == 0) {
            return this;
        }
        var curve = prefillCurve == null ? null : new org.cornserve.model.profile.PrefillScaleCurve(
                prefillCurve.tokens(), prefillCurve.scales().stream()
                        .map(x -> ServedStepCosts.replayOverProbe(ratio[0], x))
                        .toList());
        return new Served(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                ServedStepCosts.replayOverProbe(ratio[0], prefillComputeScale),
                ServedStepCosts.replayOverProbe(ratio[1], decodeComputeScale),
                extraMsPerSequence, curve, costs);
    }

    /** This served run with this extra per sequence (NaN: the served costs'). */
    public Served withExtraMsPerSequence(double extra) {
        return new Served(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                prefillComputeScale, decodeComputeScale, extra, prefillCurve, costs);
    }

    /** This served run with its prefills and decodes charged at these scales (its prefill curve kept). */
    public Served withComputeScales(double prefill, double decode) {
        return new Served(overheadMs, stepOverheadMs, steps, session, servedCosts, overheadMsPerToken, hostLoad,
                prefill, decode, extraMsPerSequence, prefillCurve, costs);
    }

    /**
     * The served costs' ratios of a replay's prefill and decode speeds over the served run's before it ({@link
     * ServedBefore}): over a warm-up's later half ({@code warmup}, the demo's) or over a served replay of the
     * trace's kind (validate's); each 0 where off, both 0 without served costs.
     */
    public double[] replayOverServedBefore(boolean warmup) {
        if (costs == null) {
            return new double[2];
        }
        return warmup ? new double[] {costs.replayOverWarmupPrefill(), costs.replayOverWarmupDecode()}
                : new double[] {costs.replayOverServedBeforePrefill(), costs.replayOverServedBeforeDecode()};
    }

    /**
     * The served costs' weights of the served run before the replay against the probes, prefills' and decodes'
     * ({@link org.cornserve.simulator.config.ServedBeforeWeights#of}): a warm-up's ({@code warmup}, the demo's) or
     * validate's run before; the defaults without served costs.
     */
    public double[] servedBeforeWeights(boolean warmup) {
        var weights = costs == null ? org.cornserve.simulator.config.ServedBeforeWeights.DEFAULT
                : costs.servedBeforeWeights();
        return weights.of(warmup);
    }

    /**
     * The served costs' replay-over-probe ratios of prefills and decodes, each 0 where off; both 0 without served
     * costs.
     */
    public double[] replayOverProbe() {
        return replayOverProbe(false);
    }

    /**
     * As above, where the served run before the replay is a warm-up ({@code afterWarmup}, the demo's): the decodes'
     * ratio the served costs' {@code replay_over_probe_decode_after_warmup} where they set one ({@link
     * ServedStepCosts#replayOverProbeDecode(boolean)}).
     */
    public double[] replayOverProbe(boolean afterWarmup) {
        if (costs == null) {
            return new double[2];
        }
        return new double[] {costs.replayOverProbePrefill(), costs.replayOverProbeDecode(afterWarmup)};
    }

    /**
     * The extra per iteration per delivered sequence beyond the first that the simulation charges: the batch
     * probe's where it measured one and served costs are charged, else the served costs' own; 0 without them.
     */
    public double chargedExtraMsPerSequence() {
        if (costs == null) {
            return 0;
        }
        return Double.isNaN(extraMsPerSequence) ? costs.extraMsPerSequence() : extraMsPerSequence;
    }

    /** The served costs' after-prefill ratio of prefills the simulation charges; 0 (none) without them. */
    public double chargedPrefillAfterPrefillRatio() {
        return costs == null ? 0 : costs.prefillAfterPrefillRatio();
    }

    /**
     * Passes of the slice a prediction simulates: the served costs' {@code prediction_passes} where they draw
     * something ({@link ServedStepCosts#draws}), else 1 (passes without draws
     * would all be the same).
     */
    public int predictionPasses() {
        if (costs == null) {
            return 1;
        }
        return costs.draws() ? costs.passes() : 1;
    }

    /**
     * {@link #simulateArgs()} for a prediction: the slice simulated {@link #predictionPasses()} times back to back
     * ({@code --repeat}), each pass drawing anew; the prediction reads each percentile as the median over the
     * passes of each pass's own ({@link PassPercentiles}).
     */
    public List<String> predictionArgs() {
        List<String> args = new ArrayList<>(simulateArgs());
        int passes = predictionPasses();
        if (passes > 1) {
            args.addAll(List.of("--repeat", Integer.toString(passes)));
        }
        return args;
    }

    /**
     * The {@code simulate} options that charge what this served run measured: the per-request overhead, and the
     * per-step round trip at the runtime's decode iterations per report; and the served step costs, if any.
     */
    public List<String> simulateArgs() {
        List<String> args = new ArrayList<>(List.of("--request-overhead-ms", String.format(Locale.ROOT, "%.4f",
                overheadMs), "--step-overhead-ms", String.format(Locale.ROOT, "%.4f", stepOverheadMs),
                "--tokens-per-report", Long.toString(Validation.SERVED_OPTIONS.maxRunIterations()),
                "--prompt-overhead-tokens", Integer.toString(Validation.PROMPT_OVERHEAD_TOKENS),
                // the round trip measured here holds what the profiler counted as overhead: charged once
                "--compute-only-profiles"));
        if (servedCosts != null) {
            args.addAll(List.of("--served-costs", servedCosts.toString()));
            if (!Double.isNaN(extraMsPerSequence)) {
                args.addAll(List.of("--extra-ms-per-sequence", String.format(Locale.ROOT, "%.4f",
                        extraMsPerSequence)));
            }
        }
        if (overheadMsPerToken > 0) {
            args.addAll(List.of("--request-overhead-ms-per-token", String.format(Locale.ROOT, "%.6f",
                    overheadMsPerToken)));
        }
        if (prefillCurve != null) {
            // the speed at each probed length stands in for the one scale
            args.addAll(List.of("--prefill-compute-scale-at", prefillCurve.toString()));
        } else if (prefillComputeScale != 1) {
            args.addAll(List.of("--prefill-compute-scale", String.format(Locale.ROOT, "%.4f",
                    prefillComputeScale)));
        }
        if (decodeComputeScale != 1) {
            args.addAll(List.of("--decode-compute-scale", String.format(Locale.ROOT, "%.4f",
                    decodeComputeScale)));
        }
        return List.copyOf(args);
    }
}
