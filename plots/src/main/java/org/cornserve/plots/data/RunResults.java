package org.cornserve.plots.data;

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

    /** Reads a run folder; {@code fallbackName} names it when it holds no plan. */
    public static RunResults read(Path dir, String fallbackName) {
        RunSummary summary = Json.read(dir.resolve("summary.json"), RunSummary.class);
        Path planFile = dir.resolve("plan.json");
        DeploymentPlan plan = Files.isRegularFile(planFile) ? DeploymentPlan.read(planFile) : null;
        List<double[]> latencies = latencies(dir.resolve("requests.csv"));
        Path queuesFile = dir.resolve("queues.csv");
        QueueSeries queues = Files.isRegularFile(queuesFile) ? queues(queuesFile) : null;
        return new RunResults(plan != null ? plan.name() : fallbackName, dir, summary, latencies.get(0),
                latencies.get(1), queues, plan);
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

    /** Reads every run folder among {@code dirs}; names are their paths relative to {@code root}. */
    public static List<RunResults> readAll(Path root, List<Path> dirs) {
        List<RunResults> out = new ArrayList<>();
        for (Path d : dirs) {
            String rel = root.relativize(d).toString();
            out.add(read(d, rel.isEmpty() ? d.getFileName().toString() : rel));
        }
        return out;
    }
}
