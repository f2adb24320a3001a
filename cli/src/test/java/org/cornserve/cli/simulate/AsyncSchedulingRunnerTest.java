package org.cornserve.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.cli.CliRun;
import org.cornserve.model.plan.DeploymentPlan;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.evaluate.SimulatorPlanRunner;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plan's {@code async_scheduling} flag reaches the simulator through the plan runner (what the planner's ranking,
 * the headline and the capacity commands use) as it does through {@code cornserve simulate}.
 */
class AsyncSchedulingRunnerTest {
    private static final long SEED = 3;
    private static final String WINDOW = "43200:43260";

    @TempDir
    Path tmp;

    @Test
    void theRunnerHonoursTheFlagAsSimulateDoes() throws Exception {
        DeploymentPlan base = DeploymentPlan.read(
                SimulateCommandTest.projectFile("experiments/plans/qwen2.5-vl-7b-8xh100-encoder-split.json"));
        Path trace = SimulateCommandTest.shared("servegen-mm-image");
        List<TraceRecord> records = records(trace);

        JsonNode asyncCommand = simulate(base.withAsyncScheduling(true), trace, "async");
        SimResult asyncRunner = new SimulatorPlanRunner(SEED).simulate(base.withAsyncScheduling(true), records,
                Slo.NONE);
        SimResult syncRunner = new SimulatorPlanRunner(SEED).simulate(base.withAsyncScheduling(false), records,
                Slo.NONE);

        assertEquals(asyncCommand.get("requests").asLong(), asyncRunner.requests());
        assertEquals(asyncCommand.get("completed").asLong(), asyncRunner.completed());
        assertEquals(asyncCommand.get("events").asLong(), asyncRunner.events());
        for (String p : List.of("mean", "p50", "p99")) {
            assertEquals(asyncCommand.get("ttft_ms").get(p).asDouble(), value(asyncRunner.ttftMs(), p), 1e-9,
                    "ttft " + p);
            assertEquals(asyncCommand.get("e2e_ms").get(p).asDouble(), value(asyncRunner.e2eMs(), p), 1e-9,
                    "e2e " + p);
        }
        // the flag changes the run: the same plan scheduled synchronously gives other event counts and latencies
        assertNotEquals(asyncRunner.events(), syncRunner.events());
        assertNotEquals(asyncRunner.ttftMs().mean(), syncRunner.ttftMs().mean());
        JsonNode syncCommand = simulate(base.withAsyncScheduling(false), trace, "sync");
        assertEquals(syncCommand.get("events").asLong(), syncRunner.events());
        assertEquals(syncCommand.get("ttft_ms").get("mean").asDouble(), syncRunner.ttftMs().mean(), 1e-9);
    }

    private JsonNode simulate(DeploymentPlan plan, Path trace, String name) throws Exception {
        Path planFile = tmp.resolve(name + "-plan.json");
        plan.write(planFile);
        Path out = tmp.resolve(name);
        CliRun r = CliRun.run("simulate", "--plan", planFile.toString(), "--trace", trace.toString(), "--window",
                WINDOW, "--seed", String.valueOf(SEED), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    }

    /** The trace as {@code simulate} reads it with {@code --seed} and {@code --window}. */
    private static List<TraceRecord> records(Path trace) throws Exception {
        String[] w = WINDOW.split(":");
        List<TraceRecord> out = new ArrayList<>();
        try (TraceReader reader = TraceFormat.SERVEGEN.source(trace, ReadOptions.defaults().withSeed(SEED)
                .withWindow(Double.parseDouble(w[0]), Double.parseDouble(w[1]))).open()) {
            for (TraceRecord r = reader.read(); r != null; r = reader.read()) {
                out.add(r);
            }
        }
        return out;
    }

    private static double value(org.cornserve.simulator.metrics.LatencyStats s, String p) {
        return switch (p) {
            case "mean" -> s.mean();
            case "p50" -> s.p50();
            case "p99" -> s.p99();
            default -> throw new IllegalArgumentException(p);
        };
    }
}
