package org.cornserve.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.cornserve.cli.CornserveMain;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code cornserve replay} end to end: 200 requests of the Azure conversation trace, 20 times faster, against a
 * real loopback server that streams {@code max_tokens} SSE chunks after a known delay; the files are the
 * simulator's, with the figures the server's behaviour implies.
 */
@Tag("integration")
class ReplayCommandTest {
    private static final long HEADER_DELAY_MS = 5;

    @TempDir
    Path tmp;

    @Test
    void replaysATraceSliceAndWritesTheSimulatorsFiles() throws Exception {
        AtomicLong tokensSent = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        ObjectMapper json = new ObjectMapper();
        server.createContext("/v1/chat/completions", ex -> {
            try (ex) {
                JsonNode body = json.readTree(ex.getRequestBody());
                int tokens = body.get("max_tokens").asInt();
                Thread.sleep(HEADER_DELAY_MS);
                ex.getResponseHeaders().set("Content-Type", "text/event-stream");
                ex.sendResponseHeaders(200, 0);
                OutputStream out = ex.getResponseBody();
                for (int i = 0; i < tokens; i++) {
                    out.write("data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n".getBytes(StandardCharsets.UTF_8));
                    if (i % 64 == 0) {
                        out.flush();
                    }
                }
                out.write(("data: {\"choices\":[],\"usage\":{\"completion_tokens\":" + tokens + "}}\n\ndata: [DONE]\n\n")
                        .getBytes(StandardCharsets.UTF_8));
                tokensSent.addAndGet(tokens);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        try {
            Path out = tmp.resolve("replay");
            CommandLine cl = CornserveMain.commandLine();
            StringWriter stdout = new StringWriter();
            StringWriter stderr = new StringWriter();
            cl.setOut(new PrintWriter(stdout));
            cl.setErr(new PrintWriter(stderr));
            int code = cl.execute("replay", "--url", "http://127.0.0.1:" + server.getAddress().getPort(),
                    "--app", "tiny-omni", "--trace", shared("AzureLLMInferenceTrace_conv.csv").toString(),
                    "--rate-scale", "20", "--max-requests", "200", "--slo", "ttft=2000", "--out", out.toString());
            assertEquals(0, code, stderr.toString());
            assertTrue(stdout.toString().contains("200 requests: 200 answered, 0 failed"), stdout.toString());
            assertTrue(stderr.toString().contains("sent 200/200, answered 200, failed 0"), stderr.toString());

            JsonNode summary = json.readTree(out.resolve("summary.json").toFile());
            assertEquals(200, summary.get("requests").asLong());
            assertEquals(200, summary.get("completed").asLong());
            assertEquals(tokensSent.get(), summary.get("output_tokens").asLong(), "usage counts every token");
            assertTrue(summary.get("ttft_ms").get("p50").asDouble() >= HEADER_DELAY_MS);
            List<String> keys = new ArrayList<>();
            summary.fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("requests", "completed", "rejected", "simulated_seconds", "throughput_rps",
                    "goodput_rps", "slo_attainment", "ttft_ms", "tpot_ms", "e2e_ms", "deployments", "events",
                    "wall_seconds", "stale_events", "output_tokens", "output_tokens_per_second", "reject_reasons",
                    "preemptions", "prefix_cache_hit_rate",
                    "stages"), keys);
            List<String> rows = Files.readAllLines(out.resolve("requests.csv"));
            assertEquals(201, rows.size());
            assertTrue(rows.get(0).startsWith("request_id,trace_request_id,app,status,arrival_ns,first_output_ns"), rows.get(0));
            List<String> exchanges = Files.readAllLines(out.resolve("replay.csv"));
            assertEquals(201, exchanges.size());
            assertFalse(Files.exists(out.resolve("queues.csv")));
            // the trace's first 200 arrivals span ~36 s; at 20x the last one is due within ~2 s of the start
            double lastDue = Double.parseDouble(exchanges.get(200).split(",")[2]) / 1e9;
            assertTrue(lastDue > 0.5 && lastDue < 5, "last due at " + lastDue + " s");
            JsonNode config = json.readTree(out.resolve("config.json").toFile());
            assertEquals("chat", config.get("api").asText());
            assertEquals(0, config.get("max_concurrency").asInt(), "open loop by default");

            // one slot (vllm bench serve --max-concurrency 1): each request sent once the one before has ended
            Path closed = tmp.resolve("closed");
            assertEquals(0, cl.execute("replay", "--url", "http://127.0.0.1:" + server.getAddress().getPort(),
                    "--app", "tiny-omni", "--trace", shared("AzureLLMInferenceTrace_conv.csv").toString(),
                    "--rate-scale", "20", "--max-requests", "10", "--max-concurrency", "1", "--out", closed.toString()),
                    stderr.toString());
            List<String> one = Files.readAllLines(closed.resolve("requests.csv"));
            List<String> header = List.of(one.get(0).split(","));
            for (int i = 2; i <= 10; i++) {
                long sent = Long.parseLong(one.get(i).split(",", -1)[header.indexOf("arrival_ns")]);
                long previousEnd = Long.parseLong(one.get(i - 1).split(",", -1)[header.indexOf("completion_ns")]);
                assertTrue(sent >= previousEnd, "request " + (i - 1) + " sent at " + sent + " before " + previousEnd);
            }
            assertEquals(1, json.readTree(closed.resolve("config.json").toFile()).get("max_concurrency").asInt());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anUnreachableServerFailsEveryRequestWithAReason() throws Exception {
        Path out = tmp.resolve("down");
        Path trace = tmp.resolve("t.jsonl");
        Files.writeString(trace, "{\"arrival_s\":0,\"text_tokens\":5,\"output_tokens\":2}\n"
                + "{\"arrival_s\":0.01,\"text_tokens\":5,\"output_tokens\":2}\n");
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CommandLine cl = CornserveMain.commandLine();
        StringWriter stdout = new StringWriter();
        cl.setOut(new PrintWriter(stdout));
        cl.setErr(new PrintWriter(new StringWriter()));
        assertEquals(0, cl.execute("replay", "--url", "http://127.0.0.1:" + port, "--app", "chat", "--trace",
                trace.toString(), "--timeout", "5", "--out", out.toString()));
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(2, summary.get("rejected").asLong());
        assertEquals(2, summary.get("reject_reasons").get("connection failed").asLong(), summary.toString());
    }

    static Path shared(String name) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("shared/traces"))) {
                return p.resolve("shared/traces").resolve(name);
            }
        }
        throw new IllegalStateException("no shared/traces above " + Path.of("").toAbsolutePath());
    }

