package org.cornserve.cli.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.cornserve.cli.CornserveMain;
import org.cornserve.model.json.Json;
import org.cornserve.model.profile.ProfileBook;
import org.cornserve.runtime.control.Runtimes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidationTest {
    static final String PLAN = "../runtime/src/main/resources/org/cornserve/runtime/control/tiny-omni-cpu.json";

    @TempDir
    Path tmp;

    static JsonNode summary(double rps, double ttft50, double tpot99) throws Exception {
        String pct = "{\"p50\": %s, \"p90\": %s, \"p99\": %s}";
        return Json.mapper().readTree("{\"throughput_rps\": " + rps + ", \"ttft_ms\": " + pct.formatted(ttft50, 20, 30)
                + ", \"tpot_ms\": " + pct.formatted(1, 2, tpot99) + ", \"e2e_ms\": " + pct.formatted(100, 200, 300) + "}");
    }

    @Test
    void rowsHoldSimulatedMeasuredAndTheRelativeError() throws Exception {
        List<Validation.Row> rows = Validation.compare(summary(8, 11, 4), summary(10, 10, 5));
        assertEquals(Validation.METRICS, rows.stream().map(Validation.Row::metric).toList());
        assertEquals(new Validation.Row("throughput_rps", 8, 10, -0.2), rows.get(0));
        assertEquals(0.1, rows.get(1).error(), 1e-12);
        assertEquals(-0.2, rows.get(6).error(), 1e-12);
        assertEquals(0, rows.get(9).error());
        String table = Validation.table(rows);
        assertTrue(table.contains("ttft_ms.p50") && table.contains("+10.0%") && table.contains("-20.0%"), table);
        Validation.write(tmp.resolve("validation.json"), rows, 7.5, null);
        JsonNode back = Json.mapper().readTree(tmp.resolve("validation.json").toFile());
        assertEquals(7.5, back.path("request_overhead_ms").asDouble());
        assertEquals("ttft_ms.p50", back.path("rows").get(1).path("metric").asText());
        assertEquals(0.1, back.path("rows").get(1).path("error").asDouble(), 1e-12);
    }

    @Test
    void theProbeCostIsOnePrefillOfItsPromptOnTheLlmReplica() {
        double roofline = Validation.probePrefillMs("tiny-omni", Runtimes.defaultPlan(), ProfileBook.EMPTY);
        assertTrue(roofline > 0 && roofline < 100, "probe prefill " + roofline + " ms");
        assertEquals(20, Validation.PROBE_PROMPT_TOKENS);
    }

    /** The simulator's per-request overhead delays each request by exactly that much when nothing queues. */
    @Test
    void requestOverheadShiftsIsolatedRequestsByItsLength() throws Exception {
        Path trace = tmp.resolve("t.jsonl");
        Files.writeString(trace, """
                {"arrival_s":0,"app":"default","text_tokens":40,"output_tokens":5}
                {"arrival_s":2,"app":"default","text_tokens":40,"output_tokens":5}
                {"arrival_s":4,"app":"default","text_tokens":40,"output_tokens":5}
                """);
        for (String overhead : List.of("0", "6.5")) {
            StringWriter err = new StringWriter();
            var cl = CornserveMain.commandLine();
            cl.setOut(new PrintWriter(new StringWriter()));
            cl.setErr(new PrintWriter(err));
            int code = cl.execute("simulate", "--plan", PLAN, "--trace", trace.toString(),
                    "--request-overhead-ms", overhead, "--out", tmp.resolve("o" + overhead).toString());
            assertEquals(0, code, err.toString());
        }
        JsonNode plain = Json.mapper().readTree(tmp.resolve("o0/summary.json").toFile());
        JsonNode delayed = Json.mapper().readTree(tmp.resolve("o6.5/summary.json").toFile());
        for (String m : List.of("ttft_ms", "e2e_ms")) {
            assertEquals(plain.path(m).path("p50").asDouble() + 6.5, delayed.path(m).path("p50").asDouble(), 0.01, m);
        }
        assertEquals(plain.path("tpot_ms").path("p50").asDouble(), delayed.path("tpot_ms").path("p50").asDouble(),
                1e-9);
    }

    @Test
    void sliceArgumentsFollowTheOptionsGiven() {
        assertEquals(List.of("trace", "transform", "in.csv", "--format", "azure-llm", "--window", "0:10", "--rate",
                "4.0", "--scale-tokens", "0.25", "--first", "50", "--out", "s.jsonl"), List.of(ValidateCommand.sliceArgs(
                        Path.of("in.csv"), "azure-llm", "0:10", 4.0, 0.25, 50L, Path.of("s.jsonl"))));
    }
}
