package org.cornserve.runtime.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;

/**
 * Measures the gateway's own overhead per request (wall time outside the model invoker: body reading, JSON, the app
 * driver, writing the answer) under a bounded concurrent load over loopback HTTP, and prints P50 / P99. Nothing is
 * asserted about the figures (timings are measured, not asserted); the test checks that every request was answered.
 */
@Tag("slow")
@Timeout(300)
class GatewayOverheadTest {
    static final int CLIENTS = 8;
    static final int REQUESTS_PER_CLIENT = 100;

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} compute threads")
    @org.junit.jupiter.params.provider.ValueSource(ints = {2})
    void overheadUnderConcurrentLoad(int computeThreads) throws Exception {
        System.out.printf("%d compute threads on %d processors%n", computeThreads,
                Runtime.getRuntime().availableProcessors());
        try (TestServer server = new TestServer(org.cornserve.runtime.serve.local.LocalEngineSettings.defaults(
                computeThreads).withIgnoreEos(true), GatewaySettings.DEFAULT_MAX_BODY_BYTES)) {
            String chat = "{\"model\": \"tiny-vl\", \"max_tokens\": 4, \"temperature\": 0, \"messages\": "
                    + "[{\"role\": \"user\", \"content\": \"Hello\"}]}";
            String streamed = chat.replace("\"max_tokens\"", "\"stream\": true, \"max_tokens\"");
            String app = "{\"prompt\": \"What is this?\", \"images\": [\"" + TestMedia.pngDataUrl(56)
                    + "\"], \"max_tokens\": 4}";
            load(server.http(), "/v1/chat/completions", chat, 2);   // JIT warm-up, not measured
            load(server.http(), "/v1/chat/completions", streamed, 2);
            load(server.http(), "/apps/chat/invoke", app, 2);
            for (String[] c : List.of(new String[] {"chat completions, JSON", "/v1/chat/completions", chat},
                    new String[] {"chat completions, SSE stream", "/v1/chat/completions", streamed},
                    new String[] {"chat app with a 56 px image", "/apps/chat/invoke", app})) {
                server.gateway.metrics().resetOverhead();
                long t0 = System.nanoTime();
                load(server.http(), c[1], c[2], REQUESTS_PER_CLIENT);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Histogram h = server.gateway.metrics().overheadHistogram();
                assertEquals((long) CLIENTS * REQUESTS_PER_CLIENT, h.getTotalCount());
                System.out.printf("gateway overhead, %s: %d requests from %d clients in %.1f s (%.0f req/s): "
                        + "P50 %.3f ms, P99 %.3f ms, max %.3f ms%n", c[0], h.getTotalCount(), CLIENTS, seconds,
                        h.getTotalCount() / seconds, h.getValueAtPercentile(50) / 1e6,
                        h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6);
            }
        }
    }

    /**
     * The same load against an invoker that answers at once on the calling thread (4 text deltas, then done): the
     * gateway's cost with no engine competing for the cores.
     */
    @org.junit.jupiter.api.Test
    void overheadWithAnInstantInvoker() throws Exception {
        org.cornserve.runtime.serve.ModelInvoker instant = new org.cornserve.runtime.serve.ModelInvoker() {
            private final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();

            @Override
            public List<String> models() {
                return List.of("tiny-vl");
            }

            @Override
            public org.cornserve.runtime.serve.InvocationHandle invoke(org.cornserve.runtime.serve.ModelRequest r,
                    org.cornserve.runtime.serve.OutputSink sink) {
                for (int i = 0; i < 4; i++) {
                    sink.text("tok" + i);
                }
                sink.completed(new org.cornserve.runtime.serve.OutputSink.Usage(r.prompt().length() + 1, 4));
                long id = ids.incrementAndGet();
                return new org.cornserve.runtime.serve.InvocationHandle() {
                    @Override
                    public long requestId() {
                        return id;
                    }

                    @Override
                    public void cancel() {
                    }
                };
            }

            @Override
            public void close() {
            }
        };
        String token = GatewaySettings.newAdminToken();
        try (Gateway gateway = Gateway.start(GatewaySettings.loopback(0, token), instant)) {
            TestServer.Client server = new TestServer.Client(gateway);
            String chat = "{\"model\": \"tiny-vl\", \"max_tokens\": 4, \"messages\": "
                    + "[{\"role\": \"user\", \"content\": \"Hello\"}]}";
            String streamed = chat.replace("\"max_tokens\"", "\"stream\": true, \"max_tokens\"");
            load(server, "/v1/chat/completions", chat, 100);
            load(server, "/v1/chat/completions", streamed, 100);
            for (String[] c : List.of(new String[] {"chat completions, JSON", chat},
                    new String[] {"chat completions, SSE stream", streamed})) {
                gateway.metrics().resetOverhead();
                long t0 = System.nanoTime();
                load(server, "/v1/chat/completions", c[1], 4 * REQUESTS_PER_CLIENT);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Histogram h = gateway.metrics().overheadHistogram();
                assertEquals(4L * CLIENTS * REQUESTS_PER_CLIENT, h.getTotalCount());
                System.out.printf("gateway overhead with an instant invoker, %s: %d requests from %d clients in "
                        + "%.1f s (%.0f req/s): P50 %.3f ms, P99 %.3f ms, max %.3f ms%n", c[0], h.getTotalCount(),
                        CLIENTS, seconds, h.getTotalCount() / seconds, h.getValueAtPercentile(50) / 1e6,
                        h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6);
            }
        }
    }

    private static void load(TestServer.Client server, String path, String body, int perClient) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                done.add(pool.submit(() -> {
                    int ok = 0;
                    for (int i = 0; i < perClient; i++) {
                        HttpResponse<String> r = server.client().send(HttpRequest.newBuilder(server.uri(path))
                                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            throw new AssertionError(r.statusCode() + " " + r.body());
                        }
                        ok++;
                    }
                    return ok;
                }));
            }
            for (Future<Integer> f : done) {
                assertEquals(perClient, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
