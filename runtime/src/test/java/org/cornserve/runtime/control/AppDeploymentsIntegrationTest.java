package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.runtime.gateway.Gateway;
import org.cornserve.runtime.gateway.GatewaySettings;
import org.cornserve.runtime.launch.ExecutorLauncher;
import org.cornserve.runtime.launch.ExecutorSpec;
import org.cornserve.runtime.launch.LaunchedExecutor;
import org.cornserve.runtime.launch.LocalProcessLauncher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Apps decide what runs, over real HTTP: the built-in apps deploy what they need at start; unregistering the last
 * app on a deployment drains it (a streamed answer in flight finishes) and stops its executor; registering an app
 * starts what it needs and answers once it serves; an app on a deployment another app uses starts nothing; an app
 * whose executor cannot start is refused with 503 and leaves nothing behind.
 */
@Tag("integration")
class AppDeploymentsIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static final String PAINTER = """
            package demo;

            import org.cornserve.model.Modality;
            import org.cornserve.runtime.app.*;

            public final class Painter implements UnaryApp<Painter.Request, Painter.Response> {
                public record Request(String prompt) {}
                public record Response(int pngBytes) {}

                public AppConfig config() {
                    return AppConfig.of("gen", Task.of("tiny-image", Modality.IMAGE));
                }

                public Response serve(Request r, AppContext ctx) throws Exception {
                    return new Response(ctx.call("gen", TaskInput.text(r.prompt())).collect().image().length);
                }
            }
            """;

    static final String ECHO = """
            package demo;

            import org.cornserve.runtime.app.*;

            public final class Echo implements UnaryApp<Echo.Request, Echo.Response> {
                public record Request(String prompt) {}
                public record Response(String text) {}

                public AppConfig config() {
                    return AppConfig.of("llm", Task.of("tiny-vl"));
                }

                public Response serve(Request r, AppContext ctx) throws Exception {
                    return new Response(ctx.call("llm", TaskInput.text(r.prompt()).withSampling(4, 0.0, 1L))
                            .collect().text());
                }
            }
            """;

    /** Local processes, except that a launch fails while {@link #failing} is set (an executor that cannot start). */
    static final class FlakyLauncher implements ExecutorLauncher, AutoCloseable {
        final LocalProcessLauncher local = new LocalProcessLauncher();
        final AtomicBoolean failing = new AtomicBoolean();

        @Override
        public LaunchedExecutor launch(ExecutorSpec spec) {
            if (failing.get()) {
                throw new IllegalStateException("injected: no device for " + spec.id());
            }
            return local.launch(spec);
        }

        @Override
        public void close() {
            local.close();
        }
    }

    @Test
    @Timeout(600)
    void appsDeployWhatTheyNeedAndUnregisteringStopsWhatNoAppUses() throws Exception {
        Path shm = Files.createTempDirectory("cornserve-it");
        String token = GatewaySettings.newAdminToken();
        FlakyLauncher launcher = new FlakyLauncher();
        try (ControlPlane runtime = new ControlPlane(PlanValidator.builtIn().readAndValidate(
                Path.of("src/test/resources/plans/tiny-vl-image-cpu.json")), DeviceSlots.parse("cpu:2"),
                RuntimeOptions.defaults().withShmDir(shm).withDeployOnRegister(true),
                launcher, launcher);
                Gateway gateway = Gateway.start(GatewaySettings.loopback(0, token), runtime)) {
            String url = gateway.url();
            // the built-in chat (tiny-vl) and image (tiny-image) apps deployed both at start
            JsonNode start = deployments(url, token);
            assertEquals(List.of("UP"), statuses(start, "vl"), start.toString());
            assertEquals(List.of("UP"), statuses(start, "image"), start.toString());
            assertEquals(List.of("chat"), apps(start, "vl"));
            assertEquals(List.of("image"), apps(start, "image"));
            assertEquals(2, liveChildren());

            // a streamed answer on vl is in flight when its last app leaves: it finishes, then vl stops
            assertEquals(200, send(url, "DELETE", "/apps/image", token, null).statusCode());
            awaitDeployments(url, token, d -> !live(d, "image"));
            awaitChildren(1);
            HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(URI.create(url
                    + "/v1/chat/completions")).timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers
                    .ofString("{\"model\":\"tiny-vl\",\"stream\":true,\"max_tokens\":200,\"messages\":[{\"role\":"
                            + "\"user\",\"content\":\"tell me a long story\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, stream.statusCode());
            List<String> events = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null && events.size() < 3; ) {
                    if (line.startsWith("data: ")) {
                        events.add(line);
                    }
                }
                assertEquals(200, send(url, "DELETE", "/apps/chat", token, null).statusCode());
                JsonNode draining = deployments(url, token);
                assertEquals(List.of(), apps(draining, "vl"));
                assertTrue(List.of(List.of("DRAINING"), List.of()).contains(statuses(draining, "vl")),
                        draining.toString());
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("data: ")) {
                        events.add(line);
                    }
                }
            }
            assertEquals("data: [DONE]", events.get(events.size() - 1), "the answer in flight finished");
            assertTrue(events.stream().noneMatch(e -> e.contains("\"error\"")), events.toString());
            awaitDeployments(url, token, d -> !live(d, "vl"));
            awaitChildren(0);
            HttpResponse<String> nothing = send(url, "POST", "/v1/chat/completions", null,
                    "{\"model\":\"tiny-vl\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(503, nothing.statusCode(), "no app, no replica: " + nothing.body());

            // registering starts what the app needs and answers once it serves
            HttpResponse<String> painter = send(url, "POST", "/apps?id=painter", token, PAINTER);
            assertEquals(201, painter.statusCode(), painter.body());
            JsonNode afterPainter = deployments(url, token);
            assertEquals(List.of("UP"), statuses(afterPainter, "image"), "up when the register call answers: "
                    + afterPainter);
            assertEquals(List.of("painter"), apps(afterPainter, "image"));
            assertEquals(1, liveChildren());
            HttpResponse<String> drawn = send(url, "POST", "/apps/painter/invoke", null, "{\"prompt\":\"a boat\"}");
            assertEquals(200, drawn.statusCode(), drawn.body());
            assertTrue(JSON.readTree(drawn.body()).get("png_bytes").asInt() > 100, drawn.body());

            // two apps on tiny-vl share one deployment: the second starts nothing
            assertEquals(201, send(url, "POST", "/apps?id=echo", token, ECHO).statusCode());
            assertEquals(2, liveChildren());
            HttpResponse<String> again = send(url, "POST", "/apps?id=echo-two", token, ECHO);
            assertEquals(201, again.statusCode(), again.body());
            assertEquals(2, liveChildren(), "a shared deployment starts no executor");
            assertEquals(List.of("echo", "echo-two"), apps(deployments(url, token), "vl"));
            assertEquals(200, send(url, "DELETE", "/apps/echo", token, null).statusCode());
            HttpResponse<String> echoed = send(url, "POST", "/apps/echo-two/invoke", null, "{\"prompt\":\"hi\"}");
            assertEquals(200, echoed.statusCode(), "vl still serves echo-two: " + echoed.body());
            assertEquals(2, liveChildren());

            // an executor that cannot start: 503 with the reason, nothing registered, nothing left running
            assertEquals(200, send(url, "DELETE", "/apps/painter", token, null).statusCode());
            awaitDeployments(url, token, d -> !live(d, "image"));
            awaitChildren(1);
            launcher.failing.set(true);
            HttpResponse<String> refused = send(url, "POST", "/apps?id=painter", token, PAINTER);
            launcher.failing.set(false);
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("image") && refused.body().contains("injected"), refused.body());
            HttpResponse<String> list = send(url, "GET", "/apps", null, null);
            assertTrue(!list.body().contains("painter"), list.body());
            JsonNode afterRefusal = awaitDeployments(url, token, d -> !live(d, "image"));
            assertEquals(List.of(), apps(afterRefusal, "image"));
            awaitChildren(1);
            assertEquals(201, send(url, "POST", "/apps?id=painter", token, PAINTER).statusCode(),
                    "the same app registers once executors can start");
        }
        awaitChildren(0);
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList(), "no shared-memory file is left");
        }
    }

    private static long liveChildren() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
    }

    private static void awaitChildren(long n) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (liveChildren() != n && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(n, liveChildren(), "executor processes");
    }

    private JsonNode awaitDeployments(String url, String token, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        JsonNode d = deployments(url, token);
        while (!done.test(d) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            d = deployments(url, token);
        }
        assertTrue(done.test(d), d.toString());
        return d;
    }

    /** Whether a deployment has a replica that is neither removed nor down. */
    private static boolean live(JsonNode all, String name) {
        return statuses(all, name).stream().anyMatch(s -> !s.equals("DOWN"));
    }

    private JsonNode deployments(String url, String token) throws Exception {
        HttpResponse<String> r = send(url, "GET", "/admin/deployments", token, null);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode deployment(JsonNode all, String name) {
        for (JsonNode d : all.get("deployments")) {
            if (d.get("name").asText().equals(name)) {
                return d;
            }
        }
        throw new AssertionError("no deployment " + name + " in " + all);
    }

    /** The statuses of a deployment's replicas that are not removed. */
    private static List<String> statuses(JsonNode all, String name) {
        List<String> out = new ArrayList<>();
        deployment(all, name).get("replicas").forEach(r -> out.add(r.get("status").asText()));
        return out.stream().filter(s -> !s.equals("REMOVED")).toList();
    }

    private static List<String> apps(JsonNode all, String name) {
        List<String> out = new ArrayList<>();
        deployment(all, name).get("apps").forEach(a -> out.add(a.asText()));
        return out;
    }

    private HttpResponse<String> send(String url, String method, String path, String token, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(180))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
