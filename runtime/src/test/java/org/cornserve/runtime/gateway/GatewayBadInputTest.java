package org.cornserve.runtime.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.cornserve.runtime.serve.local.LocalEngineSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input and overload over real HTTP (server on port 0): each gets a 4xx or 503 whose message says what is wrong;
 * a client that leaves mid-stream cancels its request and frees its KV blocks.
 */
@Tag("integration")
@Timeout(120)
class GatewayBadInputTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer server;

    @BeforeAll
    static void start() {
        LocalEngineSettings d = LocalEngineSettings.defaults(2);
        // tiny-vl alone, at most 2 requests inside, each generating to its cap: enough to prove admission and
        // cancellation with requests of a known length
        LocalEngineSettings one = new LocalEngineSettings(List.of(d.models().get(0)), 2, 2, 4, 8192, 512, 8, 64, true);
        server = new TestServer(one, 64 * 1024);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String message(HttpResponse<String> r) throws Exception {
        JsonNode n = JSON.readTree(r.body());
        return n.get("error").get("message").asText();
    }

    static void assertError(HttpResponse<String> r, int status, String... fragments) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        String m = message(r);
        for (String f : fragments) {
            assertTrue(m.contains(f), "'" + f + "' in: " + m);
        }
    }

    @Test
    void malformedJsonSaysWhere() throws Exception {
        assertError(server.post("/apps/chat/invoke", "{\"prompt\": \"hi\",\n \"max_tokens\": }"), 400,
                "malformed JSON", "line 2");
        assertError(server.post("/v1/chat/completions", "{\"model\": \"tiny-vl\", \"messages\": [}"), 400,
                "malformed JSON", "line 1");
    }

    @Test
    void unknownFieldsAreNamed() throws Exception {
        assertError(server.post("/apps/chat/invoke", "{\"prompt\": \"hi\", \"temprature\": 0}"), 400,
                "unknown field 'temprature'", "known fields", "temperature");
        assertError(server.post("/v1/chat/completions", "{\"model\": \"tiny-vl\", \"messages\": [{\"role\": \"user\", "
                + "\"content\": \"hi\"}], \"top_k\": 3}"), 400, "unknown field 'top_k'", "max_tokens");
        assertError(server.post("/apps/chat/invoke", "{\"prompt\": \"hi\", \"max_tokens\": \"many\"}"), 400,
                "max_tokens");
    }

    @Test
    void badDataUrlsSayWhatIsWrong() throws Exception {
        assertError(server.post("/apps/chat/invoke", "{\"prompt\": \"hi\", \"images\": [\"http://x/cat.png\"]}"),
                400, "images[0]", "not a data URL");
        assertError(server.post("/apps/chat/invoke", "{\"prompt\": \"hi\", \"images\": [\"data:image/png;base64,"
                + "%%%\"]}"), 400, "not valid base64");
        assertError(server.post("/v1/chat/completions", "{\"model\": \"tiny-vl\", \"messages\": [{\"role\": \"user\", "
                + "\"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"data:image/png,abc\"}}]}]}"),
                400, "messages[0].content[0].image_url.url", "not base64");
        assertError(server.post("/v1/chat/completions", "{\"model\": \"tiny-vl\", \"messages\": [{\"role\": \"user\", "
                + "\"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"data:image/png;base64,"
                + "aGVsbG8=\"}}]}]}"), 400, "image 1", "not an image");
    }

    @Test
    void unknownAppsModelsAndRoutes() throws Exception {
        assertError(server.post("/apps/nope/invoke", "{}"), 404, "no app 'nope'", "chat");
        assertError(server.post("/v1/chat/completions", "{\"model\": \"gpt-9\", \"messages\": [{\"role\": \"user\", "
                + "\"content\": \"hi\"}]}"), 404, "model 'gpt-9'", "tiny-vl");
        assertError(server.get("/v2/everything"), 404, "no endpoint GET /v2/everything");
    }

    @Test
    void oversizedBodiesGet413() throws Exception {
        String big = "{\"prompt\": \"" + "x".repeat(70 * 1024) + "\"}";
        assertError(server.post("/apps/chat/invoke", big), 413, "limit", "65536");
    }

    @Test
    void adminEndpointsNeedTheToken() throws Exception {
        assertError(server.post("/apps", GatewayIntegrationTest.SHOUT_APP), 401, "Authorization: Bearer");
        assertError(server.post("/apps", GatewayIntegrationTest.SHOUT_APP, "Authorization", "Bearer wrong"), 401,
                "wrong admin token");
        assertError(server.delete("/apps/chat"), 401, "admin");
        assertEquals(200, server.post("/apps/chat/invoke", "{\"prompt\": \"still here\", \"max_tokens\": 2}")
                .statusCode());
    }

    @Test
    void appsThatDoNotCompileOrLackAPartAreRefusedAndChangeNothing() throws Exception {
        String before = server.get("/apps").body().replaceAll("\"registered_at\":\"[^\"]*\"", "");
        String broken = GatewayIntegrationTest.SHOUT_APP.replace("r.prompt().toUpperCase()", "r.prompt().shout()");
        HttpResponse<String> r = server.post("/apps?id=broken", broken, server.admin());
        assertError(r, 400, "does not compile", "line 15");
        JsonNode diag = JSON.readTree(r.body()).get("error").get("diagnostics").get(0);
        assertEquals(15, diag.get("line").asInt());
        assertTrue(diag.get("message").asText().contains("shout"), diag.toString());

        assertError(server.post("/apps", "package demo; public class Nothing { }", server.admin()), 400,
                "no class implementing UnaryApp or StreamingApp");
        assertError(server.post("/apps", GatewayIntegrationTest.SHOUT_APP.replace("AppConfig.of(\"llm\", Task.of("
                + "\"tiny-vl\"))", "null"), server.admin()), 400, "config()", "returned null");
        assertError(server.post("/apps", GatewayIntegrationTest.SHOUT_APP.replace("Task.of(\"tiny-vl\")",
                "Task.of(\"gpt-9\")"), server.admin()), 400, "model 'gpt-9'", "does not serve");
        assertError(server.post("/apps", GatewayIntegrationTest.SHOUT_APP.replace("public record Request(String "
                + "prompt) {}", "public static final class Request { public String prompt() { return \"\"; } }"),
                server.admin()), 400, "request type", "must be a record");
        assertError(server.post("/apps", "", server.admin()), 400, "empty");
        String after = server.get("/apps").body().replaceAll("\"registered_at\":\"[^\"]*\"", "");
        assertEquals(before, after);
    }

    @Test
    void overloadIsRefusedAtOnceAndADisconnectCancels() throws Exception {
        String longChat = "{\"model\": \"tiny-vl\", \"stream\": true, \"max_tokens\": 4000, \"temperature\": 0, "
                + "\"messages\": [{\"role\": \"user\", \"content\": \"go on\"}]}";
        HttpRequest req = HttpRequest.newBuilder(server.uri("/v1/chat/completions")).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(longChat)).build();
        HttpResponse<InputStream> a = server.client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> b = server.client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, a.statusCode());
        assertEquals(200, b.statusCode());
        InputStream sa = a.body();
        InputStream sb = b.body();
        sa.readNBytes(200);
        sb.readNBytes(200);
        assertEquals(2, server.invoker.inFlight());

        long t0 = System.nanoTime();
        HttpResponse<String> third = server.post("/v1/chat/completions", longChat);
        double ms = (System.nanoTime() - t0) / 1e6;
        assertError(third, 429, "admission", "2 requests");
        assertTrue(ms < 2000, "refused at once, not queued: " + ms + " ms");

        sa.close();
        sb.close();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.invoker.inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, server.invoker.inFlight(), "both streams were cancelled when their clients left");
        int[] kv = server.invoker.kvBlocks("tiny-vl");
        while (kv[0] != kv[1] && System.nanoTime() < deadline) {
            Thread.sleep(20);
            kv = server.invoker.kvBlocks("tiny-vl");
        }
        assertEquals(kv[1], kv[0], "every KV block is free again");
        String metrics = server.get("/metrics").body();
        assertTrue(metrics.contains("status=\"499\""), "the cancelled requests are counted as 499");
        assertTrue(new String(server.post("/apps/chat/invoke", "{\"prompt\": \"ok\", \"max_tokens\": 2}").body()
                .getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).contains("text"));
    }
}
