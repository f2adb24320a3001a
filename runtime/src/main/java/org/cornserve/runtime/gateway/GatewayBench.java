package org.cornserve.runtime.gateway;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.cornserve.runtime.replay.SyntheticMedia;
import org.cornserve.runtime.serve.InvocationHandle;
import org.cornserve.runtime.serve.LocalEngineInvoker;
import org.cornserve.runtime.serve.ModelInvoker;
import org.cornserve.runtime.serve.ModelRequest;
import org.cornserve.runtime.serve.OutputSink;
import org.cornserve.runtime.serve.local.LocalEngineSettings;

/**
 * Measures the gateway's own overhead per request (wall time outside the model invoker: body reading, JSON, the app
 * driver, waking up on the answer, writing it) under a bounded concurrent load of loopback HTTP clients in this JVM,
 * after a warm-up, and prints P50 / P99 per kind of request: against an invoker that answers at once on the calling
 * thread (the gateway's cost with no engine competing for the cores), then against the in-process engine (tiny-vl,
 * 4 tokens per answer, every token generated).
 *
 * <p>{@code java --add-modules jdk.incubator.vector -cp cli/target/cornserve.jar
 * org.cornserve.runtime.gateway.GatewayBench [CLIENTS] [REQUESTS_PER_CLIENT] [COMPUTE_THREADS]} (default 8 clients,
 * 100 requests each against the engine and 400 each against the instant invoker, 2 compute threads).
 */
public final class GatewayBench {
    /** One measured load: {@code requests} answered in {@code seconds}, the gateway's overhead per request. */
    public record Row(String invoker, String request, long requests, int clients, double seconds, double p50Ms,
            double p99Ms, double maxMs) {
        String line() {
            return String.format(Locale.ROOT, "%-10s %-30s %6d requests from %d clients in %5.1f s (%5.0f req/s): "
                    + "P50 %.3f ms, P99 %.3f ms, max %.3f ms", invoker, request, requests, clients, seconds,
                    requests / seconds, p50Ms, p99Ms, maxMs);
        }
    }

    private GatewayBench() {
    }

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int perClient = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int computeThreads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        PrintStream out = System.out;
        out.printf("%d clients, %d compute threads on %d processors%n", clients, computeThreads,
                Runtime.getRuntime().availableProcessors());
        for (Row r : instant(clients, 4 * perClient)) { // first: it warms the gateway's own code up too
            out.println(r.line());
        }
        for (Row r : engine(clients, perClient, computeThreads)) {
            out.println(r.line());
        }
    }

    private static final String CHAT = "{\"model\": \"tiny-vl\", \"max_tokens\": 4, \"temperature\": 0, \"messages\": "
            + "[{\"role\": \"user\", \"content\": \"Hello\"}]}";
    private static final String STREAMED = CHAT.replace("\"max_tokens\"", "\"stream\": true, \"max_tokens\"");

    /**
     * The in-process engine behind the gateway: JSON chat completions, streamed ones, and the chat app with a 56 px
     * image, after a warm-up of each (a tenth of the measured requests, at least 2 per client).
     */
    public static List<Row> engine(int clients, int perClient, int computeThreads) throws Exception {
        String app = "{\"prompt\": \"What is this?\", \"images\": [\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(SyntheticMedia.png(56, 56, 1)) + "\"], \"max_tokens\": 4}";
        List<String[]> loads = List.of(new String[] {"chat completions, JSON", "/v1/chat/completions", CHAT},
                new String[] {"chat completions, SSE stream", "/v1/chat/completions", STREAMED},
                new String[] {"chat app with a 56 px image", "/apps/chat/invoke", app});
        try (LocalEngineInvoker invoker = new LocalEngineInvoker(LocalEngineSettings.defaults(computeThreads)
                .withIgnoreEos(true))) {
            return measure("engine", invoker, loads, clients, Math.max(2, perClient / 10), perClient);
        }
    }

    /** An invoker answering at once (4 text deltas, then done): JSON and streamed chat completions. */
    public static List<Row> instant(int clients, int perClient) throws Exception {
        List<String[]> loads = List.of(new String[] {"chat completions, JSON", "/v1/chat/completions", CHAT},
                new String[] {"chat completions, SSE stream", "/v1/chat/completions", STREAMED});
        try (ModelInvoker invoker = new Instant()) {
            return measure("instant", invoker, loads, clients, Math.max(2, perClient / 4), perClient);
        }
    }

    private static List<Row> measure(String name, ModelInvoker invoker, List<String[]> loads, int clients,
            int warmUp, int perClient) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (Gateway gateway = Gateway.start(GatewaySettings.loopback(0, GatewaySettings.newAdminToken()), invoker)) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (String[] load : loads) { // the JIT's warm-up, not measured
                load(http, URI.create(gateway.url() + load[1]), load[2], clients, warmUp);
            }
            for (String[] load : loads) {
                gateway.metrics().resetOverhead();
                long t0 = System.nanoTime();
                load(http, URI.create(gateway.url() + load[1]), load[2], clients, perClient);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Histogram h = gateway.metrics().overheadHistogram();
                if (h.getTotalCount() != (long) clients * perClient) {
                    throw new IllegalStateException(name + ", " + load[0] + ": the gateway recorded "
                            + h.getTotalCount() + " requests' overhead, " + (long) clients * perClient + " were sent");
                }
                rows.add(new Row(name, load[0], h.getTotalCount(), clients, seconds, h.getValueAtPercentile(50) / 1e6,
                        h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6));
            }
        }
        return rows;
    }

    /** {@code clients} threads each sending {@code perClient} requests one after another; any answer but 200 fails. */
    private static void load(HttpClient http, URI uri, String body, int clients, int perClient) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException(uri + " answered " + r.statusCode() + ": " + r.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Answers every request at once on the calling thread: 4 text deltas, then done. */
    private static final class Instant implements ModelInvoker {
        private final AtomicLong ids = new AtomicLong();

        @Override
        public List<String> models() {
            return List.of("tiny-vl");
        }

        @Override
        public InvocationHandle invoke(ModelRequest r, OutputSink sink) {
            for (int i = 0; i < 4; i++) {
                sink.text("tok" + i);
            }
            sink.completed(new OutputSink.Usage(r.prompt().length() + 1, 4));
            return InvocationHandle.finished(ids.incrementAndGet());
        }

        @Override
        public void close() {
        }
    }
}
