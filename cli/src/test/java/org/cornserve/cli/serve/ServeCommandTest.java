package org.cornserve.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code cornserve serve} as a separate process: its two lines, its token file, a request, a clean SIGTERM stop. */
@Tag("integration")
@Timeout(180)
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void inProcessPrintsItsAddressAndTokenServesAndStopsOnSigterm() throws Exception {
        serveCallAndStop(List.of("--in-process", "--devices", "cpu:1"), "LocalEngineInvoker", "tiny-vl");
    }

    @Test
    void embeddedPlanServesThroughExecutorProcessesAndLeavesNothingBehind() throws Exception {
        serveCallAndStop(List.of("--devices", "cpu:2"), "(embedded default)", "tiny-omni");
    }

    @Test
    void theSocketTensorTransportCanBeForcedOnOneMachine() throws Exception {
        serveCallAndStop(List.of("--devices", "cpu:2", "--tensor-transport", "socket"),
                "(tensors between executors: socket)", "tiny-omni");
    }

    private void serveCallAndStop(List<String> options, String stderrSays, String model) throws Exception {
        Path tokenFile = dir.resolve("token");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Set<String> shmBefore = shmFiles();
        List<String> command = new java.util.ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), "org.cornserve.cli.CornserveMain", "serve", "--port", "0",
                "--token-file", tokenFile.toString()));
        command.addAll(options);
        Process p = new ProcessBuilder(command).redirectError(dir.resolve("stderr.txt").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            String second = out.readLine();
            Matcher m = Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+))").matcher(String.valueOf(first));
            assertTrue(m.matches(), "first line: " + first + "\nstderr: " + Files.readString(dir.resolve("stderr.txt")));
            String token = Files.readString(tokenFile).trim();
            assertTrue(token.matches("[0-9a-f]{32}"), token);
            assertEquals("admin token " + token + " (written to " + tokenFile + ")", second);
            assertTrue(Files.readString(dir.resolve("stderr.txt")).contains(stderrSays),
                    "says on stderr what it serves: " + stderrSays);

            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI apps = URI.create(m.group(1) + "/apps?id=again");
            HttpResponse<String> unauthorised = client.send(HttpRequest.newBuilder(apps)
                    .POST(HttpRequest.BodyPublishers.ofString("class X {}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, unauthorised.statusCode());
            HttpResponse<String> chat = client.send(HttpRequest.newBuilder(URI.create(m.group(1)
                    + "/v1/chat/completions")).timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"model\": \"" + model + "\", \"max_tokens\": 4, \"messages\": [{\"role\": \"user\", \"content\": "
                            + "\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, chat.statusCode(), chat.body());
            assertTrue(chat.body().contains("\"usage\""));

            List<ProcessHandle> children = p.descendants().toList();
            long t0 = System.nanoTime();
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "stops within 20 s of SIGTERM");
            System.out.printf("stopped %.1f s after SIGTERM, exit %d%n", (System.nanoTime() - t0) / 1e9, p.exitValue());
            assertThrows(ConnectException.class, () -> client.send(HttpRequest.newBuilder(URI.create(m.group(1)
                    + "/health")).build(), HttpResponse.BodyHandlers.ofString()));
            for (ProcessHandle child : children) {
                child.onExit().get(10, TimeUnit.SECONDS);
                assertFalse(child.isAlive(), "child process " + child.pid() + " outlives the server");
            }
            Set<String> left = shmFiles();
            left.removeAll(shmBefore);
            // only this server's session (cornserve-s<pid>-...): other builds on a shared machine make their own
            left.removeIf(f -> !f.startsWith("cornserve-s" + p.pid() + "-"));
            assertEquals(Set.of(), left, "shared-memory files left behind");
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Set<String> shmFiles() throws java.io.IOException {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm)) {
            return new java.util.HashSet<>();
        }
        try (var files = Files.list(shm)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("cornserve-"))
                    .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
        }
    }

    @Test
    void badDevicesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServeCommand.cpuDevices("gpu:8"));
        assertTrue(e.getMessage().contains("only cpu:N"), e.getMessage());
        assertEquals(3, ServeCommand.cpuDevices("cpu:3"));
    }
}
