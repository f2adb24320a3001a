package org.cornserve.simulator.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.SimDeployment;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.event.SimRequest;

/**
 * Collects per-request records and the run's aggregates: latency histograms (TTFT, TPOT, end to end), SLO
 * attainment per the request's app (a speech response also on the speech target: time to first audio and
 * real-time factor, recorded for the {@link SpeechStats}), rejection reasons, queue lengths.
 */
public final class MetricsCollector {
    private final List<SimDeployment> deploymentConfigs;
    private final Function<String, Slo> sloOf;
    /** Every request's record in arrival order (when records are kept). */
    private final RecordColumns records = new RecordColumns();
    private final LatencyRecorder ttft = new LatencyRecorder();
    private final LatencyRecorder tpot = new LatencyRecorder();
    private final LatencyRecorder e2e = new LatencyRecorder();
    private final Map<String, Long> rejectReasons = new TreeMap<>();
    private final QueueTracker queues;
    private final boolean keepRecords;
    private final Consumer<RequestRecord> onEnd;
    private long arrivals;
    private long firstArrival = -1;
    private long lastEnd = -1;
    private long completed;
    private long rejected;
    private long sloMet;
    private long outputTokens;
    private long speechRequests;
    private long speechCompleted;
    private long speechSloMet;
    private final LatencyRecorder ttfa = new LatencyRecorder();
    private final LatencyRecorder speechRtf = new LatencyRecorder();
    private long preemptions;
    private long prefixQueryTokens;
    private long prefixHitTokens;

    public MetricsCollector(SimConfig config) {
        this(config, true, null);
    }

    /**
     * @param keepRecords whether the result keeps every request's record (for requests.csv and per-stage
     *     breakdowns); without, memory stays flat however long the run
     * @param onEnd called with each request's record when it completes or is rejected, or null
     */
    public MetricsCollector(SimConfig config, boolean keepRecords, Consumer<RequestRecord> onEnd) {
        this(config.deployments(), config::sloOf, new QueueTracker(config.deployments().size(), config.queueSampleNanos()),
                keepRecords, onEnd);
    }

    private MetricsCollector(List<SimDeployment> deployments, Function<String, Slo> sloOf, QueueTracker queues,
            boolean keepRecords, Consumer<RequestRecord> onEnd) {
        this.deploymentConfigs = deployments;
        this.sloOf = sloOf;
        this.queues = queues;
        this.keepRecords = keepRecords;
        this.onEnd = onEnd;
    }

    /**
     * A collector of requests measured outside the simulator (a replay against a live server): no deployments and
     * no queue series, so its {@link #result} has empty {@code deployments} and null {@code queues}; records are
     * kept. Feed requests in arrival order.
     *
     * @param sloOf each app's latency targets
     */
    public static MetricsCollector measured(Function<String, Slo> sloOf) {
        return new MetricsCollector(List.of(), sloOf, null, true, null);
    }

    /** The queue series, or null for a measured run. */
    public QueueTracker queues() {
        return queues;
    }

    public RequestRecord arrived(SimRequest request) {
        if (firstArrival < 0) {
            firstArrival = request.arrivalNanos();
        }
        RequestRecord record = new RequestRecord(request);
        arrivals++;
        if (request.graph().hasSpeech()) {
            speechRequests++;
        }
        if (keepRecords) {
            records.arrived(record);
        }
        return record;
    }

