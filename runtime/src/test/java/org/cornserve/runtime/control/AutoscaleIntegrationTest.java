package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.runtime.gateway.Gateway;
import org.cornserve.runtime.gateway.GatewaySettings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scaling for real, over loopback HTTP: tiny-vl on 2 CPU slots, one replica at start, scaled on outstanding
 * invocations (4 per replica, 1 to 2 replicas, evaluated every 0.5 s). A burst of concurrent chat requests adds the
 * second replica (an executor process that serves once ready); when the burst ends it drains and stops. Every request
 * gets a 200, the decisions show in {@code /metrics} and {@code GET /admin/deployments}, and no executor process or
 * shared-memory file is left after close.
 */
@Tag("integration")
class AutoscaleIntegrationTest {
    /** Removed after the class's tests (a temp directory made by hand would stay behind in /tmp). */
    @org.junit.jupiter.api.io.TempDir
    static Path itRoot;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SECOND = 1_000_000_000L;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @Timeout(300)
    void aBurstAddsAReplicaThatServesAndTheQuietRemovesIt() throws Exception {
        Path shm = Files.createTempDirectory(itRoot, "cornserve-it");
        String token = GatewaySettings.newAdminToken();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long began = System.nanoTime(); // before serving begins: two replicas hold at most twice the time since
        try (ControlPlane runtime = Runtimes.start(PlanValidator.builtIn().readAndValidate(
                Path.of("src/test/resources/plans/tiny-vl-autoscale.json")), DeviceSlots.parse("cpu:2"),
                RuntimeOptions.defaults().withShmDir(shm).withIgnoreEos(true)
                        .withScaleIntervalNanos(SECOND / 2));
                Gateway gateway = Gateway.start(GatewaySettings.loopback(0, token), runtime)) {
            String url = gateway.url();
            JsonNode before = deployments(url, token);
            assertEquals(List.of("UP"), statuses(before), before.toString());
            JsonNode scaling = deployment(before).get("scaling");
            assertEquals("queue", scaling.get("autoscale").get("metric").asText(), before.toString());
            assertEquals(2, scaling.get("autoscale").get("max_replicas").asInt(), before.toString());

            // the burst: 24 clients in a closed loop until the added replica is up and has served a while
            AtomicBoolean burst = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < 24; c++) {
                int clientId = c;
                running.add(clients.submit(() -> {
                    for (int i = 0; burst.get() && i < 200; i++) {
                        sent.incrementAndGet();
                        chat(url, clientId * 1000 + i, statuses, failures);
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + 120 * SECOND;
            JsonNode during = deployments(url, token);
            while (!statuses(during).equals(List.of("UP", "UP")) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                during = deployments(url, token);
            }
            assertEquals(List.of("UP", "UP"), statuses(during), "the burst added a replica: " + during);
            Thread.sleep(1500); // the added replica takes work
            burst.set(false);
            for (Future<?> f : running) {
                f.get(120, java.util.concurrent.TimeUnit.SECONDS);
            }
            clients.shutdown();

            // quiet: the autoscaler removes one replica (down-cooldown 1 s), which drains and stops
            deadline = System.nanoTime() + 60 * SECOND;
            JsonNode after = deployments(url, token);
            // the replica's status and the scaling record are two views the admin endpoint reads one after the
            // other: wait for both (a CI run saw REMOVED with scale_downs still 0)
            while (!(statuses(after).contains("REMOVED") && deployment(after).get("scaling").get("scale_downs")
                    .asInt() >= 1) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                after = deployments(url, token);
            }
            assertEquals(1, statuses(after).stream().filter("UP"::equals).count(), after.toString());
            assertEquals(1, statuses(after).stream().filter("REMOVED"::equals).count(), after.toString());
            JsonNode s = deployment(after).get("scaling");
            assertEquals(1, s.get("scale_ups").asInt(), after.toString());
            assertEquals(1, s.get("scale_downs").asInt(), after.toString());
            for (JsonNode r : deployment(after).get("replicas")) {
                assertTrue(r.get("startup_seconds").asDouble() > 0, "start-up measured: " + after);
            }

            String metrics = send(url, "/metrics", null).body();
            assertEquals(1.0, metric(metrics, "cornserve_scale_ups_total{deployment=\"vl\"}"), metrics);
            assertEquals(1.0, metric(metrics, "cornserve_scale_downs_total{deployment=\"vl\"}"), metrics);
            assertEquals(1.0, metric(metrics, "cornserve_deployment_replicas{deployment=\"vl\",state=\"up\"}"),
                    metrics);
            assertEquals(2.0, metric(metrics, "cornserve_deployment_replicas_max{deployment=\"vl\"}"), metrics);
            assertTrue(metric(metrics, "cornserve_replica_startup_seconds{deployment=\"vl\",replica=\"1\"}") > 0,
                    metrics);
            double replicaSeconds = metric(metrics, "cornserve_replica_seconds_total{deployment=\"vl\"}");
            assertTrue(replicaSeconds > 0 && replicaSeconds <= 2 * (System.nanoTime() - began) / 1e9,
                    "replica-seconds held, at most two replicas' time: " + replicaSeconds);

            int removed = statuses(after).indexOf("REMOVED");
            List<String> log = new ArrayList<>();
            double lastAt = 0;
            for (JsonNode e : s.get("events")) {
                assertTrue(e.get("at_s").asDouble() >= lastAt, "events in time order: " + s);
                lastAt = e.get("at_s").asDouble();
                log.add(e.get("kind").asText() + " " + e.get("replica").asInt());
            }
            assertEquals(List.of("UP 0", "START 1", "UP 1", "STOP " + removed), log, "the scaler's log: " + s);
            assertEquals(List.of(), failures, "every request answered with 200");
            assertEquals(sent.get(), statuses.get(200).get(), statuses.toString());
            assertTrue(sent.get() >= 24, "a burst was sent: " + sent.get());
        }
        long until = System.nanoTime() + 10 * SECOND;
        while (ProcessHandle.current().descendants().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse("pid " + p.pid())).toList(), "no executor is left");
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList(), "no shared-memory file is left");
        }
    }

    private void chat(String url, int seed, Map<Integer, AtomicInteger> statuses, List<String> failures)
            throws Exception {
        String body = "{\"model\": \"tiny-vl\", \"max_tokens\": 24, \"seed\": " + seed
                + ", \"messages\": [{\"role\": \"user\", \"content\": \"Tell me a story about request " + seed
                + "\"}]}";
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
        if (r.statusCode() != 200) {
            failures.add(r.statusCode() + " " + r.body());
        } else if (JSON.readTree(r.body()).get("usage").get("completion_tokens").asInt() != 24) {
            failures.add("not 24 tokens: " + r.body());
        }
    }

    private static double metric(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no series " + series + " in /metrics");
        }
        return Double.parseDouble(m.group(1));
    }

    private JsonNode deployments(String url, String token) throws Exception {
        HttpResponse<String> r = send(url, "/admin/deployments", token);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode deployment(JsonNode all) {
        return all.get("deployments").get(0);
    }

    private static List<String> statuses(JsonNode all) {
        List<String> out = new ArrayList<>();
        deployment(all).get("replicas").forEach(r -> out.add(r.get("status").asText()));
        return out;
    }

    private HttpResponse<String> send(String url, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
