package org.cornserve.cli.validate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.model.json.Json;

/**
 * The diagnoses beside a validation, no predictions: a replay simulated again at the speed its own served steps ran
 * ({@link #atServedSpeed}) and at the speed the machine's sensors read ({@link #atSensedSpeed}), which split the
 * error into the machine's drift and the model's own.
 */
public final class SpeedDiagnosis {
    private SpeedDiagnosis() {
    }

    /**
     * The diagnosis beside a validation: the replay simulated again with its LLM steps at the speed the served ones
     * ran, window by window ({@link SpeedTraces#speedTrace} of {@code out/measured/steps.csv}, written to {@code
     * out/served-speed.json}; the simulation in {@code out/simulated-at-served-speed}), {@code served}'s prefill curve
     * kept as a shape ({@link SpeedTraces#prefillShape}; validate passes the served steps' own and their round trip,
     * {@link #forServedSpeed}), everything else charged as in the validation; its rows
     * against the served replay. It reads the judged run's own steps, so it is no
     * prediction: it splits the validation's error into the machine's drift (what it removes) and the model's own.
     *
     * @param simulate the {@code simulate} command line without {@code --out} and the served charges
     */
    static List<Comparison.Row> atServedSpeed(List<String> simulate, Served served, Path out) throws IOException {
        return atServedSpeed(simulate, served, out, 1);
    }

    /**
     * As above for replay {@code k} of a validation with several ({@link Validation#replayDir}): its steps in {@code
     * measured-k/steps.csv}, its speed trace in {@code served-speed-k.json}, its simulation in {@code
     * simulated-at-served-speed-k} (no suffix for the first).
     */
    static List<Comparison.Row> atServedSpeed(List<String> simulate, Served served, Path out, int k)
            throws IOException {
        Path measured = Validation.replayDir(out.resolve("measured"), k);
        Path trace = out.resolve(k == 1 ? "served-speed.json" : "served-speed-" + k + ".json");
        Path simulated = Validation.replayDir(out.resolve("simulated-at-served-speed"), k);
        var shape = SpeedTraces.prefillShape(served.prefillCurve(), sliceOf(simulate));
        var decodeShape = SpeedTraces.servedDecodeCurve(List.of(measured.resolve("steps.csv")), 0,
                served.chargedExtraMsPerSequence());
        return simulateAtSpeed(simulate, served, shape, decodeShape, SpeedTraces.speedTrace(
                measured.resolve("steps.csv"), SpeedTraces.SPEED_WINDOW_S, served.chargedExtraMsPerSequence(),
                served.chargedPrefillAfterPrefillRatio(), shape, decodeShape), trace, simulated, measured);
    }

    /**
     * Writes {@code speed} to {@code traceFile}, simulates the replay at it into {@code simulated} (no compute scale,
     * prefills charged by {@code shape}, {@code served}'s prefill curve over the slice: {@link Served#atSpeedTrace})
     * and compares that with {@code measured}.
     */
    private static List<Comparison.Row> simulateAtSpeed(List<String> simulate, Served served,
            org.cornserve.model.profile.PrefillScaleCurve shape,
            org.cornserve.model.profile.PrefillScaleCurve decodeShape, org.cornserve.simulator.config.SpeedTrace speed,
            Path traceFile, Path simulated, Path measured)
            throws IOException {
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(traceFile.toFile(), speed);
        List<String> args = new ArrayList<>(simulate);
        args.addAll(List.of("--out", simulated.toString(), "--speed-trace", traceFile.toString(), "--step-log",
                simulated.resolve("step-log.csv").toString()));
        args.addAll(served.atSpeedTrace(shape).simulateArgs());
        if (decodeShape != null) {
            args.addAll(List.of("--decode-compute-scale-at", decodeShape.toString()));
        }
        Validation.cornserve(Validation.quiet(), Validation.quiet(), args.toArray(String[]::new));
        return Comparison.compareRuns(simulated, measured);
    }

