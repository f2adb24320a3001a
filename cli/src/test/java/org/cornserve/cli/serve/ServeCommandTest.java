package org.cornserve.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void printsItsAddressAndTokenServesAndStopsOnSigterm() throws Exception {
        Path tokenFile = dir.resolve("token");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), "org.cornserve.cli.CornserveMain", "serve", "--port", "0",
                "--devices", "cpu:1", "--token-file", tokenFile.toString()))
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            String second = out.readLine();
            Matcher m = Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+))").matcher(String.valueOf(first));
            assertTrue(m.matches(), "first line: " + first + "\nstderr: " + Files.readString(dir.resolve("stderr.txt")));
            String token = Files.readString(tokenFile).trim();
            assertTrue(token.matches("[0-9a-f]{32}"), token);
            assertEquals("admin token " + token + " (written to " + tokenFile + ")", second);
            assertTrue(Files.readString(dir.resolve("stderr.txt")).contains("LocalEngineInvoker"),
                    "says on stderr that it serves in-process");

            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI apps = URI.create(m.group(1) + "/apps?id=again");
            HttpResponse<String> unauthorised = client.send(HttpRequest.newBuilder(apps)
                    .POST(HttpRequest.BodyPublishers.ofString("class X {}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, unauthorised.statusCode());
            HttpResponse<String> chat = client.send(HttpRequest.newBuilder(URI.create(m.group(1)
                    + "/v1/chat/completions")).timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"model\": \"tiny-vl\", \"max_tokens\": 4, \"messages\": [{\"role\": \"user\", \"content\": "
                            + "\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, chat.statusCode(), chat.body());
            assertTrue(chat.body().contains("\"usage\""));

            long t0 = System.nanoTime();
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "stops within 20 s of SIGTERM");
            System.out.printf("stopped %.1f s after SIGTERM, exit %d%n", (System.nanoTime() - t0) / 1e9, p.exitValue());
            assertThrows(ConnectException.class, () -> client.send(HttpRequest.newBuilder(URI.create(m.group(1)
                    + "/health")).build(), HttpResponse.BodyHandlers.ofString()));
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
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
