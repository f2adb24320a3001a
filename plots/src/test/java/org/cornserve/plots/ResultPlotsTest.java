package org.cornserve.plots;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.cornserve.plots.data.ResultFileException;
import org.cornserve.plots.figure.Charts;
import org.cornserve.plots.figure.Figure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.w3c.dom.Document;

/**
 * Figures drawn from hand-written result files: the files are written and read back (PNG decodes at the expected
 * size, SVG is XML), and every series carries the input's numbers (CDF points are the exact empirical quantiles,
 * bars the file's values).
 */
class ResultPlotsTest {
    @TempDir
    Path tmp;

    private static final String PLAN = """
            {"name": "%s", "strategy": "%s", "seed": 1, "models": ["qwen2.5-vl-7b"],
             "cluster": {"node_groups": [{"hardware": "h100-sxm", "nodes": 1, "devices_per_node": 8}],
              "intra_node": {"bytes_per_second": 9e11, "latency_us": 5},
              "inter_node": {"bytes_per_second": 5e10, "latency_us": 10}},
             "deployments": [%s]}""";

    private static String plan(String name, String strategy, String deployments) {
        return PLAN.formatted(name, strategy, deployments);
    }

    /** A run folder whose completed requests have the given latencies (ms); one rejected request. */
    private Path run(String folder, String planJson, double[] ttft, double[] e2e) throws IOException {
        Path dir = tmp.resolve("results").resolve(folder);
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder("request_id,app,status,arrival_ns,first_output_ns,completion_ns,ttft_ms,"
                + "tpot_ms,e2e_ms,input_tokens,output_tokens,reason,stages,first_audio_ns,audio_seconds\n");
        for (int i = 0; i < ttft.length; i++) {
            csv.append(String.format(Locale.ROOT, "%d,\"chat, v2\",completed,0,1,2,%s,1.0,%s,10,5,,x|0|1|2,,%n", i,
                    ttft[i], e2e[i]));
        }
        csv.append(ttft.length).append(",chat,rejected,0,-1,-1,,,,10,5,\"queue full, 12\",x|0|-1|-1,,\n");
        Files.writeString(dir.resolve("requests.csv"), csv);
        Files.writeString(dir.resolve("summary.json"), """
                {"requests": %d, "completed": %d, "rejected": 1, "simulated_seconds": 10, "throughput_rps": 2,
                 "goodput_rps": 1.5, "slo_attainment": 0.75,
                 "ttft_ms": {"mean": 1, "p50": 1, "p90": 1, "p95": 1, "p99": 1, "count": 1},
                 "tpot_ms": {"mean": 1, "p50": 1, "p90": 1, "p95": 1, "p99": 1, "count": 1},
                 "e2e_ms": {"mean": 1, "p50": 1, "p90": 1, "p95": 1, "p99": 1, "count": 1},
                 "stages": [
                   {"task": "qwen2.5-vl-7b/vision-encoder", "invocations": 7,
                    "queue_ms": {"mean": 3.5, "p50": 1, "p90": 1, "p95": 1, "p99": 1, "count": 7},
                    "run_ms": {"mean": 12.25, "p50": 1, "p90": 1, "p95": 1, "p99": 1, "count": 7}},
                   {"task": "qwen2.5-vl-7b/llm", "invocations": 9,
                    "queue_ms": {"mean": 40, "p50": 1, "p90": 1, "p95": 1, "p99": 1, "count": 9},
                    "run_ms": {"mean": 800, "p50": 1, "p90": 1, "p95": 1, "p99": 1, "count": 9}}]}
                """.formatted(ttft.length + 1, ttft.length));
        Files.writeString(dir.resolve("queues.csv"), "time_ns,vision,llm\n0,0,1\n1000000000,2,5\n2000000000,1,3\n");
        if (planJson != null) {
            Files.writeString(dir.resolve("plan.json"), planJson);
        }
        return dir;
    }

    private static Map<String, Figure> byStem(List<Figure> figures) {
        return figures.stream().collect(Collectors.toMap(Figure::stem, Function.identity()));
    }