    /**
     * The replay simulated at the machine's speed as its sensors read it ({@link MachineSpeed}): the served engine's
     * speed against the profile per sensed microsecond ({@link #sensorCalibration}, from the runs before this replay)
     * times the sensed step time in each of this replay's windows, the prefills' at its median over them ({@link
     * MachineSpeed#trace}; {@code sensed-speed.json}, {@code
     * sensed-speed-k.json}; the simulation in {@code simulated-at-sensed-speed[-k]}), everything else charged as in
     * {@link #atServedSpeed}. Nothing of this replay's served steps goes in. Call after {@link #atServedSpeed} of the
     * replays before it (their {@code served-speed*.json} calibrate it).
     *
     * @return its rows against the served replay, or null where the validation ran without sensors ({@code
     *     out/sensed.json} absent)
     */
    static List<Comparison.Row> atSensedSpeed(List<String> simulate, Served served, Path out, int k)
            throws IOException {
        Path spansFile = out.resolve("sensed.json");
        if (!Files.exists(spansFile)) {
            return null;
        }
        MachineSpeed.Spans spans = Json.read(spansFile, MachineSpeed.Spans.class);
        if (k > spans.replays().size()) {
            throw new IllegalArgumentException(spansFile + ": no span for replay " + k + " (it lists "
                    + spans.replays().size() + ")");
        }
        List<MachineSpeed.Reading> readings = MachineSpeed.readCsv(out.resolve("sensed.csv"));
        var shape = SpeedTraces.prefillShape(served.prefillCurve(), sliceOf(simulate));
        PriorSteps prior = priorSteps(out, spans, k);
        var decodeShape = SpeedTraces.servedDecodeCurve(prior.files(), prior.fromSeconds(),
                served.chargedExtraMsPerSequence());
        double[] perMicro = sensorCalibration(out, readings, spans, k, served.chargedExtraMsPerSequence(),
                served.chargedPrefillAfterPrefillRatio(), shape, decodeShape);
        return simulateAtSpeed(simulate, served, shape, decodeShape, MachineSpeed.trace(readings, spans.cpus(),
                spans.replays().get(k - 1), SpeedTraces.SPEED_WINDOW_S, perMicro[0], perMicro[1]),
                out.resolve(k == 1 ? "sensed-speed.json" : "sensed-speed-" + k + ".json"),
                Validation.replayDir(out.resolve("simulated-at-sensed-speed"), k),
                Validation.replayDir(out.resolve("measured"), k));
    }

    /**
     * Replay {@code k} of {@code runs} (from 1) as its served-speed diagnosis charges it: the control plane's round
     * trip its own served steps paid ({@link SpeedTraces#servedRoundTripMs}; the probe's idle steps paid less, 0.13
     * against 0.31 ms at the median in r36's first replay, experiments/validation-tails.md, section 20), and the
     * prefill shape of its own served steps' speed by length ({@link SpeedTraces#servedPrefillCurve} at the probes'
     * lengths), else the probes' curves pooled ({@link SpeedTraces#meanCurve}). The diagnosis reads the judged replay's
     * steps anyway.
     */
    static Served forServedSpeed(List<Served> runs, Path out, int k) throws IOException {
        Served served = runs.get(k - 1);
        Path steps = Validation.replayDir(out.resolve("measured"), k).resolve("steps.csv");
        double trip = Files.exists(steps) ? SpeedTraces.servedRoundTripMs(steps) : Double.NaN;
        if (!Double.isNaN(trip)) {
            served = served.withStepOverheadMs(trip);
        }
        if (served.prefillCurve() == null) {
            return served;
        }
        var own = SpeedTraces.servedPrefillCurve(List.of(steps), served.prefillCurve().tokens(), 0,
                served.chargedPrefillAfterPrefillRatio());
        return served.withPrefillCurve(own != null ? own : SpeedTraces.meanCurve(runs, k));
    }

