package org.cornserve.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.cornserve.cli.CliRun;
import org.cornserve.cli.validate.Comparison;
import org.cornserve.cli.validate.Validation;
import org.cornserve.model.json.Json;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code experiment run} with engine {@code both} end to end: a seed's plan served and replayed, its simulation as
 * predicted before the replay, the two rows, the comparison, the error over seeds; nothing left behind.
 */
@Tag("integration")
class ExperimentBothIntegrationTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(300)
    void servesAndSimulatesEachSeedAsAPairAndSummarisesTheError() throws Exception {
        // the tiny model's estimated profiles, given (measuring them takes minutes; `measure_profiles` is the default)
        CliRun est = CliRun.run("profile", "estimate", "--model", "tiny-omni", "--hardware", "cpu", "--tp", "1", "--out",
                tmp.resolve("est.json").toString());
        assertEquals(0, est.code(), est.err());
        Files.copy(Path.of(ExperimentRunnerTest.PLAN), tmp.resolve("one.json"));
        StringBuilder trace = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            trace.append(String.format(Locale.ROOT,
                    "{\"arrival_s\":%.3f,\"app\":\"default\",\"text_tokens\":%d,\"output_tokens\":%d}%n", i * 0.25,
                    20 + (i * 29) % 80, 4 + (i * 7) % 12));
        }
        Files.writeString(tmp.resolve("t.jsonl"), trace);
        Files.writeString(tmp.resolve("spec.json"), """
                {"name": "both", "plans": ["one.json"], "engine": "both", "profiles": ["est.json"],
                 "warmup_requests": 4, "quiet_wait_s": 1, "probe_scale": 0.25, "trace": {"path": "t.jsonl", "window": "0:5"}, "rates": [0], "seeds": [1]}
                """);
        Path dir = tmp.resolve("o");
        CliRun run = CliRun.run("experiment", "run", tmp.resolve("spec.json").toString(), "--out", dir.toString());
        assertEquals(0, run.code(), run.err());

        List<JsonNode> rows = Files.readAllLines(dir.resolve("results.jsonl")).stream().filter(l -> !l.isBlank())
                .map(l -> {
                    try {
                        return Json.mapper().readTree(l);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
        assertEquals(List.of("one-r0-s1-sim", "one-r0-s1-run"), rows.stream().map(r -> r.path("case").asText())
                .toList());
        // the simulation is the served replay's, as predicted before it: its comparison beside it; the slice
        // simulated as many times as the served costs' prediction_passes say, pooled
        JsonNode v = Json.mapper().readTree(dir.resolve("cases/one-r0-s1-sim/validation.json").toFile());
        assertEquals(Comparison.METRICS.size(), v.path("rows").size(), v.toString());
        JsonNode simConfig = Json.mapper().readTree(dir.resolve("cases/one-r0-s1-sim/config.json").toFile());
        int passes = simConfig.path("repeat").asInt();
        assertTrue(passes >= 1, simConfig.toString());
        // the row counts the slice's requests, as the runtime's does, and the passes apart
        assertEquals(20, rows.get(0).path("requests").asInt(), rows.get(0).toString());
        assertEquals(passes, rows.get(0).path("passes").asInt(), rows.get(0).toString());
        assertEquals(20 * passes, Json.mapper().readTree(dir.resolve("cases/one-r0-s1-sim/summary.json").toFile())
                .path("requests").asInt());
        assertEquals(20, rows.get(1).path("requests").asInt(), rows.get(1).toString());
        // the spec's probe_scale: a quarter of each probe's requests (the idle probe's rows)
        assertEquals(org.cornserve.cli.validate.ProbeCounts.scaled(0.25).idle() + 1,
                Files.readAllLines(dir.resolve("cases/one-r0-s1-run-probe/overhead.csv")).size());
        assertEquals(v.path("step_overhead_ms").asDouble(), simConfig.path("step_overhead_ms").asDouble(), 1e-3,
                "the served round trip read by the probes is charged");
        assertTrue(simConfig.path("decode_compute_scale").asDouble() > 0, simConfig.toString());
        JsonNode sim = Json.mapper().readTree(dir.resolve("cases/one-r0-s1-sim/summary.json").toFile());
        JsonNode served = Json.mapper().readTree(dir.resolve("cases/one-r0-s1-run/summary.json").toFile());
        assertEquals(sim.path("output_tokens").asLong(), passes * served.path("output_tokens").asLong());
        // the prediction reads each percentile pass by pass, the median over the passes (what one replay reads);
        // the case's row and its validation.json agree on it
        JsonNode predicted = org.cornserve.cli.validate.PassPercentiles.summary(dir.resolve("cases/one-r0-s1-sim"));
        for (JsonNode row : v.path("rows")) {
            if (row.path("metric").asText().equals("ttft_ms.p50")) {
                assertEquals(Comparison.value(predicted, "ttft_ms.p50"), row.path("simulated").asDouble(), 1e-9);
                assertEquals(rows.get(0).path("ttft_ms.p50").asDouble(), row.path("simulated").asDouble(), 1e-9);
                assertEquals(Comparison.value(served, "ttft_ms.p50"), row.path("measured").asDouble(), 1e-9);
            }
        }
        String errors = Files.readString(dir.resolve("errors.csv"));
        assertTrue(errors.contains(",one,0,ttft_ms.p50,1,"), errors);
        assertTrue(run.out().contains("simulated against served"), run.out());
        String session = v.path("runtime_session").asText();
        assertFalse(session.isEmpty(), v.toString());
        assertEquals(0, Validation.sharedMemoryFiles(session), "no /dev/shm/cornserve-" + session + "-* file left");
    }
}
