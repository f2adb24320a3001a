package org.cornserve.runtime.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.cornserve.runtime.serve.local.LocalEngineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gateway over real HTTP on a free port, in front of the in-process engine: every built-in app, apps from source. */
@Tag("integration")
@Timeout(120)
class GatewayIntegrationTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer server;

    @BeforeAll
    static void start() {
        // generating to max_tokens past end-of-sequence, so the arena's three answers have a known length
        server = new TestServer(LocalEngineSettings.defaults(2).withIgnoreEos(true),
                GatewaySettings.DEFAULT_MAX_BODY_BYTES);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void healthModelsAndBuiltInApps() throws Exception {
        JsonNode health = json(server.get("/health"));
        assertEquals("ok", health.get("status").asText());
        JsonNode models = json(server.get("/v1/models"));
        Set<String> ids = new HashSet<>();
        models.get("data").forEach(m -> ids.add(m.get("id").asText()));
        assertEquals(Set.of("tiny-vl", "tiny-vl-seed1", "tiny-vl-seed2", "tiny-omni", "tiny-image"), ids);
        Set<String> apps = new HashSet<>();
        json(server.get("/apps")).get("apps").forEach(a -> apps.add(a.get("id").asText()));
        assertTrue(apps.containsAll(Set.of("chat", "voice", "arena", "image")), apps.toString());
    }

    @Test
    void multimodalChatAppReadsTheImage() throws Exception {
        String body = "{\"prompt\": \"What is this?\", \"images\": [\"" + TestMedia.pngDataUrl(64)
                + "\"], \"max_tokens\": 12, \"temperature\": 0}";
        HttpResponse<String> r = server.post("/apps/chat/invoke", body);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode n = json(r);
        // BOS + 4 image tokens (64 px -> 56 px -> 2x2 tokens of 28 px) + 13 prompt bytes
        assertEquals(1 + 4 + "What is this?".length(), n.get("prompt_tokens").asInt());
        assertEquals(12, n.get("completion_tokens").asInt());
        HttpResponse<String> without = server.post("/apps/chat/invoke",
                "{\"prompt\": \"What is this?\", \"max_tokens\": 12, \"temperature\": 0}");
        assertEquals(1 + "What is this?".length(), json(without).get("prompt_tokens").asInt());
    }

    @Test
    void voiceAssistantAnswersWithTextAndAWav() throws Exception {
        String wav = Base64.getEncoder().encodeToString(TestMedia.wav(1.0));
        HttpResponse<String> r = server.post("/apps/voice/invoke",
                "{\"prompt\": \"Say hello\", \"audio\": \"" + wav + "\", \"max_tokens\": 8}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode n = json(r);
        byte[] audio = Base64.getDecoder().decode(n.get("audio").asText());
        assertEquals("RIFF", new String(audio, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertTrue(audio.length > 24000, "at least a second of 16-bit speech at 24 kHz: " + audio.length);
        // 1 s of audio is 25 audio tokens
        assertEquals(1 + 25 + "Say hello".length(), n.get("prompt_tokens").asInt());
    }

    @Test
    void imageAppReturnsAPng() throws Exception {
        HttpResponse<String> r = server.post("/apps/image/invoke", "{\"prompt\": \"a red boat\", \"seed\": 3}");
        assertEquals(200, r.statusCode(), r.body());
        String url = json(r).get("image").asText();
        assertTrue(url.startsWith("data:image/png;base64,"), url.substring(0, 30));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(url.substring(22))));
        assertEquals(128, img.getWidth());
        assertEquals(128, img.getHeight());
    }

    @Test
    void arenaStreamsThreeAnswersInterleaved() throws Exception {
        HttpResponse<String> r = server.post("/apps/arena/invoke", "{\"prompt\": \"Tell me a story\", \"image\": \""
                + TestMedia.pngDataUrl(56) + "\", \"max_tokens\": 64, \"temperature\": 0.8, \"seed\": 5}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/x-ndjson", r.headers().firstValue("Content-Type").orElse(""));
        List<String> order = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (String line : r.body().split("\n")) {
            JsonNode c = JSON.readTree(line);
            assertFalse(done.contains(c.get("model").asText()), "no chunk after a model's done: " + line);
            if (c.get("done").asBoolean()) {
                done.add(c.get("model").asText());
            } else {
                order.add(c.get("model").asText());
            }
        }
        assertEquals(Set.of("tiny-vl", "tiny-vl-seed1", "tiny-vl-seed2"), done);
        int switches = 0;
        for (int i = 1; i < order.size(); i++) {
            switches += order.get(i).equals(order.get(i - 1)) ? 0 : 1;
        }
        assertTrue(switches > 2, "the three answers interleave, not one after another: " + order);
    }

    @Test
    void arenaSpeaksServerSentEventsWhenAsked() throws Exception {
        HttpResponse<String> r = server.post("/apps/arena/invoke", "{\"prompt\": \"Hi\", \"max_tokens\": 4}",
                "Accept", "text/event-stream");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        String[] events = r.body().split("\n\n");
        assertEquals("data: [DONE]", events[events.length - 1]);
        for (int i = 0; i < events.length - 1; i++) {
            assertTrue(events[i].startsWith("data: {"), events[i]);
        }
    }

    static final String SHOUT_APP = """
            package demo;

            import org.cornserve.runtime.app.*;

            public final class ShoutApp implements UnaryApp<ShoutApp.Request, ShoutApp.Response> {
                public record Request(String prompt) {}
                public record Response(String text, String shouted, int completionTokens) {}

                public AppConfig config() {
                    return AppConfig.of("llm", Task.of("tiny-vl"));
                }

                public Response serve(Request r, AppContext ctx) throws Exception {
                    TaskResult res = ctx.call("llm", TaskInput.text(r.prompt()).withSampling(6, 0.0, 1L)).collect();
                    return new Response(res.text(), r.prompt().toUpperCase(), res.completionTokens());
                }
            }
            """;

    @Test
    void anAppRegisteredFromSourceServesAndCanBeRemoved() throws Exception {
        HttpResponse<String> reg = server.post("/apps?id=shout", SHOUT_APP, server.admin());
        assertEquals(201, reg.statusCode(), reg.body());
        assertEquals("demo.ShoutApp", json(reg).get("class").asText());
        assertEquals("llm", json(reg).get("tasks").fieldNames().next());
        HttpResponse<String> again = server.post("/apps?id=shout", SHOUT_APP, server.admin());
        assertEquals(409, again.statusCode(), again.body());
        HttpResponse<String> r = server.post("/apps/shout/invoke", "{\"prompt\": \"hello\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("HELLO", json(r).get("shouted").asText());
        assertTrue(json(r).get("completion_tokens").asInt() >= 1);
        assertEquals(200, server.delete("/apps/shout", server.admin()).statusCode());
        HttpResponse<String> gone = server.post("/apps/shout/invoke", "{\"prompt\": \"hello\"}");
        assertEquals(404, gone.statusCode());
        assertTrue(gone.body().contains("no app 'shout'"), gone.body());
    }

    @Test
    void metricsShowRequestsLatenciesAndDeployments() throws Exception {
        server.post("/apps/chat/invoke", "{\"prompt\": \"hi\", \"max_tokens\": 4}");
        HttpResponse<String> m = server.get("/metrics");
        assertEquals(200, m.statusCode());
        String text = m.body();
        for (String series : List.of("cornserve_requests_total{route=\"invoke\",status=\"200\",target=\"chat\"}",
                "cornserve_request_duration_seconds_bucket", "cornserve_gateway_overhead_seconds_bucket",
                "cornserve_time_to_first_token_seconds_bucket{model=\"tiny-vl\"",
                "cornserve_time_per_output_token_seconds_bucket{model=\"tiny-vl\"",
                "cornserve_deployment_queue_length{deployment=\"vision-encoder\"}",
                "cornserve_deployment_utilisation{deployment=\"tiny-vl/llm\"}",
                "cornserve_deployment_running{deployment=\"tiny-omni/talker\"}",
                "cornserve_executor_restarts_total{deployment=\"tiny-vl/llm\"} 0")) {
            assertTrue(text.contains(series), series + " in\n" + text);
        }
    }
}