    /**
     * Replay {@code k} with the prefill shape its sensed-speed prediction charges, from the runs before it as its
     * calibration ({@link #sensorCalibration}): the calibration replay's and the earlier replays' served steps by
     * length (without a calibration replay, the warm-up's later half for the first replay); else the probes' curves
     * pooled.
     */
    static Served forSensedSpeed(List<Served> runs, Path out, int k) throws IOException {
        Served served = runs.get(k - 1);
        Path spansFile = out.resolve("sensed.json");
        if (served.prefillCurve() == null || !Files.exists(spansFile)) {
            return served.withPrefillCurve(SpeedTraces.meanCurve(runs, k));
        }
        PriorSteps before = priorSteps(out, Json.read(spansFile, MachineSpeed.Spans.class), k);
        var prior = SpeedTraces.servedPrefillCurve(before.files(), served.prefillCurve().tokens(), before.fromSeconds(),
                served.chargedPrefillAfterPrefillRatio());
        return served.withPrefillCurve(prior != null ? prior : SpeedTraces.meanCurve(runs, k));
    }

    /** Served steps files, each read from {@code fromSeconds} of its run. */
    record PriorSteps(List<Path> files, double fromSeconds) {
    }

    /**
     * The served steps the sensed speed of replay {@code k} learns from, as its calibration ({@link
     * #sensorCalibration}): the calibration replay's (without one, the warm-up's later half for the first replay)
     * and the earlier replays'.
     */
    static PriorSteps priorSteps(Path out, MachineSpeed.Spans spans, int k) {
        List<Path> before = new ArrayList<>();
        double from = 0;
        if (spans.calibration() != null) {
            before.add(Validation.calibrationDir(out.resolve("measured")).resolve("steps.csv"));
        } else if (k == 1) {
            before.add(Validation.warmupDir(out.resolve("measured")).resolve("steps.csv"));
            from = (spans.warmup()[1] - spans.warmup()[0]) / 2;
        }
        for (int j = 1; j < k; j++) {
            before.add(Validation.replayDir(out.resolve("measured"), j).resolve("steps.csv"));
        }
        return new PriorSteps(List.copyOf(before), from);
    }

    /** The trace a {@code simulate} command line reads (its {@code --trace}). */
    private static Path sliceOf(List<String> simulate) {
        int i = simulate.indexOf("--trace");
        if (i < 0 || i + 1 >= simulate.size()) {
            throw new IllegalArgumentException("no --trace in " + simulate);
        }
        return Path.of(simulate.get(i + 1));
    }

    /**
     * The served engine's speed against the profile ({@link SpeedTraces#speedTrace}'s measure) per sensed microsecond,
     * prefills and decodes apart (the decodes' per sensed microsecond to the power {@link
     * MachineSpeed#DECODE_ELASTICITY}), from the runs before replay {@code k}: each {@value SpeedTraces#SPEED_WINDOW_S}
     * s window's served speed over its sensed step time, the median over all the windows of the calibration replay
     * (where one ran: {@code sensed.json}'s {@code calibration} span, its steps in {@code
     * measured-calibration/steps.csv}, charged by {@code prefillShape}) and of the earlier replays ({@code
     * served-speed*.json}). Without a calibration replay the first replay takes the warm-up's later half (its first
     * half has the executors' JIT at work; its requests are not the trace's, so its steps' mix is not the replay's: a
     * weaker calibration, 0.85 to 0.98 of the first replay's own decode speed per sensed microsecond over r8 to r15 of
     * 2026-12-05).
     *
     * @return {prefill, decode}
     * @throws IllegalArgumentException where the sensors read too little to calibrate on
     */
    static double[] sensorCalibration(Path out, List<MachineSpeed.Reading> readings, MachineSpeed.Spans spans, int k,
            double extraMsPerSequence, java.util.function.LongToDoubleFunction prefillShape) throws IOException {
        return sensorCalibration(out, readings, spans, k, extraMsPerSequence, 0, prefillShape);
    }

    /**
     * As above, the served steps charged by the after-prefill ratio of prefills too ({@link SpeedTraces#speedTrace}).
     */
    static double[] sensorCalibration(Path out, List<MachineSpeed.Reading> readings, MachineSpeed.Spans spans, int k,
            double extraMsPerSequence, double prefillAfterPrefillRatio,
            java.util.function.LongToDoubleFunction prefillShape) throws IOException {
        return sensorCalibration(out, readings, spans, k, extraMsPerSequence, prefillAfterPrefillRatio, prefillShape,
                null);
    }

