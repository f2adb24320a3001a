package org.cornserve.cli.validate;

import java.nio.file.Path;

/**
 * How {@link Validation#serveAndReplay} runs a served plan: the replays and what comes before them.
 *
 * @param calibration a trace replayed after the warm-up and not judged, the sensed speed's calibration on the trace's
 *     own mix ({@link ProbeTraces#writeCalibrationTrace}); null for none
 * @param replays how many times the slice is probed for and replayed on the same server, at least 1
 * @param sense whether the machine's speed sensors ({@link MachineSpeed}) read through the warm-up and the replays
 * @param probes how many requests each probe sends
 * @param quietMaxMs the longest wait for a quiet host before the calibration and each replay's probes and replay, ms
 *     (0: after one half-second reading)
 */
public record ServeRun(Path calibration, int replays, boolean sense, ProbeCounts probes, long quietMaxMs) {

    /** One replay, no calibration or sensors, the default probes and quiet wait: the demo's. */
    public static final ServeRun ONCE = new ServeRun(null, 1, false, ProbeCounts.DEFAULT, Validation.QUIET_MAX_MS);

    public ServeRun {
        if (replays < 1) {
            throw new IllegalArgumentException("--replays must be at least 1, got " + replays);
        }
        if (quietMaxMs < 0) {
            throw new IllegalArgumentException("the wait for a quiet host must be 0 or more ms, got " + quietMaxMs);
        }
        if (probes == null) {
            throw new IllegalArgumentException("probe counts: none given");
        }
    }

    /** One replay with {@code probes} and {@code quietMaxMs}, no calibration or sensors: an experiment case's. */
    public static ServeRun once(ProbeCounts probes, long quietMaxMs) {
        return new ServeRun(null, 1, false, probes, quietMaxMs);
    }
}
