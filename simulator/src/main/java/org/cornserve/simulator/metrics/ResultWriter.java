package org.cornserve.simulator.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.simulator.workload.ReadAhead;

/**
 * Writes a run's results into a folder: {@code summary.json} (keys in a fixed order), {@code requests.csv} (one
 * row per request in arrival order, times in simulated nanoseconds, -1 = never; {@code first_audio_ns} and
 * {@code audio_seconds} only for speech responses) and {@code queues.csv} (queue
 * length of each deployment at each sample instant, then, for a simulated run, each deployment's LLM sequences
 * running, waiting and preempted, as columns {@code <name>:running}, {@code <name>:waiting},
 * {@code <name>:preempted}; not written for a measured run, which has no queue series). {@code summary.json}'s
 * {@code preemptions} counts LLM preemptions over all replicas and {@code prefix_cache_hit_rate} is the share of
 * prompt tokens found in the prefix cache at sequences' first admissions (0 when no deployment caches prefixes).
 * Apart from {@code wall_seconds}, the files are a pure function of the run. A run measured against a live server
 * ({@link MeasuredRequests}) writes the same two files with the same keys and columns.
 */
public final class ResultWriter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultWriter() {
    }

    /** The summary as an ordered map (the keys of {@code summary.json}). */
    public static Map<String, Object> summary(SimResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", r.requests());
        m.put("completed", r.completed());
        m.put("rejected", r.rejected());
        m.put("simulated_seconds", r.simulatedSeconds());
        m.put("throughput_rps", r.throughputRps());
        m.put("goodput_rps", r.goodputRps());
        m.put("slo_attainment", r.sloAttainment());
        m.put("ttft_ms", r.ttftMs());
        m.put("tpot_ms", r.tpotMs());
        m.put("e2e_ms", r.e2eMs());
        m.put("deployments", r.deployments());
        m.put("events", r.events());
        m.put("wall_seconds", r.wallSeconds());
        m.put("stale_events", r.staleEvents());
        m.put("output_tokens", r.outputTokens());
        m.put("output_tokens_per_second", r.simulatedSeconds() == 0 ? 0 : r.outputTokens() / r.simulatedSeconds());
        m.put("reject_reasons", new TreeMap<>(r.rejectReasons()));
        m.put("preemptions", r.preemptions());
        m.put("prefix_cache_hit_rate", r.prefixCacheHitRate());
        m.put("stages", StageStats.of(r.records()));
        if (r.speech() != null) {
            m.put("speech", r.speech());
        }
        return m;
    }

    public static void write(SimResult result, Path dir) {
        try {
            Files.createDirectories(dir);
            JSON.writeValue(dir.resolve("summary.json").toFile(), summary(result));
            writeRequests(result, dir.resolve("requests.csv"));
            if (result.queues() != null) {
                writeQueues(result, dir.resolve("queues.csv"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Rows of requests.csv formatted per hand-over to the writing thread. */
    private static final int ROWS_PER_CHUNK = 4096;

    /**
     * requests.csv: the rows are formatted on a second thread, a chunk at a time, while this one encodes and
     * writes the chunks before them (a million-request run spends about as long formatting as writing).
     */
    private static void writeRequests(SimResult result, Path file) throws IOException {
        List<RequestRecord> records = result.records();
        Iterator<String> chunks = new Iterator<>() {
            private final StringBuilder sb = new StringBuilder(256 * ROWS_PER_CHUNK);
            private int next;

            @Override
            public boolean hasNext() {
                return next < records.size();
            }

            @Override
            public String next() {
                sb.setLength(0);
                int end = Math.min(records.size(), next + ROWS_PER_CHUNK);
                for (; next < end; next++) {
                    appendRow(sb, records.get(next));
                }
                return sb.toString();
            }
        };
        try (BufferedWriter w = Files.newBufferedWriter(file);
                ReadAhead<String> formatted = new ReadAhead<>(chunks, 1, 4)) {
            w.write("request_id,trace_request_id,app,status,arrival_ns,first_output_ns,completion_ns,ttft_ms,tpot_ms,e2e_ms,"
                    + "input_tokens,output_tokens,reason,stages,first_audio_ns,audio_seconds\n");
            while (formatted.hasNext()) {
                w.write(formatted.next());
            }
        }
    }

    /** One row of requests.csv, its line end included. */
    private static void appendRow(StringBuilder sb, RequestRecord rec) {
        InvocationGraph g = rec.request().graph();
        String traceId = rec.request().traceId();
        sb.append(rec.request().id()).append(',').append(traceId == null ? "" : csv(traceId)).append(',')
                .append(csv(rec.request().app())).append(',')
                .append(rec.completed() ? "completed" : rec.rejected() ? "rejected" : "unfinished").append(',')
                .append(rec.request().arrivalNanos()).append(',')
                .append(rec.firstOutputNanos()).append(',').append(rec.completionNanos()).append(',');
        if (rec.completed()) {
            sb.append(rec.ttftMs()).append(',').append(rec.tpotMs()).append(',').append(rec.e2eMs());
        } else {
            sb.append(",,");
        }
        sb.append(',').append(rec.request().inputTokens()).append(',').append(g.outputTokens()).append(',')
                .append(rec.rejected() ? csv(rec.rejectReason()) : "").append(',');
        for (int i = 0; i < g.size(); i++) {
            if (i > 0) {
                sb.append(';');
            }
            sb.append(g.node(i).taskKey()).append('|').append(rec.queuedNanos(i)).append('|')
                    .append(rec.startedNanos(i)).append('|').append(rec.finishedNanos(i));
        }
        sb.append(',');
        if (g.hasSpeech()) {
            sb.append(rec.firstAudioNanos()).append(',').append(g.audioSeconds());
        } else {
            sb.append(',');
        }
        sb.append('\n');
    }

    private static void writeQueues(SimResult result, Path file) throws IOException {
        QueueTracker q = result.queues();
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            StringBuilder header = new StringBuilder("time_ns");
            for (DeploymentStats d : result.deployments()) {
                header.append(',').append(csv(d.name()));
            }
            if (q.hasSplit()) {
                for (String part : new String[] {"running", "waiting", "preempted"}) {
                    for (DeploymentStats d : result.deployments()) {
                        header.append(',').append(csv(d.name() + ":" + part));
                    }
                }
            }
            w.write(header.append('\n').toString());
            for (int i = 0; i < q.sampleCount(); i++) {
                StringBuilder sb = new StringBuilder().append(q.sampleTimeNanos(i));
                int n = result.deployments().size();
                for (int d = 0; d < n; d++) {
                    sb.append(',').append(q.sampleLength(i, d));
                }
                if (q.hasSplit()) {
                    for (int d = 0; d < n; d++) {
                        sb.append(',').append(q.sampleRunning(i, d));
                    }
                    for (int d = 0; d < n; d++) {
                        sb.append(',').append(q.sampleWaiting(i, d));
                    }
                    for (int d = 0; d < n; d++) {
                        sb.append(',').append(q.samplePreempted(i, d));
                    }
                }
                w.write(sb.append('\n').toString());
            }
        }
    }

    private static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