    @Test
    void requestsCsvKeepsTheTracesOwnIds() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/v1/chat/completions", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                ex.getResponseHeaders().set("Content-Type", "text/event-stream");
                ex.sendResponseHeaders(200, 0);
                ex.getResponseBody().write(("data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n"
                        + "data: {\"choices\":[],\"usage\":{\"completion_tokens\":1}}\n\ndata: [DONE]\n\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
        try {
            Path trace = tmp.resolve("ids.jsonl");
            Files.writeString(trace, """
                    {"arrival_s":0.0,"app":"default","id":"conv-7","text_tokens":10,"output_tokens":1}
                    {"arrival_s":0.05,"app":"default","text_tokens":10,"output_tokens":1}
                    {"arrival_s":0.1,"app":"default","id":"conv-9","text_tokens":10,"output_tokens":1}
                    """);
            Path out = tmp.resolve("ids");
            CommandLine cl = CornserveMain.commandLine();
            StringWriter stderr = new StringWriter();
            cl.setOut(new PrintWriter(new StringWriter()));
            cl.setErr(new PrintWriter(stderr));
            assertEquals(0, cl.execute("replay", "--url", "http://127.0.0.1:" + server.getAddress().getPort(), "--app",
                    "tiny-omni", "--trace", trace.toString(), "--out", out.toString()), stderr.toString());
            List<String> rows = Files.readAllLines(out.resolve("requests.csv"));
            assertEquals(List.of("conv-7", "", "conv-9"), rows.subList(1, 4).stream().map(r -> r.split(",", -1)[1])
                    .toList());
        } finally {
            server.stop(0);
        }
    }
}