    /**
     * As above, the served decode steps charged by {@code decodeShape} of their sequences too ({@link
     * SpeedTraces#speedTrace}).
     */
    static double[] sensorCalibration(Path out, List<MachineSpeed.Reading> readings, MachineSpeed.Spans spans, int k,
            double extraMsPerSequence, double prefillAfterPrefillRatio,
            java.util.function.LongToDoubleFunction prefillShape, java.util.function.LongToDoubleFunction decodeShape)
            throws IOException {
        if (k == 1 && spans.calibration() == null) {
            Path warmupSteps = Validation.warmupDir(out.resolve("measured")).resolve("steps.csv");
            double half = (spans.warmup()[1] - spans.warmup()[0]) / 2;
            org.cornserve.simulator.config.SpeedTrace served = SpeedTraces.speedTrace(warmupSteps, half,
                    extraMsPerSequence, prefillAfterPrefillRatio, prefillShape, decodeShape);
            int w = Math.min(1, served.decode().size() - 1);
            double sensed = MachineSpeed.sensedMicros(readings, spans.cpus(), spans.warmup()[0] + half,
                    spans.warmup()[1]);
            if (Double.isNaN(sensed)) {
                throw new IllegalArgumentException("the machine's speed sensors read too little during the warm-up's"
                        + " later half to calibrate on (" + out.resolve("sensed.csv") + ")");
            }
            return new double[] {served.prefill().get(w) / sensed,
                served.decode().get(w) / MachineSpeed.decodeResponse(sensed)};
        }
        List<Double> prefill = new ArrayList<>();
        List<Double> decode = new ArrayList<>();
        if (spans.calibration() != null) {
            Path calibration = Validation.calibrationDir(out.resolve("measured")).resolve("steps.csv");
            perSensedMicro(SpeedTraces.speedTrace(calibration, SpeedTraces.SPEED_WINDOW_S, extraMsPerSequence,
                    prefillAfterPrefillRatio, prefillShape, decodeShape), spans.calibration()[0], readings, spans,
                    prefill, decode);
        }
        for (int j = 1; j < k; j++) {
            Path file = out.resolve(j == 1 ? "served-speed.json" : "served-speed-" + j + ".json");
            perSensedMicro(org.cornserve.cli.simulate.SimulateCommand.readSpeedTrace(file),
                    spans.replays().get(j - 1)[0], readings, spans, prefill, decode);
        }
        if (decode.isEmpty()) {
            throw new IllegalArgumentException("the machine's speed sensors read too little during "
                    + (spans.calibration() == null ? "" : "the calibration replay" + (k > 1 ? " and " : ""))
                    + (k > 1 ? "replays 1 to " + (k - 1) : "") + " to calibrate on (" + out.resolve("sensed.csv")
                    + ")");
        }
        return new double[] {Validation.median(prefill.stream().mapToDouble(Double::doubleValue).toArray()),
                Validation.median(decode.stream().mapToDouble(Double::doubleValue).toArray())};
    }

    /** Each window of a served speed trace that began at {@code start} (sensors' seconds) over its sensed step time. */
    private static void perSensedMicro(org.cornserve.simulator.config.SpeedTrace served, double start,
            List<MachineSpeed.Reading> readings, MachineSpeed.Spans spans, List<Double> prefill, List<Double> decode) {
        for (int w = 0; w < served.decode().size(); w++) {
            double sensed = MachineSpeed.sensedMicros(readings, spans.cpus(), start + w * served.windowSeconds(),
                    start + (w + 1) * served.windowSeconds());
            if (!Double.isNaN(sensed)) {
                prefill.add(served.prefill().get(w) / sensed);
                decode.add(served.decode().get(w) / MachineSpeed.decodeResponse(sensed));
            }
        }
    }
}
