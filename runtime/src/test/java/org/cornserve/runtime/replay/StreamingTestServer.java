package org.cornserve.runtime.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on a loopback port for replay tests (JDK HttpServer, virtual threads): it speaks the two
 * endpoints a replay calls and streams {@code max_tokens} tokens with known delays.
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: waits {@code headerDelayMs}, sends the headers, then per token waits
 *       {@code tokenDelayMs} and sends one SSE chunk; then a usage chunk and {@code data: [DONE]}. Answers 503 at
 *       once to every {@code failEvery}-th request (1-based; 0 = never), and never finishes the request whose
 *       prompt starts with {@code "hang"}.</li>
 *   <li>{@code POST /apps/{id}/invoke}: the same timing as NDJSON lines {@code {"text": "..."}}.</li>
 * </ul>
 * A server made with {@code speechSeconds > 0} answers a chat request that asks for {@code modalities} audio with,
 * after the last token, one more token delay and a {@code delta.audio} chunk holding a WAV of that many seconds.
 * It keeps every request body it got and the most requests it had open at once.
 */
final class StreamingTestServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final long headerDelayMs;
    private final long tokenDelayMs;
    private final int failEvery;
    private final String speechWav;
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    final ConcurrentHashMap<String, Integer> paths = new ConcurrentHashMap<>();

    StreamingTestServer(long headerDelayMs, long tokenDelayMs, int failEvery) throws IOException {
        this(headerDelayMs, tokenDelayMs, failEvery, 0);
    }

    StreamingTestServer(long headerDelayMs, long tokenDelayMs, int failEvery, double speechSeconds)
            throws IOException {
        this.speechWav = speechSeconds > 0
                ? java.util.Base64.getEncoder().encodeToString(SyntheticMedia.wav(speechSeconds, 7)) : null;
        this.headerDelayMs = headerDelayMs;
        this.tokenDelayMs = tokenDelayMs;
        this.failEvery = failEvery;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    int maxOpen() {
        return maxOpen.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        int n = ex.getRequestMethod().equals("POST") ? count.incrementAndGet() : 0;
        maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        try (ex) {
            if (!ex.getRequestMethod().equals("POST")) {
                send(ex, 404, "{\"error\":{\"message\":\"only POST\"}}");
                return;
            }
            JsonNode body = JSON.readTree(ex.getRequestBody());
            bodies.add(body);
            String path = ex.getRequestURI().getPath();
            paths.merge(path, 1, Integer::sum);
            boolean chat = path.equals("/v1/chat/completions");
            if (!chat && !path.matches("/apps/[^/]+/invoke")) {
                send(ex, 404, "{\"error\":{\"message\":\"no such path\"}}");
                return;
            }
            if (failEvery > 0 && n % failEvery == 0) {
                send(ex, 503, "{\"error\":{\"message\":\"overloaded\"}}");
                return;
            }
            String prompt = chat ? promptOf(body.get("messages").get(0).get("content")) : body.get("prompt").asText();
            int tokens = body.get("max_tokens").asInt();
            sleep(headerDelayMs);
            ex.getResponseHeaders().set("Content-Type", chat ? "text/event-stream" : "application/x-ndjson");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            if (prompt.startsWith("hang")) {
                sleep(60_000);
                return;
            }
            for (int i = 0; i < tokens; i++) {
                sleep(tokenDelayMs);
                String line = chat
                        ? "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"t" + i + " \"}}]}\n\n"
                        : "{\"text\":\"t" + i + " \"}\n";
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            boolean speech = chat && body.path("modalities").toString().contains("audio");
            if (speech && speechWav != null) {
                sleep(tokenDelayMs);
                out.write(("data: {\"choices\":[{\"index\":0,\"delta\":{\"audio\":{\"id\":\"a\",\"data\":\"" + speechWav
                        + "\"}}}]}\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            if (chat) {
                out.write(("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt.length()
                        + ",\"completion_tokens\":" + tokens + "}}\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
        } finally {
            open.decrementAndGet();
        }
    }

    private static String promptOf(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        for (JsonNode part : content) {
            if (part.get("type").asText().equals("text")) {
                return part.get("text").asText();
            }
        }
        return "";
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