    private static double[] random(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = Math.round(scale * Math.exp(2 * r.nextGaussian()) * 1000) / 1000.0;
        }
        return a;
    }

    /**
     * A demo's or validation's folder: the plan simulated, the plan served (a replay beside the plan it served), and
     * the warm-up, calibration and probe replays. The CDFs compare the simulated and the served run only, the served
     * one named after its plan; every run still gets its stage figure.
     */
    @Test
    void aValidationsWarmUpCalibrationAndProbesStayOutOfTheCdfs() throws IOException {
        String mono = plan("vl mono", "monolithic", """
                {"name": "all", "tasks": ["qwen2.5-vl-7b/vision-encoder", "qwen2.5-vl-7b/llm"], "hardware": "h100-sxm",
                 "replicas": 8}""");
        run("planned/simulated", mono, random(1, 200, 20), random(2, 200, 900));
        Files.writeString(tmp.resolve("results/planned/plan.json"), mono);
        String replay = "{\"url\": \"http://127.0.0.1:1\", \"app\": \"%s\"}";
        for (String folder : List.of("measured", "measured-2", "measured-warmup", "measured-calibration",
                "measured-probe", "measured-probe/shape-probe", "measured-2-probe/decode-probe", "other")) {
            Path dir = run("planned/" + folder, null, random(3, 50, 20), random(4, 50, 900));
            Files.writeString(dir.resolve("config.json"), replay.formatted(folder.equals("other") ? "another-model"
                    : "qwen2.5-vl-7b"));
        }
        Map<String, Figure> f = byStem(ResultPlots.figures(tmp.resolve("results")));
        for (String stem : List.of("latency-cdf-ttft", "latency-cdf-e2e")) {
            // two replays of one plan: each named with its folder too
            assertEquals(Set.of("planned/other (50)", "vl mono (200)", "vl mono, served (planned/measured) (50)",
                    "vl mono, served (planned/measured-2) (50)"),
                    ((XYChart) f.get(stem).chart()).getSeriesMap().keySet(), stem);
        }
        List<String> stages = List.of("vl mono", "vl mono, served (planned/measured)",
                "vl mono, served (planned/measured-2)", "planned/measured-warmup", "planned/measured-calibration",
                "planned/measured-probe", "planned/measured-probe/shape-probe", "planned/measured-2-probe/decode-probe",
                "planned/other").stream().map(n -> "stages-" + Figure.slug(n)).toList();
        assertEquals(stages.size(), stages.stream().distinct().count());
        assertTrue(f.keySet().containsAll(stages), f.keySet().toString());
        // a folder is auxiliary by the folders below the root only: a probe folder plotted on its own has its CDFs
        assertTrue(ResultPlots.figures(tmp.resolve("results/planned/measured-probe")).stream()
                .anyMatch(g -> g.stem().equals("latency-cdf-ttft")));
    }

    @Test
    void runFoldersGiveCdfsStagesQueuesAndAllocation() throws IOException {
        double[] ttftA = random(1, 500, 20);
        double[] e2eA = random(2, 500, 900);
        double[] ttftB = random(3, 300, 50);
        double[] e2eB = random(4, 300, 2000);
        run("a", plan("vl split", "encoder-split", """
                {"name": "vision", "tasks": ["qwen2.5-vl-7b/vision-encoder"], "hardware": "h100-sxm", "replicas": 2},
                {"name": "llm", "tasks": ["qwen2.5-vl-7b/llm"], "hardware": "h100-sxm", "devices_per_replica": 2,
                 "replicas": 3}"""), ttftA, e2eA);
        run("b", plan("vl mono", "monolithic", """
                {"name": "all", "tasks": ["qwen2.5-vl-7b/vision-encoder", "qwen2.5-vl-7b/llm"], "hardware": "h100-sxm",
                 "replicas": 8}"""), ttftB, e2eB);
        Path out = tmp.resolve("plots");
        ResultPlots.Drawn drawn = ResultPlots.draw(tmp.resolve("results"), out);
        Map<String, Figure> f = byStem(drawn.figures());
        assertEquals(List.of("latency-cdf-ttft", "latency-cdf-e2e", "stages-vl-split", "queues-vl-split",
                "stages-vl-mono", "queues-vl-mono", "allocation-qwen2.5-vl-7b-on-8-devices"),
                drawn.figures().stream().map(Figure::stem).toList());

        XYChart ttft = (XYChart) f.get("latency-cdf-ttft").chart();
        checkCdf(ttft.getSeriesMap().get("split (500)"), ttftA);
        checkCdf(ttft.getSeriesMap().get("mono (300)"), ttftB);
        checkCdf(((XYChart) f.get("latency-cdf-e2e").chart()).getSeriesMap().get("mono (300)"), e2eB);
        assertTrue(ttft.getStyler().isXAxisLogarithmic(), "lognormal latencies span decades");

        CategoryChart stages = (CategoryChart) f.get("stages-vl-split").chart();
        assertEquals(List.of("vision-encoder (7)", "llm (9)"), new ArrayList<>(stages.getSeriesMap().get("queued").getXData()));
        assertEquals(List.of(3.5, 40.0), numbers(stages.getSeriesMap().get("queued")));
        assertEquals(List.of(12.25, 800.0), numbers(stages.getSeriesMap().get("running")));
        assertTrue(stages.getStyler().isStacked());

        XYSeries llmQueue = ((XYChart) f.get("queues-vl-split").chart()).getSeriesMap().get("llm");
        assertArrayEquals(new double[] {0, 1, 2}, llmQueue.getXData());
        assertArrayEquals(new double[] {1, 5, 3}, llmQueue.getYData());

        CategoryChart alloc = (CategoryChart) f.get("allocation-qwen2.5-vl-7b-on-8-devices").chart();
        assertEquals(List.of(2.0, 0.0), numbers(alloc.getSeriesMap().get("vision-encoder")));
        assertEquals(List.of(6.0, 0.0), numbers(alloc.getSeriesMap().get("llm")));
        assertEquals(List.of(0.0, 8.0), numbers(alloc.getSeriesMap().get("vision-encoder + llm")));

        assertEquals(2 * drawn.figures().size(), drawn.files().size());
        for (Path p : drawn.files()) {
            assertTrue(Files.size(p) > 1000, p + " is written");
            if (p.toString().endsWith(".png")) {
                BufferedImage img = ImageIO.read(p.toFile());
                assertNotNull(img, p + " decodes");
                assertEquals(Charts.WIDTH * FigureWriter.DPI / 72, img.getWidth());
                assertEquals(Charts.HEIGHT * FigureWriter.DPI / 72, img.getHeight());
            } else {
                assertTrue(p.toString().endsWith(".svg"));
                assertEquals("svg", parseXml(p).getDocumentElement().getNodeName());
            }
        }
    }

    /** Each point is (the exact empirical quantile at level y, y), against sorting the input. */
    private static void checkCdf(XYSeries s, double[] samples) {
        assertNotNull(s);
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        double[] x = s.getXData();
        double[] y = s.getYData();
        assertEquals(1.0, y[y.length - 1]);
        assertEquals(sorted[sorted.length - 1], x[x.length - 1], "the last point is the maximum");
        for (int i = 0; i < x.length; i++) {
            int rank = Math.max(1, (int) Math.ceil(y[i] * sorted.length));
            assertEquals(Math.max(0.001, sorted[rank - 1]), x[i], "level " + y[i]);
            if (i > 0) {
                assertTrue(y[i] > y[i - 1] && x[i] >= x[i - 1], "a CDF rises");
            }
        }
        assertTrue(x.length <= 210, "bounded points: " + x.length);
    }

    private static List<Double> numbers(CategorySeries s) {
        return s.getYData().stream().map(Number::doubleValue).toList();
    }

    private static Document parseXml(Path p) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            return f.newDocumentBuilder().parse(p.toFile());
        } catch (Exception e) {
            throw new AssertionError(p + " is not XML: " + e.getMessage(), e);
        }
    }

    @Test
    void compareHeadlineSweepAndValidationFiles() throws IOException {
        Path root = tmp.resolve("r");
        Files.createDirectories(root.resolve("cmp"));
        Files.writeString(root.resolve("cmp/compare.json"), """
                [{"plan": "mono", "strategy": "monolithic", "devices": 8, "rate_rps": 10, "throughput_rps": 9.5,
                  "goodput_rps": 8, "slo_attainment": 0.8,
                  "ttft_ms": {"mean": 1, "p50": 20, "p90": 90, "p95": 1, "p99": 300},
                  "tpot_ms": {"mean": 1, "p50": 1, "p90": 1, "p95": 1, "p99": 1},
                  "e2e_ms": {"mean": 1, "p50": 2000, "p90": 5000, "p95": 1, "p99": 9000}},
                 {"plan": "split", "strategy": "encoder-split", "devices": 8, "rate_rps": 10, "throughput_rps": 9.9,
                  "goodput_rps": 9.7, "slo_attainment": 0.97,
                  "ttft_ms": {"mean": 1, "p50": 10, "p90": 40, "p95": 1, "p99": 100},
                  "tpot_ms": {"mean": 1, "p50": 1, "p90": 1, "p95": 1, "p99": 1},
                  "e2e_ms": {"mean": 1, "p50": 1500, "p90": 3000, "p95": 1, "p99": 4000}}]""");
        Files.createDirectories(root.resolve("head"));
        Files.writeString(root.resolve("head/results.json"), """
                [{"case": "c", "workload": "w", "gpus": 8, "strategy": "monolithic", "status": "ok", "plan": "p1",
                  "devices": 8, "estimated_capacity_rps": 50, "capacity_rps": 40,
                  "equal_load": {"rate_rps": 30, "requests": 10, "throughput_rps": 30, "goodput_rps": 29,
                                 "slo_attainment": 0.97, "e2e_ms": {"mean": 1, "p50": 1, "p90": 1, "p95": 1, "p99": 12000}}},
                 {"case": "c", "workload": "w", "gpus": 8, "strategy": "cornserve", "status": "ok", "plan": "p2",
                  "devices": 8, "estimated_capacity_rps": 70, "capacity_rps": 56,
                  "equal_load": {"rate_rps": 30, "requests": 10, "throughput_rps": 30, "goodput_rps": 30,
                                 "slo_attainment": 1, "e2e_ms": {"mean": 1, "p50": 1, "p90": 1, "p95": 1, "p99": 6000}}}]""");
        Files.createDirectories(root.resolve("cap"));
        Files.writeString(root.resolve("cap/capacity.json"), """
                {"plan": "p", "slo": "ttft=2000", "attainment_target": 0.9, "capacity_rps": 20, "probes": [
                  {"rate_rps": 40, "requests": 100, "throughput_rps": 30, "goodput_rps": 10, "slo_attainment": 0.3,
                   "ttft_ms": {"mean": 1, "p50": 1, "p90": 1, "p95": 1, "p99": 9000},
                   "e2e_ms": {"mean": 1, "p50": 1, "p90": 1, "p95": 1, "p99": 20000}},
                  {"rate_rps": 10, "requests": 100, "throughput_rps": 10, "goodput_rps": 10, "slo_attainment": 1.0,
                   "ttft_ms": {"mean": 1, "p50": 1, "p90": 1, "p95": 1, "p99": 50},
                   "e2e_ms": {"mean": 1, "p50": 1, "p90": 1, "p95": 1, "p99": 900}},
                  {"rate_rps": 20, "requests": 100, "throughput_rps": 19.8, "goodput_rps": 18.5, "slo_attainment": 0.92,
                   "ttft_ms": {"mean": 1, "p50": 1, "p90": 1, "p95": 1, "p99": 400},
                   "e2e_ms": {"mean": 1, "p50": 1, "p90": 1, "p95": 1, "p99": 3000}}]}""");
        Files.createDirectories(root.resolve("val"));
        Files.writeString(root.resolve("val/validation.json"), """
                {"rows": [{"metric": "ttft_p50_ms", "simulated": 110, "measured": 100, "error": 0.1},
                          {"metric": "throughput_rps", "simulated": 4.5, "measured": 5}]}""");

        ResultPlots.Drawn drawn = ResultPlots.draw(root, tmp.resolve("out"));
        assertEquals(2 * drawn.figures().size(), drawn.files().size(), "every figure paints, log axes included");
        Map<String, Figure> f = byStem(drawn.figures());
        assertTrue(((CategoryChart) f.get("cmp-compare-ttft").chart()).getStyler().isYAxisLogarithmic(), "10 to 300 ms");
        assertTrue(((CategoryChart) f.get("val-validation-values").chart()).getStyler().isYAxisLogarithmic());
        CategoryChart ttft = (CategoryChart) f.get("cmp-compare-ttft").chart();
        assertEquals(List.of(300.0, 100.0), numbers(ttft.getSeriesMap().get("P99")));
        assertEquals(List.of(20.0, 10.0), numbers(ttft.getSeriesMap().get("P50")));
        CategoryChart tput = (CategoryChart) f.get("cmp-compare-throughput").chart();
        assertEquals(List.of(8.0, 9.7), numbers(tput.getSeriesMap().get("goodput (met the SLO)")));

        CategoryChart cap = (CategoryChart) f.get("head-headline-capacity-c").chart();
        assertEquals(List.of(1.0), numbers(cap.getSeriesMap().get("monolithic")));
        assertEquals(List.of(1.4), numbers(cap.getSeriesMap().get("cornserve")));
        CategoryChart eq = (CategoryChart) f.get("head-headline-equal-load-c").chart();
        assertEquals(List.of(6.0), numbers(eq.getSeriesMap().get("cornserve")));

        XYSeries att = ((XYChart) f.get("cap-sweep-attainment-p").chart()).getSeriesMap().get("SLO attainment");
        assertArrayEquals(new double[] {10, 20, 40}, att.getXData(), "probes sorted by rate");
        assertArrayEquals(new double[] {1.0, 0.92, 0.3}, att.getYData());
        XYSeries good = ((XYChart) f.get("cap-sweep-goodput-p").chart()).getSeriesMap().get("goodput (met the SLO)");
        assertArrayEquals(new double[] {10, 18.5, 10}, good.getYData());
        XYChart lat = (XYChart) f.get("cap-sweep-latency-p").chart();
        assertArrayEquals(new double[] {900, 3000, 20000}, lat.getSeriesMap().get("P99 end-to-end").getYData());
        assertTrue(lat.getStyler().isYAxisLogarithmic());

        CategoryChart val = (CategoryChart) f.get("val-validation-values").chart();
        assertEquals(List.of(110.0, 4.5), numbers(val.getSeriesMap().get("simulated")));
        CategoryChart err = (CategoryChart) f.get("val-validation-errors").chart();
        List<Double> e = numbers(err.getSeriesMap().get("error"));
        assertEquals(10.0, e.get(0), 1e-9);
        assertEquals(-10.0, e.get(1), 1e-9, "computed from the values when the file gives no error");
    }

    @Test
    void anExperimentsSummaryAndErrorsGiveMetricsAgainstLoadWithTheirIntervals() throws IOException {
        Path root = tmp.resolve("r");
        Files.createDirectories(root.resolve("exp"));
        Files.writeString(root.resolve("exp/spec.resolved.json"), "{\"name\": \"x\", \"confidence\": 0.9}");
        // rates out of order, two engines, one plan
        Files.writeString(root.resolve("exp/summary.json"), """
                [{"variant": "", "plan": "cornserve", "rate": 4.0, "engine": "simulator", "seeds": 3,
                  "goodput_rps": {"mean": 3.9, "low": 3.5, "high": 4.3}, "ttft_ms.p99": {"mean": 300, "low": 250, "high": 350}},
                 {"variant": "", "plan": "cornserve", "rate": 2.0, "engine": "simulator", "seeds": 3,
                  "goodput_rps": {"mean": 2.0, "low": 1.9, "high": 2.1}, "ttft_ms.p99": {"mean": 100, "low": 90, "high": 110}},
                 {"variant": "", "plan": "cornserve", "rate": 2.0, "engine": "runtime", "seeds": 3,
                  "goodput_rps": {"mean": 1.9, "low": 1.7, "high": 2.1}, "ttft_ms.p99": {"mean": 120, "low": 100, "high": 140}},
                 {"variant": "", "plan": "cornserve", "rate": 4.0, "engine": "runtime", "seeds": 3,
                  "goodput_rps": {"mean": 3.8, "low": 3.0, "high": 4.6}, "ttft_ms.p99": {"mean": 330, "low": 300, "high": 360}}]""");
        Files.writeString(root.resolve("exp/errors.json"), """
                [{"variant": "", "plan": "cornserve", "rate": 4.0, "metric": "ttft_ms.p50", "seeds": 3,
                  "error": {"mean": -0.1, "low": -0.3, "high": 0.1}},
                 {"variant": "", "plan": "cornserve", "rate": 2.0, "metric": "ttft_ms.p50", "seeds": 3,
                  "error": {"mean": 0.05, "low": 0.0, "high": 0.1}},
                 {"variant": "", "plan": "cornserve", "rate": 2.0, "metric": "throughput_rps", "seeds": 3,
                  "error": {"mean": 0.0, "low": 0.0, "high": 0.0}}]""");
        ResultPlots.Drawn drawn = ResultPlots.draw(root, tmp.resolve("out"));
        assertEquals(2 * drawn.figures().size(), drawn.files().size(), "every figure paints");
        Map<String, Figure> f = byStem(drawn.figures());
        XYChart goodput = (XYChart) f.get("exp-experiment-goodput").chart();
        assertTrue(goodput.getTitle().contains("90% interval"), goodput.getTitle());
        XYSeries sim = goodput.getSeriesMap().get("cornserve (simulator)");
        assertArrayEquals(new double[] {2, 4}, sim.getXData(), "sorted by rate");
        assertArrayEquals(new double[] {2.0, 3.9}, sim.getYData());
        assertArrayEquals(new double[] {0.1, 0.4}, sim.getExtraValues(), 1e-9, "the interval's half width");
        XYSeries run = goodput.getSeriesMap().get("cornserve (runtime)");
        assertArrayEquals(new double[] {1.9, 3.8}, run.getYData());
        assertArrayEquals(new double[] {0.2, 0.8}, run.getExtraValues(), 1e-9);
        assertArrayEquals(new double[] {120, 330},
                ((XYChart) f.get("exp-experiment-ttft-p99").chart()).getSeriesMap().get("cornserve (runtime)").getYData());
        assertFalse(f.containsKey("exp-experiment-e2e-p99"), "a metric the summary lacks is not drawn");
        XYChart errors = (XYChart) f.get("exp-experiment-errors-cornserve").chart();
        XYSeries ttft = errors.getSeriesMap().get("ttft_ms.p50");
        assertArrayEquals(new double[] {2, 4}, ttft.getXData());
        assertArrayEquals(new double[] {5, -10}, ttft.getYData(), 1e-9, "percent");
        assertArrayEquals(new double[] {5, 20}, ttft.getExtraValues(), 1e-9);
        assertFalse(errors.getSeriesMap().containsKey("throughput_rps"), "latency errors only");
    }

    @Test
    void badFilesNameTheFileAndLine() throws IOException {
        Path dir = run("bad", null, new double[] {1, 2}, new double[] {3, 4});
        Files.writeString(dir.resolve("requests.csv"), "request_id,status,ttft_ms,e2e_ms\n0,completed,1.5,2\n"
                + "1,completed,oops,2\n");
        ResultFileException ex = assertThrows(ResultFileException.class, () -> ResultPlots.figures(tmp.resolve("results")));
        assertTrue(ex.getMessage().contains("requests.csv:3: field ttft_ms is not a number: 'oops'"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ResultPlots.figures(tmp.resolve("missing")));
    }

    @Test
    void aFolderWithoutResultsGivesNoFigures() throws IOException {
        Files.createDirectories(tmp.resolve("empty/sub"));
        Files.writeString(tmp.resolve("empty/sub/notes.json"), "{}");
        assertFalse(ResultPlots.figures(tmp.resolve("empty")).iterator().hasNext());
    }
}
