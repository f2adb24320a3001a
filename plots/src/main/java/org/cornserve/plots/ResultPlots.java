package org.cornserve.plots;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.cornserve.model.json.Json;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.plots.data.CapacitySweep;
import org.cornserve.plots.data.CompareRow;
import org.cornserve.plots.data.HeadlineRow;
import org.cornserve.plots.data.ResultFileException;
import org.cornserve.plots.data.RunResults;
import org.cornserve.plots.data.ValidationRow;
import org.cornserve.plots.figure.AllocationFigure;
import org.cornserve.plots.figure.CompareFigure;
import org.cornserve.plots.figure.Figure;
import org.cornserve.plots.figure.ExperimentFigure;
import org.cornserve.plots.figure.HeadlineFigure;
import org.cornserve.plots.figure.LatencyCdfFigure;
import org.cornserve.plots.figure.QueueLengthFigure;
import org.cornserve.plots.figure.StageBreakdownFigure;
import org.cornserve.plots.figure.SweepFigure;
import org.cornserve.plots.figure.ValidationFigure;

/**
 * Finds the result files under a folder (to {@value #MAX_DEPTH} levels down) and draws every figure they allow:
 * <ul>
 *   <li>run folders ({@code summary.json} + {@code requests.csv}, from {@code simulate} or {@code replay}):
 *       TTFT and end-to-end latency CDFs with one line per run (a validation's warm-up, calibration and probe
 *       replays left out, {@link RunResults#isAuxiliary}), and per run its stage breakdown and queue lengths;</li>
 *   <li>plans ({@code plan.json} in run folders, any JSON under a {@code plans} folder): device allocation, one
 *       figure per set of plans serving the same models on the same cluster size;</li>
 *   <li>{@code compare.json}: latency percentiles and throughput per plan;</li>
 *   <li>{@code results.json} (the headline): capacity relative to the monolith, P99 latency at equal load;</li>
 *   <li>{@code capacity.json}: attainment, goodput and tail latency against load;</li>
 *   <li>{@code validation.json}: simulated against measured, and the relative errors;</li>
 *   <li>an experiment's {@code summary.json} (beside its {@code spec.resolved.json}): each metric against load with
 *       its interval over seeds, and its {@code errors.json}: the simulator's error against the runtime.</li>
 * </ul>
 * Figures from a file in a subfolder get the subfolder's name as a prefix, so several compare or capacity folders
 * under one root do not overwrite each other.
 */
public final class ResultPlots {
    static final int MAX_DEPTH = 4;
    /** Most plans in one allocation figure; larger sets are split. */
    static final int PLANS_PER_FIGURE = 12;

    private ResultPlots() {
    }

    /** What was drawn: the figures and the files written. */
    public record Drawn(List<Figure> figures, List<Path> files) {
    }

