package org.cornserve.cli.validate;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.descriptive.moment.StandardDeviation;
import org.cornserve.model.json.Json;
import org.cornserve.simulator.config.SpeedTrace;

/**
 * What a replay's pace followed, window by window: the served decode level of each window ({@code served-speed-k.json},
 * measured compute over what the simulation charges) against the mean of each of {@code host.csv}'s columns over the
 * same window (outside load, hypervisor steal, the serving JVM's collector and compiler), as Pearson correlations.
 * Both clocks start at the replay's start. A validation whose replays swung with the host's steal missed by the
 * machine's neighbours, which no prediction made before the replay can know (experiments/validation-tails.md,
 * section 30).
 */
final class WindowHostReport {
    /** The {@code host.csv} columns a window's decode level is held against. */
    static final List<String> COLUMNS = List.of("steal_cores", "outside_cores", "gc_ms", "jit_ms");

    private WindowHostReport() {
    }

    /**
     * One replay: its windows with both a decode level and host readings, the decode level's standard deviation over
     * them, and its correlation with each of {@link #COLUMNS} (NaN where a column never moved).
     */
    record Replay(Path measured, int windows, double levelSd, Map<String, Double> correlation) {
        String line() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s: %d windows, decode level SD %.3f;"
                    + " correlation with", measured, windows, levelSd));
            correlation.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %+.2f", k, v)));
            return sb.toString();
        }
    }

    /** Every replay of a validate output folder that kept its speed trace and host readings. */
    static List<Replay> of(Path run) throws IOException {
        List<Replay> out = new ArrayList<>();
        Path measured = run.resolve("measured");
        for (int k = 1; Files.isDirectory(Validation.replayDir(measured, k)); k++) {
            Path replay = Validation.replayDir(measured, k);
            Path speed = run.resolve(k == 1 ? "served-speed.json" : "served-speed-" + k + ".json");
            Path host = replay.resolve("host.csv");
            if (Files.isRegularFile(speed) && Files.isRegularFile(host)) {
                out.add(replay(replay, Json.mapper().readValue(speed.toFile(), SpeedTrace.class), host));
            }
        }
        return out;
    }

    static Replay replay(Path measured, SpeedTrace speed, Path hostCsv) throws IOException {
        List<String> lines = Files.readAllLines(hostCsv);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(hostCsv + ": empty, expected a header t_ms," + String.join(",", COLUMNS));
        }
        List<String> header = List.of(lines.get(0).split(","));
        int t = header.indexOf("t_ms");
        int[] at = COLUMNS.stream().mapToInt(header::indexOf).toArray();
        if (t < 0 || java.util.Arrays.stream(at).anyMatch(i -> i < 0)) {
            throw new IllegalArgumentException(hostCsv + ": header " + header + " lacks t_ms or one of " + COLUMNS);
        }
        int windows = speed.decode().size();
        double[][] sums = new double[COLUMNS.size()][windows];
        int[] readings = new int[windows];
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] f = lines.get(i).split(",");
            int w;
            try {
                w = (int) Math.floor(Double.parseDouble(f[t]) / 1e3 / speed.windowSeconds());
                if (w < 0 || w >= windows) {
                    continue;
                }
                for (int c = 0; c < at.length; c++) {
                    sums[c][w] += f[at[c]].isEmpty() ? 0 : Double.parseDouble(f[at[c]]);
                }
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException(hostCsv + " line " + (i + 1) + ": '" + lines.get(i) + "' is not "
                        + header.size() + " numbers", e);
            }
            readings[w]++;
        }
        List<Integer> kept = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            if (readings[w] > 0 && !Double.isNaN(speed.decode().get(w))) {
                kept.add(w);
            }
        }
        double[] level = kept.stream().mapToDouble(w -> speed.decode().get(w)).toArray();
        Map<String, Double> correlation = new LinkedHashMap<>();
        for (int c = 0; c < COLUMNS.size(); c++) {
            int col = c;
            double[] mean = kept.stream().mapToDouble(w -> sums[col][w] / readings[w]).toArray();
            correlation.put(COLUMNS.get(c), level.length < 3 || constant(mean) || constant(level) ? Double.NaN
                    : new PearsonsCorrelation().correlation(level, mean));
        }
        return new Replay(measured, level.length, level.length < 2 ? Double.NaN
                : new StandardDeviation(false).evaluate(level), correlation);
    }

    private static boolean constant(double[] v) {
        return java.util.Arrays.stream(v).allMatch(x -> x == v[0]);
    }

    static void print(List<Path> runs, PrintStream out) throws IOException {
        for (Path run : runs) {
            List<Replay> replays = of(run);
            if (replays.isEmpty()) {
                out.println(run + ": no replay kept both served-speed-k.json and host.csv");
            }
            replays.forEach(r -> out.println(r.line()));
        }
    }
}
