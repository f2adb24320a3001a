package org.cornserve.experiments.headline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.cornserve.model.Modality;
import org.cornserve.model.plan.Deployment;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.jsonl.JsonlTraceWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadlineRunnerTest {
    @TempDir
    Path tmp;

    /** A runner whose plans meet the SLO below 3 rps per device and miss it above. */
    static RunMetrics fake(org.cornserve.model.plan.DeploymentPlan plan, List<TraceRecord> trace, double rate) {
        int devices = plan.deployments().stream().mapToInt(Deployment::devices).sum();
        double attainment = rate <= 3.0 * devices ? 1 : 0;
        RunMetrics.Latency l = new RunMetrics.Latency(rate, rate, rate, rate, rate * devices);
        return new RunMetrics(rate, trace.size(), rate, rate * attainment, attainment, l, l, l);
    }

    @Test
    void capacityEqualLoadAndReports() throws Exception {
        Path trace = tmp.resolve("t.jsonl");
        Random rnd = new Random(3);
        try (JsonlTraceWriter w = JsonlTraceWriter.create(trace)) {
            for (int i = 0; i < 300; i++) {
                List<MediaItem> media = rnd.nextBoolean() ? List.of(MediaItem.imageTokens(64)) : List.of();
                w.write(new TraceRecord(i * 100_000_000L, "default",
                        new RequestShape(20 + rnd.nextInt(50), media, 5 + rnd.nextInt(20), Set.of(Modality.TEXT))));
            }
        }
        HeadlineSpec spec = new HeadlineSpec("t", 1, "h100-sxm", List.of(2), 0.9, List.of("monolithic", "cornserve"), 200, 1, 200, 100,
                0.01, Map.of("w", new HeadlineSpec.TraceSpec("jsonl", trace.toString(), null)),
                List.of(new HeadlineSpec.CaseSpec("vl", List.of("qwen2.5-vl-7b"), "ttft=2000,tpot=100",
                        List.of(new HeadlineSpec.WorkloadUse("w", 0, false)))));
        StringWriter log = new StringWriter();
        List<HeadlineRunner.Row> rows = new HeadlineRunner(spec, (plan, t, rate, slo) -> fake(plan, t, rate), "fake",
                new PrintWriter(log)).run(tmp.resolve("out"));
        assertEquals(2, rows.size(), log.toString());
        double lowest = Double.POSITIVE_INFINITY;
        for (HeadlineRunner.Row r : rows) {
            assertEquals("ok", r.status());
            assertEquals(3.0 * r.devices(), r.capacityRps(), 0.02 * 3.0 * r.devices(), r.toString());
            lowest = Math.min(lowest, r.capacityRps());
        }
        for (HeadlineRunner.Row r : rows) {
            assertEquals(lowest, r.equalLoad().rateRps(), 1e-9);
            assertEquals(200, r.equalLoad().requests());
        }
        assertTrue(Files.readString(tmp.resolve("out/summary.md")).contains("Cornserve vs monolithic"));
        assertEquals(3, Files.readAllLines(tmp.resolve("out/results.csv")).size());
        assertTrue(Files.list(tmp.resolve("out/plans")).count() == 2);
    }

    @Test
    void rescalingKeepsThePatternAndSetsTheRate() {
        List<TraceRecord> trace = List.of(rec(0), rec(1_000_000_000L), rec(3_000_000_000L), rec(4_000_000_000L));
        List<TraceRecord> out = PlanRunner.rescale(trace, 3.0, 4); // 3 gaps over 4 s -> 0.75 rps, scaled x4
        assertEquals(List.of(0L, 250_000_000L, 750_000_000L, 1_000_000_000L),
                out.stream().map(TraceRecord::arrivalNanos).toList());
    }

    private static TraceRecord rec(long at) {
        return new TraceRecord(at, "default", RequestShape.text(10, 10));
    }
}