    /** The figures the folder's results allow, without writing anything. */
    public static List<Figure> figures(Path root) {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("no such folder: " + root);
        }
        List<Path> files = files(root);
        List<Figure> out = new ArrayList<>();
        List<Path> runDirs = files.stream().filter(f -> f.getFileName().toString().equals("summary.json"))
                .map(Path::getParent).filter(RunResults::isRunFolder).sorted().toList();
        List<RunResults> runs = RunResults.readAll(root, runDirs);
        if (!runs.isEmpty()) {
            // the CDFs compare plans: a validation's warm-up, calibration and probe replays get their own stage
            // figures only
            List<RunResults> compared = runs.stream().filter(r -> !RunResults.isAuxiliary(root, r.dir())).toList();
            for (LatencyCdfFigure.Metric m : LatencyCdfFigure.Metric.values()) {
                add(out, LatencyCdfFigure.of(compared, m));
            }
            for (RunResults run : runs) {
                add(out, StageBreakdownFigure.of(run));
                add(out, QueueLengthFigure.of(run));
            }
        }
        plans(root, files, out);
        for (Path f : files) {
            String name = f.getFileName().toString();
            String prefix = prefix(root, f);
            switch (name) {
                case "compare.json" -> {
                    List<CompareRow> rows = Json.read(f, new TypeReference<List<CompareRow>>() { });
                    if (!rows.isEmpty()) {
                        out.add(renamed(prefix, CompareFigure.latency(rows, "time to first token", "compare-ttft",
                                CompareRow::ttftMs)));
                        out.add(renamed(prefix, CompareFigure.latency(rows, "end-to-end latency", "compare-e2e",
                                CompareRow::e2eMs)));
                        out.add(renamed(prefix, CompareFigure.throughput(rows)));
                    }
                }
                case "results.json" -> {
                    if (looksLike(f, "capacity_rps")) {
                        List<HeadlineRow> rows = Json.read(f, new TypeReference<List<HeadlineRow>>() { });
                        for (Figure fig : HeadlineFigure.perCase(rows)) {
                            out.add(renamed(prefix, fig));
                        }
                    }
                }
                case "capacity.json" -> {
                    CapacitySweep sweep = Json.read(f, CapacitySweep.class);
                    if (!sweep.probes().isEmpty()) {
                        out.add(renamed(prefix, SweepFigure.attainment(sweep)));
                        out.add(renamed(prefix, SweepFigure.goodput(sweep)));
                        out.add(renamed(prefix, SweepFigure.latency(sweep)));
                    }
                }
                case "summary.json", "errors.json" -> {
                    if (!Files.exists(f.resolveSibling("spec.resolved.json"))) {
                        break; // a run folder's summary (drawn above), not an experiment's: not read twice
                    }
                    JsonNode doc = Json.read(f, JsonNode.class);
                    if (ExperimentFigure.isSummary(doc)) {
                        ExperimentFigure.metrics(doc, confidencePercent(f)).forEach(fig -> out.add(renamed(prefix, fig)));
                    } else if (ExperimentFigure.isErrors(doc)) {
                        ExperimentFigure.errors(doc, confidencePercent(f)).forEach(fig -> out.add(renamed(prefix, fig)));
                    }
                }
                case "validation.json" -> {
                    List<ValidationRow> rows = validationRows(f);
                    out.add(renamed(prefix, ValidationFigure.values(rows)));
                    out.add(renamed(prefix, ValidationFigure.errors(rows)));
                }
                default -> {
                }
            }
        }
        return out;
    }

    /** Draws every figure of {@code root}'s results into {@code outDir}. */
    public static Drawn draw(Path root, Path outDir) {
        List<Figure> figures = figures(root);
        List<Path> written = new ArrayList<>();
        for (Figure f : figures) {
            written.addAll(FigureWriter.write(f, outDir));
        }
        return new Drawn(figures, written);
    }

    private static void plans(Path root, List<Path> files, List<Figure> out) {
        Map<String, List<DeploymentPlan>> groups = new LinkedHashMap<>();
        for (Path f : files) {
            boolean inRun = f.getFileName().toString().equals("plan.json");
            boolean inPlans = f.getParent() != null && f.getParent().getFileName() != null
                    && f.getParent().getFileName().toString().equals("plans") && f.toString().endsWith(".json");
            if (inRun || inPlans) {
                DeploymentPlan p = DeploymentPlan.read(f);
                String key = String.join(" + ", p.models()) + " on " + p.cluster().totalDevices() + " devices";
                List<DeploymentPlan> group = groups.computeIfAbsent(key, k -> new ArrayList<>());
                if (!group.contains(p)) {
                    group.add(p); // the same plan often sits beside several runs
                }
            }
        }
        for (Map.Entry<String, List<DeploymentPlan>> g : groups.entrySet()) {
            List<DeploymentPlan> plans = g.getValue();
            for (int from = 0, part = 1; from < plans.size(); from += PLANS_PER_FIGURE, part++) {
                List<DeploymentPlan> chunk = plans.subList(from, Math.min(plans.size(), from + PLANS_PER_FIGURE));
                String suffix = plans.size() > PLANS_PER_FIGURE ? "-" + part : "";
                add(out, AllocationFigure.of("Device allocation: " + g.getKey(), chunk,
                        "allocation-" + Figure.slug(g.getKey()) + suffix));
            }
        }
    }

    /** validation.json: an array of rows, or an object holding one (the first array of objects with a metric). */
    static List<ValidationRow> validationRows(Path f) {
        JsonNode doc = Json.read(f, JsonNode.class);
        JsonNode rows = doc.isArray() ? doc : null;
        if (rows == null) {
            for (JsonNode v : doc) {
                if (v.isArray() && v.size() > 0 && v.get(0).has("metric")) {
                    rows = v;
                    break;
                }
            }
        }
        if (rows == null || rows.isEmpty()) {
            throw new ResultFileException(f, 0, "expected rows with keys metric, simulated, measured, error");
        }
        List<ValidationRow> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            JsonNode r = rows.get(i);
            for (String key : new String[] {"metric", "simulated", "measured"}) {
                if (!r.has(key)) {
                    throw new ResultFileException(f, 0, "row " + i + " has no '" + key + "'");
                }
            }
            out.add(new ValidationRow(r.get("metric").asText(), r.get("simulated").asDouble(),
                    r.get("measured").asDouble(), r.hasNonNull("error") ? r.get("error").asDouble() : null));
        }
        return out;
    }

    /** The confidence of an experiment's intervals, from {@code spec.resolved.json} beside its results (else 95). */
    static int confidencePercent(Path resultFile) {
        Path spec = resultFile.resolveSibling("spec.resolved.json");
        if (Files.isRegularFile(spec)) {
            double c = Json.read(spec, JsonNode.class).path("confidence").asDouble(0.95);
            if (c > 0 && c < 1) {
                return (int) Math.round(100 * c);
            }
        }
        return 95;
    }

    private static boolean looksLike(Path f, String field) {
        JsonNode doc = Json.read(f, JsonNode.class);
        return doc.isArray() && doc.size() > 0 && doc.get(0).has(field);
    }

    private static String prefix(Path root, Path file) {
        Path rel = root.relativize(file.getParent());
        return rel.toString().isEmpty() ? "" : Figure.slug(rel.toString()) + "-";
    }

    private static Figure renamed(String prefix, Figure f) {
        return f == null || prefix.isEmpty() ? f : new Figure(prefix + f.stem(), f.chart());
    }

    private static void add(List<Figure> out, Figure f) {
        if (f != null) {
            out.add(f);
        }
    }

    private static List<Path> files(Path root) {
        try (Stream<Path> s = Files.walk(root, MAX_DEPTH)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
    }
}