    public void completed(RequestRecord record, long nowNanos) {
        record.completed(nowNanos);
        if (record.firstOutputNanos() < 0) {
            throw new IllegalStateException("request " + record.request().id() + " completed without an output");
        }
        completed++;
        lastEnd = Math.max(lastEnd, nowNanos);
        long out = record.request().graph().outputTokens();
        outputTokens += out;
        double t = record.ttftMs();
        double e = record.e2eMs();
        double p = record.tpotMs();
        ttft.recordMs(t);
        e2e.recordMs(e);
        if (out >= 2) {
            tpot.recordMs(p);
        }
        Slo slo = sloOf.apply(record.request().app());
        boolean met = slo.met(t, p, e, out);
        if (record.request().graph().hasSpeech()) {
            if (record.firstAudioNanos() < 0) {
                throw new IllegalStateException("request " + record.request().id() + " completed without first audio");
            }
            speechCompleted++;
            double a = record.ttfaMs();
            double rtf = record.speechRtf();
            ttfa.recordMs(a);
            speechRtf.recordMs(rtf);
            met &= slo.speechMet(a, (nowNanos - record.firstAudioNanos()) / 1e6, record.audioSeconds());
            if (met) {
                speechSloMet++;
            }
        }
        if (met) {
            sloMet++;
        }
        if (onEnd != null) {
            onEnd.accept(record);
        }
        if (keepRecords) {
            records.store(record);
        }
    }

    public void rejected(RequestRecord record, String reason, long nowNanos) {
        record.rejected(reason);
        rejected++;
        lastEnd = Math.max(lastEnd, nowNanos);
        rejectReasons.merge(reason.replaceAll("\\d+", "N"), 1L, Long::sum);
        if (onEnd != null) {
            onEnd.accept(record);
        }
        if (keepRecords) {
            records.store(record);
        }
    }

    public static void queued(RequestRecord record, int node, long nowNanos) {
        record.queued(node, nowNanos);
    }

    public static void started(RequestRecord record, int node, long nowNanos) {
        record.started(node, nowNanos);
    }

    public static void firstOutput(RequestRecord record, long nowNanos) {
        record.firstOutput(nowNanos);
    }

    public static void speechStreamStarted(RequestRecord record, long nowNanos) {
        record.speechStreamStarted(nowNanos);
    }

    /** The first audio of a speech response as a client measured it (a replay). */
    public static void firstAudioMeasured(RequestRecord record, long nowNanos) {
        record.firstAudioMeasured(nowNanos);
    }

    public static void finished(RequestRecord record, int node, long nowNanos) {
        record.finished(node, nowNanos);
    }

    /** The engines' counts at the end of a run: LLM preemptions and prefix-cache look-ups (tokens). */
    public void engineCounts(long preemptionCount, long queryTokens, long hitTokens) {
        this.preemptions = preemptionCount;
        this.prefixQueryTokens = queryTokens;
        this.prefixHitTokens = hitTokens;
    }

    /**
     * The run's results; {@code busyNanos[d][r]} is replica r of deployment d's busy time (an empty array for a
     * measured run).
     */
    public SimResult result(long[][] busyNanos, long events, long staleEvents, double wallSeconds) {
        long span = firstArrival < 0 ? 0 : Math.max(0, lastEnd - firstArrival);
        double seconds = span / 1e9;
        List<DeploymentStats> deployments = new ArrayList<>();
        for (int d = 0; d < busyNanos.length; d++) {
            SimDeployment sd = deploymentConfigs.get(d);
            long busy = 0;
            for (long b : busyNanos[d]) {
                busy += b;
            }
            int replicas = sd.deployment().replicas();
            double utilization = span == 0 ? 0 : (double) busy / ((double) span * replicas);
            deployments.add(new DeploymentStats(sd.deployment().name(), replicas * sd.devicesPerReplica(), replicas,
                    utilization, queues.meanLength(d), queues.maxLength(d)));
        }
        long requests = arrivals;
        records.storeLive();
        return new SimResult(requests, completed, rejected, seconds,
                seconds == 0 ? 0 : completed / seconds,
                seconds == 0 ? 0 : sloMet / seconds,
                requests == 0 ? 0 : (double) sloMet / requests,
                ttft.stats(), tpot.stats(), e2e.stats(), deployments, events, staleEvents, wallSeconds,
                outputTokens, Map.copyOf(rejectReasons), records, queues,
                speechRequests == 0 ? null : new SpeechStats(speechRequests, speechCompleted,
                        (double) speechSloMet / speechRequests, ttfa.stats(), speechRtf.stats()),
                preemptions, prefixQueryTokens == 0 ? 0 : (double) prefixHitTokens / prefixQueryTokens);
    }
}
