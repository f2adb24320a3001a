package org.cornserve.plots.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.DeploymentPlan;

/**
 * One run's result folder, as {@code cornserve simulate} or {@code cornserve replay} writes it: the summary, the
 * latencies of every completed request (from {@code requests.csv}), the queue series when there is one and the
 * plan when the folder holds it.
 *
 * @param name what the figures call the run: the plan's name, else the folder's
 * @param ttftMs completed requests' time to first token, in file order
 * @param e2eMs completed requests' end-to-end latency, in file order
 * @param queues the queue series, or null (a replay has none)
 * @param plan the plan, or null
 */
public record RunResults(String name, Path dir, RunSummary summary, double[] ttftMs, double[] e2eMs,
        QueueSeries queues, DeploymentPlan plan) {

    /** Whether a folder looks like a run's results. */
    public static boolean isRunFolder(Path dir) {
        return Files.isRegularFile(dir.resolve("summary.json")) && Files.isRegularFile(dir.resolve("requests.csv"));
    }

    /** The probes' folders end so ({@code measured-probe}, {@code shape-probe}); {@code validate} names them by it. */
    public static final String PROBE_SUFFIX = "-probe";
    /** The JIT warm-up replay's folder ends so ({@code measured-warmup}). */
    public static final String WARMUP_SUFFIX = "-warmup";
    /** The calibration replay's folder ends so ({@code measured-calibration}). */
    public static final String CALIBRATION_SUFFIX = "-calibration";

    /**
     * Folder names that end so hold a validation's auxiliary replays, not a plan's run: {@code validate} and {@code
     * demo} write the JIT warm-up ({@code measured-warmup}), the calibration replay ({@code measured-calibration})
     * and the probes ({@code measured-probe}, {@code measured-2-probe}, their {@code shape-probe}, {@code
     * decode-probe} and {@code batch-probe}) so.
     */
    public static final List<String> AUXILIARY_SUFFIXES = List.of(PROBE_SUFFIX, WARMUP_SUFFIX, CALIBRATION_SUFFIX);

    /**
     * Whether run folder {@code dir} is one of a validation's auxiliary replays: a folder between {@code root}
     * (left out) and {@code dir} (counted) is named with one of {@link #AUXILIARY_SUFFIXES}.
     */
    public static boolean isAuxiliary(Path root, Path dir) {
        for (Path part : root.toAbsolutePath().normalize().relativize(dir.toAbsolutePath().normalize())) {
            String name = part.toString();
            if (AUXILIARY_SUFFIXES.stream().anyMatch(name::endsWith)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads a run folder. Its name is its plan's ({@code plan.json} in it: a simulation); where {@code servedName},
     * for a replay ({@code config.json} with the server's {@code url}) beside the plan it served ({@code plan.json} in
     * the folder above, serving the app or model the replay called, as {@code validate} and {@code demo} keep them),
     * that plan's name and ", served"; else {@code fallbackName}.
     */
    static RunResults read(Path dir, String fallbackName, boolean servedName) {
        RunSummary summary = Json.read(dir.resolve("summary.json"), RunSummary.class);
        Path planFile = dir.resolve("plan.json");
        DeploymentPlan plan = Files.isRegularFile(planFile) ? DeploymentPlan.read(planFile) : null;
        List<double[]> latencies = latencies(dir.resolve("requests.csv"));
        Path queuesFile = dir.resolve("queues.csv");
        QueueSeries queues = Files.isRegularFile(queuesFile) ? queues(queuesFile) : null;
        String name = plan != null ? plan.name() : servedName ? servedPlanName(dir) : null;
        return new RunResults(name != null ? name : fallbackName, dir, summary, latencies.get(0), latencies.get(1),
                queues, plan);
    }

    /** The name of the plan a replay folder served, and ", served"; null where the folder does not say. */
    private static String servedPlanName(Path dir) {
        Path config = dir.resolve("config.json");
        Path parent = dir.toAbsolutePath().normalize().getParent();
        if (!Files.isRegularFile(config) || parent == null || !Files.isRegularFile(parent.resolve("plan.json"))) {
            return null;
        }
        JsonNode c = Json.read(config, JsonNode.class);
        if (!c.hasNonNull("url")) {
            return null; // not a replay
        }
        DeploymentPlan served = DeploymentPlan.read(parent.resolve("plan.json"));
        boolean callsIt = served.models().contains(c.path("app").asText())
                || served.models().contains(c.path("model").asText());
        return callsIt ? served.name() + ", served" : null;
    }

    private static List<double[]> latencies(Path file) {
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String header = r.readLine();
            if (header == null) {
                throw new ResultFileException(file, 1, "empty file, expected a header");
            }
            List<String> columns = Csv.split(header);
            int status = column(file, columns, "status");
            int ttft = column(file, columns, "ttft_ms");
            int e2e = column(file, columns, "e2e_ms");
            DoubleList t = new DoubleList();
            DoubleList e = new DoubleList();
            int lineNo = 1;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = Csv.split(line);
                if (f.size() < columns.size()) {
                    throw new ResultFileException(file, lineNo, "expected " + columns.size() + " fields, got " + f.size());
                }
                if (!f.get(status).equals("completed")) {
                    continue;
                }
                t.add(number(file, lineNo, "ttft_ms", f.get(ttft)));
                e.add(number(file, lineNo, "e2e_ms", f.get(e2e)));
            }
            return List.of(t.toArray(), e.toArray());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static QueueSeries queues(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            if (lines.isEmpty()) {
                throw new ResultFileException(file, 1, "empty file, expected a header");
            }
            List<String> header = Csv.split(lines.get(0));
            if (!header.get(0).equals("time_ns")) {
                throw new ResultFileException(file, 1, "first column must be time_ns, got " + header.get(0));
            }
            int rows = (int) lines.stream().skip(1).filter(l -> !l.isBlank()).count();
            double[] time = new double[rows];
            double[][] len = new double[header.size() - 1][rows];
            int i = 0;
            for (int n = 1; n < lines.size(); n++) {
                if (lines.get(n).isBlank()) {
                    continue;
                }
                List<String> f = Csv.split(lines.get(n));
                if (f.size() != header.size()) {
                    throw new ResultFileException(file, n + 1, "expected " + header.size() + " fields, got " + f.size());
                }
                time[i] = number(file, n + 1, "time_ns", f.get(0)) / 1e9;
                for (int d = 0; d < len.length; d++) {
                    len[d][i] = number(file, n + 1, header.get(d + 1), f.get(d + 1));
                }
                i++;
            }
            return new QueueSeries(time, header.subList(1, header.size()), len);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static int column(Path file, List<String> columns, String name) {
        int i = columns.indexOf(name);
        if (i < 0) {
            throw new ResultFileException(file, 1, "no column " + name + " in the header " + columns);
        }
        return i;
    }

    private static double number(Path file, int line, String field, String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException ex) {
            throw new ResultFileException(file, line, "field " + field + " is not a number: '" + text + "'");
        }
    }

    /** A growable array of doubles. */
    private static final class DoubleList {
        private double[] a = new double[1024];
        private int n;

        void add(double v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        double[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }

    @Override
    public String toString() {
        return "RunResults[" + name + ", " + dir + ", " + ttftMs.length + " completed]";
    }

    /**
     * Reads every run folder among {@code dirs}, each named as {@link #read} says (a validation's auxiliary replays,
     * {@link #isAuxiliary}, by their paths relative to {@code root}); a name that several runs would share (a
     * validation's replays of one plan, simulated and served) takes each one's path after it, so that no run's figure
     * overwrites another's.
     */
    public static List<RunResults> readAll(Path root, List<Path> dirs) {
        List<RunResults> out = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (Path d : dirs) {
            String rel = root.relativize(d).toString();
            String path = rel.isEmpty() ? d.getFileName().toString() : rel;
            paths.add(path);
            out.add(read(d, path, !isAuxiliary(root, d)));
        }
        java.util.Map<String, Long> uses = out.stream().collect(java.util.stream.Collectors.groupingBy(
                RunResults::name, java.util.stream.Collectors.counting()));
        for (int i = 0; i < out.size(); i++) {
            RunResults r = out.get(i);
            if (uses.get(r.name()) > 1 && !r.name().equals(paths.get(i))) {
                out.set(i, new RunResults(r.name() + " (" + paths.get(i) + ")", r.dir(), r.summary(), r.ttftMs(),
                        r.e2eMs(), r.queues(), r.plan()));
            }
        }
        return out;
    }
}
