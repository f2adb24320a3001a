package org.cornserve.runtime.executor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The executor's health endpoint, what a pod's probes ask: {@code GET /health} answers 200 while the process runs
 * (liveness), {@code GET /ready} answers 200 once the executor's models are loaded and warmed up and 503 before
 * (readiness). A small JDK HTTP server on one daemon thread; started when the executor is given
 * {@code --health-port}.
 */
public final class ExecutorHealth implements AutoCloseable {
    public static final String LIVE_PATH = "/health";
    public static final String READY_PATH = "/ready";
    /** The port executor pods listen on for their probes. */
    public static final int DEFAULT_PORT = 8081;

    private final HttpServer server;
    private volatile boolean ready;

    private ExecutorHealth(HttpServer server) {
        this.server = server;
    }

    /** Listens on {@code port} (0: any free port) on every address. */
    public static ExecutorHealth start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 16);
        ExecutorHealth h = new ExecutorHealth(server);
        server.createContext(LIVE_PATH, ex -> h.answer(ex, 200, "ok"));
        server.createContext(READY_PATH, ex -> h.answer(ex, h.ready ? 200 : 503, h.ready ? "ready" : "loading"));
        server.createContext("/", ex -> h.answer(ex, 404, "no such path: " + ex.getRequestURI().getPath()));
        server.setExecutor(Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon()
                .name("executor-health").unstarted(r)));
        server.start();
        return h;
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Marks the executor ready: {@code /ready} answers 200 from now on. */
    public void markReady() {
        ready = true;
    }

    private void answer(HttpExchange ex, int status, String body) throws IOException {
        int code = status;
        if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
            code = 405;
            body = "GET only";
        } else if (code != 404 && !ex.getRequestURI().getPath().equals(ex.getHttpContext().getPath())) {
            code = 404;
            body = "no such path: " + ex.getRequestURI().getPath();
        }
        byte[] b = (body + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(code, "HEAD".equals(ex.getRequestMethod()) ? -1 : b.length);
        try (OutputStream o = ex.getResponseBody()) {
            if (!"HEAD".equals(ex.getRequestMethod())) {
                o.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
