package org.cornserve.cli.replay;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cornserve.cli.plan.PlanCliSupport;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.json.Json;
import org.cornserve.runtime.replay.ReplayApi;
import org.cornserve.runtime.replay.ReplayProgress;
import org.cornserve.runtime.replay.ReplayRecord;
import org.cornserve.runtime.replay.ReplaySettings;
import org.cornserve.runtime.replay.Replayer;
import org.cornserve.runtime.replay.RequestSynthesizer;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.metrics.MeasuredRequest;
import org.cornserve.simulator.metrics.MeasuredRequests;
import org.cornserve.simulator.metrics.ResultWriter;
import org.cornserve.simulator.metrics.SimResult;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cornserve replay}: sends a trace to a live server open loop and writes what it measured in the
 * simulator's format, so a replay and a simulation of the same trace compare file for file.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replay a trace against a live server, open loop, and measure every request.",
            "Writes summary.json and requests.csv (as simulate does), replay.csv (each exchange's HTTP timings) and"
                + " config.json to --out."})
public final class ReplayCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", required = true, description = "the server's base URL, e.g. http://127.0.0.1:8000")
    URI url;

    @Option(names = "--app", required = true, description = "the app to invoke (POST /apps/APP/invoke), or a model id"
            + " to call through POST /v1/chat/completions")
    String app;

    @Option(names = "--api", description = "chat or invoke (default: chat when --app names a catalog model, else"
            + " invoke)")
    String api;

    @Option(names = "--model", description = "the model whose token rules size synthesised images and audio"
            + " (default: --app when it names a model)")
    String model;

    @Option(names = "--trace", required = true, paramLabel = "TRACE", description = "trace file (or ServeGen folder)")
    Path trace;

    @Option(names = "--trace-format", description = "trace format (" + "default: from the name)")
    String traceFormat;

    @Option(names = "--window", paramLabel = "START:END", description = "servegen: seconds of the day to generate")
    String window;

    @Option(names = "--seed", defaultValue = "1", description = "seed of generated traces (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--rate-scale", defaultValue = "1", paramLabel = "X",
            description = "send X times as fast as the trace (arrival / X; default ${DEFAULT-VALUE})")
    double rateScale;

    @Option(names = "--max-concurrency", defaultValue = "0", paramLabel = "C", description = "a closed loop of C"
            + " slots, as vllm bench serve --max-concurrency: a request due while C are in flight is sent when one"
            + " ends, in trace order (0: open loop, each sent when due; default)")
    int maxConcurrency;

    @Option(names = "--max-requests", paramLabel = "N", description = "send only the first N requests")
    Integer maxRequests;

    @Option(names = "--timeout", defaultValue = "300", paramLabel = "SECONDS",
            description = "a request taking longer in all fails as timeout (default ${DEFAULT-VALUE})")
    double timeoutSeconds;

    @Option(names = "--no-stream", description = "ask for whole answers instead of streamed ones (chat)")
    boolean noStream;

    @Option(names = "--slo", paramLabel = "ttft=MS,tpot=MS,e2e=MS", description = "latency targets, for SLO attainment"
            + " and goodput (default: none)")
    String slo;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    @Override
    public Integer call() throws Exception {
        ModelCatalog catalog = ModelCatalog.builtIn();
        ReplayApi endpoint = api != null ? ReplayApi.byName(api) : catalog.contains(app) ? ReplayApi.CHAT : ReplayApi.INVOKE;
        String modelName = model != null ? model : catalog.contains(app) ? app : null;
        ModelSpec spec0 = modelName == null ? null : catalog.model(modelName);
        Slo targets = slo == null ? Slo.NONE : Slo.parse(slo);
        ReplaySettings settings = new ReplaySettings(url, endpoint, app, rateScale,
                Duration.ofMillis(Math.round(timeoutSeconds * 1000)), !noStream, maxConcurrency);
        List<TraceRecord> records = read();
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "replaying %d requests to %s (%s) over %.1f s%n", records.size(),
                settings.endpoint(), endpoint, records.isEmpty() ? 0
                        : records.get(records.size() - 1).arrivalNanos() / 1e9 / rateScale);
        stdout.flush();
        long t0 = System.nanoTime();
        List<ReplayRecord> measured;
        try (Replayer replayer = new Replayer(settings, new RequestSynthesizer(spec0))) {
            Thread progress = Thread.ofPlatform().daemon().name("replay-progress").start(() -> report(replayer, err));
            try {
                measured = replayer.run(records);
            } finally {
                progress.interrupt();
                progress.join();
            }
            err.println("\r" + replayer.progress().line());
            err.flush();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        List<MeasuredRequest> requests = new ArrayList<>(measured.size());
        for (ReplayRecord r : measured) {
            // a replay record's id is its position in the trace slice: the trace's own id comes from there
            String traceId = r.id() >= 0 && r.id() < records.size() ? records.get((int) r.id()).requestId() : null;
            requests.add(new MeasuredRequest(r.id(), r.app(), r.sentNanos(), r.firstByteNanos(), r.firstTokenNanos(),
                    r.lastTokenNanos(), r.endNanos(), r.inputTokens(), r.outputTokens(), r.failure(), traceId,
                    r.firstAudioNanos(), r.audioSeconds()));
        }
        SimResult result = MeasuredRequests.result(requests, a -> targets, wall);
        Files.createDirectories(out);
        ResultWriter.write(result, out);
        writeExchanges(measured, out.resolve("replay.csv"));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("url", url.toString());
        config.put("endpoint", settings.endpoint().toString());
        config.put("api", endpoint.jsonName());
        config.put("app", app);
        config.put("model", modelName);
        config.put("trace", trace.toString());
        config.put("rate_scale", rateScale);
        config.put("max_concurrency", maxConcurrency);
        config.put("requests", records.size());
        config.put("timeout_s", timeoutSeconds);
        config.put("stream", !noStream);
        config.put("slo", slo);
        double[] lags = measured.stream().mapToDouble(ReplayRecord::sendLagMs).sorted().toArray();
        config.put("send_lag_ms_p50", lags.length == 0 ? 0 : lags[lags.length / 2]);
        config.put("send_lag_ms_p99", lags.length == 0 ? 0 : lags[Math.max(0, (int) Math.ceil(0.99 * lags.length) - 1)]);
        config.put("send_lag_ms_max", lags.length == 0 ? 0 : lags[lags.length - 1]);
        Json.write(out.resolve("config.json"), config);
        stdout.printf(Locale.ROOT, "%d requests: %d answered, %d failed %s over %.1f s; throughput %.2f req/s, SLO"
                        + " attainment %.3f; TTFT p50 %.1f p99 %.1f ms; TPOT p50 %.2f p99 %.2f ms; E2E p50 %.1f p99 %.1f"
                        + " ms; results in %s%n", result.requests(), result.completed(), result.rejected(),
                result.rejectReasons(), result.simulatedSeconds(), result.throughputRps(), result.sloAttainment(),
                result.ttftMs().p50(), result.ttftMs().p99(), result.tpotMs().p50(), result.tpotMs().p99(),
                result.e2eMs().p50(), result.e2eMs().p99(), out);
        stdout.flush();
        return 0;
    }

    private List<TraceRecord> read() throws IOException {
        if (!Files.exists(trace)) {
            throw new IllegalArgumentException("trace " + trace + " does not exist");
        }
        TraceFormat format = traceFormat != null ? TraceFormat.byName(traceFormat) : PlanCliSupport.detectFormat(trace);
        ReadOptions options = ReadOptions.defaults().withSeed(seed);
        if (window != null) {
            String[] w = window.split(":");
            if (w.length != 2) {
                throw new IllegalArgumentException("--window wants START:END in seconds, got '" + window + "'");
            }
            options = options.withWindow(Double.parseDouble(w[0]), Double.parseDouble(w[1]));
        }
        List<TraceRecord> records = new ArrayList<>();
        try (TraceReader reader = format.open(trace, options)) {
            for (TraceRecord r; (maxRequests == null || records.size() < maxRequests) && (r = reader.read()) != null; ) {
                records.add(r);
            }
        }
        if (records.isEmpty()) {
            throw new IllegalArgumentException("trace " + trace + " has no requests");
        }
        return records;
    }

    /** A progress line every half second: on a terminal in place, else a new line every ten seconds. */
    private static void report(Replayer replayer, PrintWriter err) {
        boolean terminal = System.console() != null;
        long every = terminal ? 500 : 10_000;
        try {
            while (true) {
                Thread.sleep(every);
                err.print(terminal ? "\r" + replayer.progress().line() + "   " : replayer.progress().line() + "\n");
                err.flush();
            }
        } catch (InterruptedException e) {
            // the replay ended
        }
    }

    private static void writeExchanges(List<ReplayRecord> records, Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            w.write("request_id,app,scheduled_ns,sent_ns,send_lag_ms,first_byte_ns,first_token_ns,last_token_ns,end_ns,"
                    + "http_status,input_tokens,output_tokens,traced_output_tokens,failure,message,first_audio_ns,"
                    + "audio_seconds\n");
            for (ReplayRecord r : records) {
                w.write(String.format(Locale.ROOT, "%d,%s,%d,%d,%.3f,%d,%d,%d,%d,%d,%d,%d,%d,%s,%s,%d,%s%n", r.id(),
                        csv(r.app()), r.scheduledNanos(), r.sentNanos(), r.sendLagMs(), r.firstByteNanos(),
                        r.firstTokenNanos(), r.lastTokenNanos(), r.endNanos(), r.httpStatus(), r.inputTokens(),
                        r.outputTokens(), r.tracedOutputTokens(), r.failure() == null ? "" : csv(r.failure()),
                        r.message() == null ? "" : csv(r.message()), r.firstAudioNanos(),
                        r.audioSeconds() > 0 ? Double.toString(r.audioSeconds()) : ""));
            }
        }
    }

    private static String csv(String s) {
        String flat = s.replace('\n', ' ').replace('\r', ' ');
        return flat.indexOf(',') < 0 && flat.indexOf('"') < 0 ? flat : '"' + flat.replace("\"", "\"\"") + '"';
    }
}
