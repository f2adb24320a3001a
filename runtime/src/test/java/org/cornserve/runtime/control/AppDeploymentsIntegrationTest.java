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
    /** Removed after the class's tests (a temp directory made by hand would stay behind in /tmp). */
    @org.junit.jupiter.api.io.TempDir
    static Path itRoot;

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
        Path shm = Files.createTempDirectory(itRoot, "cornserve-it");
        String token = GatewaySettings.newAdminToken();
        FlakyLauncher launcher = new FlakyLauncher();
        try (ControlPlane runtime = new ControlPlane(PlanValidator.builtIn().readAndValidate(
                Path.of("src/test/resources/plans/tiny-vl-image-cpu.json")), DeviceSlots.parse("cpu:2"),
                RuntimeOptions.defaults().withShmDir(shm).withDeployOnRegister(true),
                launcher, launcher);
                Gateway gateway = Gateway.start(GatewaySettings.loopback(0, token), runtime)) {
            String url = gateway.url();
            AdminHttp admin = new AdminHttp(url, token);
            // the built-in chat (tiny-vl) and image (tiny-image) apps deployed both at start
            JsonNode start = admin.deployments();
            assertEquals(List.of("UP"), statuses(start, "vl"), start.toString());
            assertEquals(List.of("UP"), statuses(start, "image"), start.toString());
            assertEquals(List.of("chat"), AdminHttp.apps(start, "vl"));
            assertEquals(List.of("image"), AdminHttp.apps(start, "image"));
            assertEquals(2, liveChildren());
            assertEquals(List.of("tiny-vl", "tiny-image"), listedModels(url));

            // a streamed answer on vl is in flight when its last app leaves: it finishes, then vl stops
            assertEquals(200, admin.send("DELETE", "/apps/image", true, null).statusCode());
            awaitDeployments(admin, d -> !live(d, "image"));
            awaitChildren(1);
            assertEquals(List.of("tiny-vl"), listedModels(url), "GET /v1/models lists only what serves now");
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
                assertEquals(200, admin.send("DELETE", "/apps/chat", true, null).statusCode());
                JsonNode draining = admin.deployments();
                assertEquals(List.of(), AdminHttp.apps(draining, "vl"));
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
            awaitDeployments(admin, d -> !live(d, "vl"));
            awaitChildren(0);
            HttpResponse<String> nothing = admin.send("POST", "/v1/chat/completions", false,
                    "{\"model\":\"tiny-vl\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals(503, nothing.statusCode(), "no app, no replica: " + nothing.body());
            assertEquals(List.of(), listedModels(url), "nothing deployed, no model listed");

            // registering starts what the app needs and answers once it serves
            long t0 = System.nanoTime();
            HttpResponse<String> painter = admin.send("POST", "/apps?id=painter", true, PAINTER);
            double startingMs = (System.nanoTime() - t0) / 1e6;
            assertEquals(201, painter.statusCode(), painter.body());
            JsonNode afterPainter = admin.deployments();
            assertEquals(List.of("UP"), statuses(afterPainter, "image"), "up when the register call answers: "
                    + afterPainter);
            assertEquals(List.of("painter"), AdminHttp.apps(afterPainter, "image"));
            assertEquals(1, liveChildren());
            assertEquals(List.of("tiny-image"), listedModels(url));
            HttpResponse<String> drawn = admin.send("POST", "/apps/painter/invoke", false, "{\"prompt\":\"a boat\"}");
            assertEquals(200, drawn.statusCode(), drawn.body());
            assertTrue(JSON.readTree(drawn.body()).get("png_bytes").asInt() > 100, drawn.body());

            // two apps on tiny-vl share one deployment: the second starts nothing
            assertEquals(201, admin.send("POST", "/apps?id=echo", true, ECHO).statusCode());
            assertEquals(2, liveChildren());
            long t1 = System.nanoTime();
            HttpResponse<String> again = admin.send("POST", "/apps?id=echo-two", true, ECHO);
            double sharedMs = (System.nanoTime() - t1) / 1e6;
            assertEquals(201, again.statusCode(), again.body());
            System.out.printf("POST /apps: %.0f ms when it starts an executor (tiny-image), %.0f ms on a deployment"
                    + " already serving (compile and check included)%n", startingMs, sharedMs);
            assertEquals(2, liveChildren(), "a shared deployment starts no executor");
            assertEquals(List.of("echo", "echo-two"), AdminHttp.apps(admin.deployments(), "vl"));
            assertEquals(200, admin.send("DELETE", "/apps/echo", true, null).statusCode());
            HttpResponse<String> echoed = admin.send("POST", "/apps/echo-two/invoke", false, "{\"prompt\":\"hi\"}");
            assertEquals(200, echoed.statusCode(), "vl still serves echo-two: " + echoed.body());
            assertEquals(2, liveChildren());

            // an executor that cannot start: 503 with the reason, nothing registered, nothing left running
            assertEquals(200, admin.send("DELETE", "/apps/painter", true, null).statusCode());
            awaitDeployments(admin, d -> !live(d, "image"));
            awaitChildren(1);
            launcher.failing.set(true);
            HttpResponse<String> refused = admin.send("POST", "/apps?id=painter", true, PAINTER);
            launcher.failing.set(false);
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("image") && refused.body().contains("injected"), refused.body());
            HttpResponse<String> list = admin.send("GET", "/apps", false, null);
            assertTrue(!list.body().contains("painter"), list.body());
            JsonNode afterRefusal = awaitDeployments(admin, d -> !live(d, "image"));
            assertEquals(List.of(), AdminHttp.apps(afterRefusal, "image"));
            awaitChildren(1);
            assertEquals(201, admin.send("POST", "/apps?id=painter", true, PAINTER).statusCode(),
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

    /** The model ids {@code GET /v1/models} lists. */
    private List<String> listedModels(String url) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url + "/v1/models"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        List<String> ids = new ArrayList<>();
        JSON.readTree(r.body()).get("data").forEach(m -> ids.add(m.get("id").asText()));
        return ids;
    }

    private static void awaitChildren(long n) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (liveChildren() != n && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(n, liveChildren(), "executor processes");
    }

    private static JsonNode awaitDeployments(AdminHttp admin, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        JsonNode d = admin.deployments();
        while (!done.test(d) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            d = admin.deployments();
        }
        assertTrue(done.test(d), d.toString());
        return d;
    }

    /** Whether a deployment has a replica that is neither removed nor down. */
    private static boolean live(JsonNode all, String name) {
        return statuses(all, name).stream().anyMatch(s -> !s.equals("DOWN"));
    }

    /** The statuses of a deployment's replicas that are not removed. */
    private static List<String> statuses(JsonNode all, String name) {
        return AdminHttp.statuses(all, name).stream().filter(s -> !s.equals("REMOVED")).toList();
    }
}
