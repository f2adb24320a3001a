package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.cornserve.runtime.gateway.Gateway;
import org.cornserve.runtime.gateway.GatewaySettings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One of two replicas' executor processes is killed under load, over real HTTP: the requests it held that had sent
 * nothing to their clients run again on the other replica and complete; only those whose answers had started
 * streaming fail (with the stage named); the retries and the executor's restart show in {@code /metrics}.
 */
@Tag("integration")
class RetryIntegrationTest {
    /** Removed after the class's tests (a temp directory made by hand would stay behind in /tmp). */
    @org.junit.jupiter.api.io.TempDir
    static Path itRoot;

    private static final int REQUESTS = 12;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** What one streamed chat completion got. */
    private record Outcome(int status, boolean content, boolean done, String error) {
    }

    @Test
    @Timeout(600)
    void requestsHeldByAKilledExecutorCompleteOnTheOtherReplica() throws Exception {
        Path shm = Files.createTempDirectory(itRoot, "cornserve-it");
        try (ControlPlane runtime = AdminHttp.start("tiny-vl-two-replicas.json", "cpu:2", RuntimeOptions.defaults()
                .withShmDir(shm).withDeployOnRegister(true).withRequestTimeoutMillis(120_000));
                Gateway gateway = Gateway.start(GatewaySettings.loopback(0, GatewaySettings.newAdminToken()), runtime);
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            TaskManager vl = runtime.taskManagers().get(0);
            CountDownLatch firstContent = new CountDownLatch(1);
            List<Future<Outcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                int n = i;
                outcomes.add(clients.submit(() -> stream(gateway.url(), "story number " + n + " please", firstContent)));
            }
            assertTrue(firstContent.await(120, TimeUnit.SECONDS), "some answer starts streaming");
            ExecutorHandle victim = null;
            for (int r = 0; r < vl.replicaCount() && victim == null; r++) {
                ExecutorHandle h = vl.executor(r);
                victim = h != null && h.ready() && !vl.removed(r) ? h : null;
            }
            assertTrue(victim != null, "a ready replica to kill");
            victim.kill();

            int completed = 0;
            int failedAfterContent = 0;
            for (Future<Outcome> f : outcomes) {
                Outcome o = f.get(180, TimeUnit.SECONDS);
                if (o.done() && o.error() == null) {
                    completed++;
                } else {
                    assertTrue(o.content(), "a request that had sent nothing to its client runs again: " + o);
                    assertTrue(o.error().contains("tiny-vl/llm") && o.error().contains("already gone to the client"),
                            o.error());
                    failedAfterContent++;
                }
            }
            assertTrue(failedAfterContent <= 2, "only the killed replica's running batch (max_num_seqs 2) had "
                    + "streamed: " + failedAfterContent + " failed");
            assertEquals(REQUESTS, completed + failedAfterContent);

            long deadline = System.nanoTime() + 120_000_000_000L;
            String metrics = metrics(gateway.url());
            while (value(metrics, "cornserve_executor_restarts_total") < 1 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                metrics = metrics(gateway.url());
            }
            assertEquals(1, value(metrics, "cornserve_executor_restarts_total"), metrics);
            double retried = value(metrics, "cornserve_requests_retried_total");
            assertTrue(retried >= 1, "the killed replica held queued requests: " + metrics);
            assertTrue(completed >= retried, "every retried request completed: " + completed + " completed, "
                    + retried + " retried");
            System.out.printf("killed %s under %d streamed requests: %d completed (%.0f of them retried on the other"
                    + " replica), %d failed after their answers had started streaming%n", victim, REQUESTS, completed,
                    retried, failedAfterContent);
        }
        long until = System.nanoTime() + 20_000_000_000L;
        while (ProcessHandle.current().children().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), "executors left");
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList(), "no shared-memory file is left");
        }
    }

    private Outcome stream(String url, String prompt, CountDownLatch firstContent) throws Exception {
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(150)).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny-vl\","
                        + "\"stream\":true,\"max_tokens\":48,\"temperature\":0,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"" + prompt + "\"}]}")).build(), HttpResponse.BodyHandlers.ofInputStream());
        boolean content = false;
        boolean done = false;
        String error = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            if (r.statusCode() != 200) {
                return new Outcome(r.statusCode(), false, false, in.readLine());
            }
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals("data: [DONE]")) {
                    done = true;
                } else if (line.contains("\"error\"")) {
                    error = line;
                } else if (line.matches(".*\"content\":\"[^\"]+\".*")) {
                    content = true;
                    firstContent.countDown();
                }
            }
        }
        return new Outcome(200, content, done, error);
    }

    private String metrics(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).timeout(Duration.ofSeconds(30)).GET()
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static double value(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{deployment=\"vl\"} ([0-9.eE+]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
