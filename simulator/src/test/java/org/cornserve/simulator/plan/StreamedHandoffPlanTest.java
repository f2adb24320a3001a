package org.cornserve.simulator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.Slo;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.metrics.ResultWriter;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qwen2.5-Omni-7B with its talker and vocoder split from the thinker, on 240 generated requests (half of them with
 * spoken answers, a third with an image). Handing the thinker's whole answer to the talker gives byte for byte the
 * files kept in {@code src/test/resources/streaming/whole} (written before streamed hand-off existed; regenerate with
 * {@code -Dcornserve.regenerateGolden=true} and review the diff).
 */
class StreamedHandoffPlanTest {
    static final Path DIR = Path.of("src/test/resources/streaming");

    static SimResult run(int streamChunkTokens) throws IOException {
        ResolvedPlan plan = PlanValidator.builtIn().readAndValidate(DIR.resolve("omni-talker-split.json"));
        SimConfig config = PlanSimConfigs.of(plan, HardwareCatalog.builtIn(), plan.plan().seed(), Slo.NONE, 0);
        var source = TraceFormat.JSONL.source(DIR.resolve("omni-speech.jsonl"), ReadOptions.defaults());
        try (TraceWorkload w = new TraceWorkload(source, 1, plan.models(), plan::splitsLlm)) {
            return new Simulator(config).run(w);
        }
    }

    @Test
    void wholeHandOffKeepsTheResultsOfBefore(@TempDir Path out) throws IOException {
        ResultWriter.write(run(0), out);
        String summary = Files.readString(out.resolve("summary.json"))
                .replaceAll("\"wall_seconds\" : [^,]+,", "\"wall_seconds\" : 0,");
        Path golden = DIR.resolve("whole");
        if (Boolean.getBoolean("cornserve.regenerateGolden")) {
            Files.createDirectories(golden);
            Files.writeString(golden.resolve("summary.json"), summary);
            Files.copy(out.resolve("requests.csv"), golden.resolve("requests.csv"), StandardCopyOption.REPLACE_EXISTING);
        }
        assertEquals(Files.readString(golden.resolve("summary.json")), summary, "summary.json");
        assertEquals(-1L, Files.mismatch(golden.resolve("requests.csv"), out.resolve("requests.csv")),
                "requests.csv differs from the golden file");
    }
}
