package org.cornserve.runtime.replay;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.cornserve.traces.TraceRecord;

/**
 * Sends trace records to a live server open loop: each at its arrival time (divided by the rate scale) after the
 * replay's start, whether or not earlier answers have come (or closed loop, {@link ReplaySettings#maxConcurrency}:
 * never more than that many in flight, a request due while all are taken sent as soon as one ends), one virtual thread per exchange on the JDK
 * {@link HttpClient}; records what each exchange took ({@link ReplayRecord}). A second thread synthesises inputs
 * and builds the bodies up to {@value #LOOKAHEAD} requests ahead (the clock starts once that many are ready), so
 * the sending thread only sleeps to each due time and hands the request over; {@link ReplayRecord#sendLagMs}
 * shows how late each went out.
 *
 * <p>A request fails with {@code timeout} when it takes longer than the settings' timeout in all (the body's
 * stream is closed then), with {@code NNN reason} on an error status, and with {@code connection failed} or
 * {@code stream broken} when the transport breaks. Use one replayer for one run.
 */
public final class Replayer implements AutoCloseable {
    /** Requests prepared ahead of their send. */
    static final int LOOKAHEAD = 64;
    private final ReplaySettings settings;
    private final InputSynthesizer synthesizer;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "replay-deadlines");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile long startNanos = -1;
    private volatile long total;
    private volatile double lastArrivalSeconds;
    private final AtomicBoolean used = new AtomicBoolean();

    public Replayer(ReplaySettings settings, InputSynthesizer synthesizer) {
        this.settings = settings;
        this.synthesizer = synthesizer;
        this.client = HttpClient.newBuilder().executor(threads).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout()).build();
    }

    /**
     * Replays the records (in arrival order) and returns one record per request, in the same order, once every
     * request has been answered, has failed or has timed out.
     */
    public List<ReplayRecord> run(List<TraceRecord> records) throws InterruptedException {
        if (!used.compareAndSet(false, true)) {
            throw new IllegalStateException("a replayer runs once");
        }
        total = records.size();
        lastArrivalSeconds = records.isEmpty() ? 0 : due(records.get(records.size() - 1)) / 1e9;
        ReplayRecord[] out = new ReplayRecord[records.size()];
        java.util.Set<String> fields = settings.api() == ReplayApi.INVOKE ? appFields() : null;
        BlockingQueue<Prepared> ready = new ArrayBlockingQueue<>(LOOKAHEAD);
        AtomicReference<RuntimeException> prepareFailure = new AtomicReference<>();
        CountDownLatch primed = new CountDownLatch(1);
        Thread producer = Thread.ofPlatform().name("replay-synthesis").daemon(true)
                .start(() -> prepareAll(records, ready, prepareFailure, primed, fields));
        CountDownLatch done = new CountDownLatch(records.size());
        try {
            warmUp();
            primed.await(); // the first requests' bodies (and the JIT) are ready before the clock starts
            startNanos = System.nanoTime();
            // a closed loop's slots: taken in trace order by the sending thread, given back as each exchange ends
            Semaphore slots = settings.maxConcurrency() > 0 ? new Semaphore(settings.maxConcurrency(), true) : null;
            for (int i = 0; i < records.size(); i++) {
                Prepared p = ready.take();
                if (p.request() == null) {
                    throw prepareFailure.get();
                }
                for (long wait; (wait = startNanos + p.due() - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(wait);
                    if (Thread.interrupted()) {
                        throw new InterruptedException("replay interrupted after " + i + " requests");
                    }
                }
                if (slots != null) {
                    slots.acquire();
                }
                long sentAt = now();
                sent.incrementAndGet();
                threads.execute(() -> {
                    try {
                        out[p.index()] = exchange(p.index(), p.request(), p.inputs(), p.due(), sentAt);
                    } finally {
                        if (slots != null) {
                            slots.release();
                        }
                        done.countDown();
                    }
                });
            }
        } finally {
            producer.interrupt();
        }
        long graceNanos = settings.timeout().toNanos() + TimeUnit.SECONDS.toNanos(5);
        if (!done.await(graceNanos, TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException(done.getCount() + " requests neither finished nor timed out");
        }
        return new ArrayList<>(Arrays.asList(out));
    }

    /** A request ready to send; a null request marks a failure to prepare the next one. */
    private record Prepared(int index, long due, HttpRequest request, SynthesizedRequest inputs) {
    }

    /**
     * Synthesises every request ahead of its send, at most {@value #LOOKAHEAD} ahead, so that building bodies
     * (PNG and WAV encoding, base64, JSON) stays off the sending thread: a burst of arrivals goes out on time as
     * long as the lookahead covers it. {@code primed} opens once the queue is full, or everything is prepared, or
     * preparing failed.
     */
    private void prepareAll(List<TraceRecord> records, BlockingQueue<Prepared> ready,
            AtomicReference<RuntimeException> failure, CountDownLatch primed, java.util.Set<String> appFields) {
        long previousArrival = 0;
        try {
            for (int i = 0; i < records.size(); i++) {
                TraceRecord rec = records.get(i);
                if (rec.arrivalNanos() < previousArrival) {
                    throw new IllegalArgumentException("trace record " + i + " arrives at " + rec.arrivalNanos()
                            + " ns, before the one before it (" + previousArrival + " ns)");
                }
                previousArrival = rec.arrivalNanos();
                SynthesizedRequest s;
                try {
                    s = synthesizer.synthesize(rec.shape(), i);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("trace record " + i + " (id " + rec.requestId() + "): "
                            + e.getMessage(), e);
                }
                HttpRequest request = HttpRequest.newBuilder(settings.endpoint()).timeout(settings.timeout())
                        .header("Content-Type", "application/json")
                        .header("Accept", "text/event-stream, application/x-ndjson, application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(RequestBodies.body(settings.api(),
                                settings.target(), s, i, settings.stream(), appFields)))
                        .build();
                ready.put(new Prepared(i, due(rec), request, s));
                if (ready.remainingCapacity() == 0) {
                    primed.countDown();
                }
            }
            primed.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure.set(e);
            primed.countDown();
            try {
                ready.put(new Prepared(-1, 0, null, null));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The invoked app's request fields from the server's {@code GET /apps} (a Cornserve gateway lists each app's
     * {@code request_fields}), so bodies carry only fields the app has; null when the server does not say.
     */
    private java.util.Set<String> appFields() throws InterruptedException {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    java.net.URI.create(settings.url().toString().replaceAll("/+$", "") + "/apps"))
                    .timeout(java.time.Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            for (com.fasterxml.jackson.databind.JsonNode app : new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(r.body()).path("apps")) {
                if (app.path("id").asText().equals(settings.target()) && app.path("request_fields").isArray()) {
                    java.util.Set<String> out = new java.util.HashSet<>();
                    app.get("request_fields").forEach(f -> out.add(f.asText()));
                    return out;
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null; // not a Cornserve gateway, or it does not list apps: the generic body
        }
    }

    /**
     * One throwaway {@code GET} of the server's base URL before the clock starts, whatever it answers: it loads
     * the HTTP client's classes and opens a pooled connection, which would otherwise add a few hundred ms to the
     * first request's latency.
     */
    private void warmUp() throws InterruptedException {
        try {
            client.send(HttpRequest.newBuilder(settings.url()).timeout(java.time.Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // an unreachable server shows in the first request's failure
        }
    }

    private long due(TraceRecord rec) {
        return Math.round(rec.arrivalNanos() / settings.rateScale());
    }

    private long now() {
        return System.nanoTime() - startNanos;
    }

    private ReplayRecord exchange(long id, HttpRequest request, SynthesizedRequest s, long due, long sentAt) {
        ResponseReader reader = new ResponseReader(this::now);
        long firstByte = -1;
        int status = 0;
        String failure = null;
        String message = null;
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> deadline = null;
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            firstByte = now();
            status = response.statusCode();
            long remaining = settings.timeout().toNanos() - (firstByte - sentAt);
            InputStream body = response.body();
            deadline = deadlines.schedule(() -> {
                timedOut.set(true);
                try {
                    body.close();
                } catch (IOException ignored) {
                    // closing is the point; a second failure changes nothing
                }
            }, Math.max(0, remaining), TimeUnit.NANOSECONDS);
            try (body) {
                if (status >= 400) {
                    failure = status + " " + reason(status);
                    message = ResponseReader.abbreviate(new String(body.readNBytes(4096), StandardCharsets.UTF_8));
                } else {
                    reader.read(body, response.headers().firstValue("Content-Type").orElse(""));
                    if (reader.streamError != null) {
                        failure = "error in stream";
                        message = reader.streamError;
                    } else if (RequestSynthesizer.wantsSpeech(s) && reader.firstAudioNanos < 0) {
                        failure = "no audio";
                        message = "the request asked for speech and the answer carried no audio";
                    }
                }
            }
        } catch (HttpTimeoutException e) {
            failure = "timeout";
            message = e.getMessage();
        } catch (IOException e) {
            failure = timedOut.get() ? "timeout" : firstByte < 0 ? "connection failed" : "stream broken";
            message = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        } catch (RuntimeException e) {
            failure = "bad response";
            message = e.getMessage();
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }
        long end = now();
        long first = reader.firstOutputNanos;
        long last = reader.lastOutputNanos;
        if (failure == null && first < 0) {
            first = end; // an answer without any output chunk: its end is its output
            last = end;
        }
        (failure == null ? answered : failed).incrementAndGet();
        long firstAudio = failure == null ? reader.firstAudioNanos : -1;
        double audioSeconds = failure == null ? reader.audioSeconds
                : RequestSynthesizer.wantsSpeech(s) ? s.expectedAudioSeconds() : 0;
        return new ReplayRecord(id, settings.target(), due, sentAt, firstByte, first, last, end, status, s.inputTokens(),
                reader.outputTokens(), s.maxTokens(), failure, message, firstAudio, audioSeconds);
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "bad request";
            case 401 -> "unauthorized";
            case 404 -> "not found";
            case 408 -> "request timeout";
            case 413 -> "payload too large";
            case 422 -> "unprocessable";
            case 429 -> "too many requests";
            case 500 -> "internal server error";
            case 502 -> "bad gateway";
            case 503 -> "service unavailable";
            case 504 -> "gateway timeout";
            default -> status < 500 ? "client error" : "server error";
        };
    }

    /** A snapshot of the counts; safe from any thread. */
    public ReplayProgress progress() {
        long start = startNanos;
        double elapsed = start < 0 ? 0 : (System.nanoTime() - start) / 1e9;
        return new ReplayProgress(total, sent.get(), answered.get(), failed.get(), elapsed, lastArrivalSeconds);
    }

    @Override
    public void close() {
        client.shutdownNow();
        threads.shutdownNow();
        deadlines.shutdownNow();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Replayer[%s %s]", settings.api(), settings.endpoint());
    }
}
