package org.cornserve.cli.validate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A served replay simulated as it was predicted before it ran, the way {@code demo} judges its replay and {@code
 * experiment run} its cases of engine {@code both}: the plan on the replayed slice at the levels read before the
 * replay (the probes, as a loaded replay runs them, blended with the warm-up's later half: {@link ServedBefore}), with
 * the measured profiles and the served costs. Nothing the replay itself measured is charged.
 */
public final class PredictedReplay {
    private PredictedReplay() {
    }

    /**
     * The prediction for the replay whose results are in {@code measured} (its warm-up's in {@code measured-warmup}
     * beside it, as {@link Validation#serveAndReplay} writes them).
     */
    static ServedBefore.Prediction of(Served served, Path measured, Path slice) throws IOException {
        return ServedBefore.blend(ServedBefore.ofWarmup(Validation.warmupDir(measured)),
                served.asProbed(false, true), slice);
    }

    /**
     * {@code simulate}'s arguments for {@code planFile} on {@code slice} under {@code prediction}, into {@code out}
     * (the slice simulated {@link Served#predictionPasses} times where the served costs draw).
     */
    static List<String> simulateArgs(ServedBefore.Prediction prediction, Path planFile, Path slice, String slo,
            Long seed, List<Path> profiles, Path out) {
        List<String> args = new ArrayList<>(List.of("simulate", "--plan", planFile.toString(), "--trace",
                slice.toString(), "--trace-format", "jsonl", "--slo", slo, "--out", out.toString()));
        if (seed != null) {
            args.addAll(List.of("--seed", Long.toString(seed)));
        }
        args.addAll(prediction.served().predictionArgs());
        args.add("--profiles");
        profiles.forEach(f -> args.add(f.toString()));
        return args;
    }

    /**
     * Simulates {@code planFile} on {@code slice} as predicted before the replay in {@code measured} ran, into {@code
     * simulated}, and compares: the rows, also written to {@code simulated/validation.json} (with the served
     * percentiles' intervals, and the comparison on requests that lived through no outside load where some did).
     *
     * @param served the replay's probes and steps, as {@link Validation#serveAndReplay} returned them, with the
     *     served costs the simulation charges
     * @param seed the simulation's seed (routers)
     * @param profiles the measured profiles (compute alone is charged, beside the served round trip)
     */
    public static List<Comparison.Row> judge(Served served, Path measured, Path planFile, Path slice,
            String slo, long seed, List<Path> profiles, Path simulated) throws IOException {
        ServedBefore.Prediction prediction = of(served, measured, slice);
        Validation.cornserve(Validation.quiet(), Validation.quiet(),
                simulateArgs(prediction, planFile, slice, slo, seed, profiles, simulated).toArray(String[]::new));
        List<Comparison.Row> rows = Comparison.compareRuns(simulated, measured);
        List<Comparison.Row> quiet = served.hostLoad().quietRows(simulated.resolve("requests.csv"),
                measured.resolve("requests.csv"), prediction.served().predictionPasses());
        ValidationFile.write(simulated.resolve("validation.json"), rows, quiet, served, profiles.get(0));
        return rows;
    }
}
