package org.cornserve.cli.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cornserve.cli.CornserveMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs the {@code cornserve trace} commands end to end on the shared traces. */
class TraceCommandTest {

    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = CornserveMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Path shared(String name) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("shared/traces"))) {
                return p.resolve("shared/traces").resolve(name);
            }
        }
        throw new IllegalStateException("no shared/traces above " + Path.of("").toAbsolutePath());
    }

    static JsonNode statsJson(Path file) throws Exception {
        Run r = run("trace", "stats", file.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void convertThenStatsOfTheAzureConversationTrace() throws Exception {
        Path out = tmp.resolve("conv.jsonl");
        Run c = run("trace", "convert", "--format", "azure-llm", shared("AzureLLMInferenceTrace_conv.csv").toString(),
                "--out", out.toString());
        assertEquals(0, c.exitCode(), c.err());
        JsonNode s = statsJson(out);
        assertEquals(19_366, s.get("requests").asLong());
        assertEquals(5.53, s.get("rate_rps").asDouble(), 0.01);
        assertTrue(s.get("duration_s").asDouble() > 3500);
        assertTrue(s.get("interarrival_cv").asDouble() > 0);
        Run table = run("trace", "stats", out.toString());
        assertTrue(table.out().contains("19,366"), table.out());
    }

    @Test
    void mooncakeConvertKeepsHashIds() throws Exception {
        Path out = tmp.resolve("mc.jsonl");
        Run c = run("trace", "convert", "--format", "mooncake", shared("mooncake_synthetic_trace.jsonl").toString(),
                "--out", out.toString(), "--app", "kimi");
        assertEquals(0, c.exitCode(), c.err());
        assertEquals(3_993, statsJson(out).get("requests").asLong());
        String first = Files.readAllLines(out).get(0);
        assertTrue(first.contains("\"hash_ids\":[0,1,2,") && first.contains("\"app\":\"kimi\""), first);
    }

    @Test
    void servegenGenerateThenTransformToARate() throws Exception {
        Path sg = tmp.resolve("sg.jsonl");
        Run g = run("trace", "generate", "servegen", shared("servegen-mm-image").toString(), "--window", "0:600",
                "--seed", "4", "--out", sg.toString());
        assertEquals(0, g.exitCode(), g.err());
        JsonNode s = statsJson(sg);
        assertTrue(s.get("requests").asLong() > 2000, s.toString());
        assertTrue(s.get("modalities").get(1).get("share").asDouble() > 0.9, "image share: " + s);

        Path fast = tmp.resolve("fast.jsonl");
        Run t = run("trace", "transform", sg.toString(), "--rate", "50", "--first", "1000", "--out", fast.toString());
        assertEquals(0, t.exitCode(), t.err());
        assertEquals(1000, statsJson(fast).get("requests").asLong());
    }

    @Test
    void generateGammaAndMix() throws Exception {
        Path a = tmp.resolve("a.jsonl");
        Path b = tmp.resolve("b.jsonl");
        assertEquals(0, run("trace", "generate", "gamma", "--rate", "10", "--cv", "2", "--count", "3000", "--seed", "1",
                "--app", "chat", "--out", a.toString()).exitCode());
        assertEquals(0, run("trace", "generate", "mm", "--rate", "5", "--duration", "300", "--image-share", "0.5",
                "--images", "uniform:1:3", "--audio-share", "0.2", "--app", "omni", "--out", b.toString()).exitCode());
        Path mixed = tmp.resolve("mix.jsonl");
        Run m = run("trace", "transform", a.toString(), b.toString(), "--weights", "3,1", "--out", mixed.toString());
        assertEquals(0, m.exitCode(), m.err());
        JsonNode s = statsJson(mixed);
        assertEquals(3000 + statsJson(b).get("requests").asLong(), s.get("requests").asLong());
        assertTrue(s.get("apps").has("chat") && s.get("apps").has("omni"));

        Path mixed2 = tmp.resolve("mix2.jsonl");
        Run m2 = run("trace", "transform", a.toString(), "--mix", b + ":1:vision", "--rate", "20", "--out", mixed2.toString());
        assertEquals(0, m2.exitCode(), m2.err());
        JsonNode s2 = statsJson(mixed2);
        assertEquals(20, s2.get("rate_rps").asDouble(), 1e-6);
        assertTrue(s2.get("apps").has("chat") && s2.get("apps").has("vision"), s2.toString());
        Run bad = run("trace", "transform", a.toString(), "--mix", b + ":lots", "--out", mixed2.toString());
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("weight is not a number"), bad.err());
    }

    @Test
    void badInputExitsWithFileAndLine() throws Exception {
        Path bad = tmp.resolve("bad.csv");
        Files.writeString(bad, "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,3x,4\n");
        Run r = run("trace", "convert", "--format", "azure-llm", bad.toString(), "--out", tmp.resolve("o.jsonl").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains(bad + ":2: ContextTokens: not a whole number"), r.err());
        Run skip = run("trace", "convert", "--format", "azure-llm", bad.toString(), "--skip-bad", "--out",
                tmp.resolve("o.jsonl").toString());
        assertEquals(0, skip.exitCode(), skip.err());
        assertTrue(skip.err().contains("skipped 1 bad line"), skip.err());
        Run unknown = run("trace", "convert", "--format", "nope", bad.toString(), "--out", tmp.resolve("o.jsonl").toString());
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("known: azure-llm"), unknown.err());
    }
}
