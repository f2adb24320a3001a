package org.cornserve.simulator.metrics;

import java.util.Arrays;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.simulator.event.SimRequest;

/**
 * What happened to one request: arrival, each invocation's queueing, start and end, first output, completion
 * or rejection. Times are simulated nanoseconds; -1 means never.
 */
public final class RequestRecord {
    private final SimRequest request;
    /** Queued, started and finished times of each invocation after the first ({@code 3 * (node - 1)}), or null. */
    private final long[] laterStageNanos;
    private long queuedNanos = -1;
    private long startedNanos = -1;
    private long finishedNanos = -1;
    private long firstOutputNanos = -1;
    private long completionNanos = -1;
    private long speechStreamNanos = -1;
    private long measuredFirstAudioNanos = -1;
    private String rejectReason;
    /** Position in its collector's arrival order, or -1 outside a collector that keeps records. */
    int index = -1;
    /** Stored in its collector's columns: no later change would reach the results, so none is allowed. */
    boolean frozen;

    /** A record rebuilt from a collector's columns ({@link RecordColumns}). */
    RequestRecord(SimRequest request, long[] laterStageNanos, long queuedNanos, long startedNanos, long finishedNanos,
            long firstOutputNanos, long completionNanos, long speechStreamNanos, long measuredFirstAudioNanos,
            String rejectReason) {
        this.request = request;
        this.laterStageNanos = laterStageNanos;
        this.queuedNanos = queuedNanos;
        this.startedNanos = startedNanos;
        this.finishedNanos = finishedNanos;
        this.firstOutputNanos = firstOutputNanos;
        this.completionNanos = completionNanos;
        this.speechStreamNanos = speechStreamNanos;
        this.measuredFirstAudioNanos = measuredFirstAudioNanos;
        this.rejectReason = rejectReason;
        this.frozen = true;
    }

    public RequestRecord(SimRequest request) {
        this.request = request;
        int nodes = request.graph().size();
        // the first invocation's times are fields: most requests (text in, text out) have only that one
        this.laterStageNanos = nodes > 1 ? new long[3 * (nodes - 1)] : null;
        if (laterStageNanos != null) {
            Arrays.fill(laterStageNanos, -1);
        }
    }

    public SimRequest request() {
        return request;
    }

    void queued(int node, long nanos) {
        checkOpen();
        if (node == 0) {
            queuedNanos = nanos;
        } else {
            laterStageNanos[3 * node - 3] = nanos;
        }
    }

    void started(int node, long nanos) {
        checkOpen();
        if (node == 0) {
            startedNanos = nanos;
        } else {
            laterStageNanos[3 * node - 2] = nanos;
        }
    }

    void finished(int node, long nanos) {
        checkOpen();
        if (node == 0) {
            finishedNanos = nanos;
        } else {
            laterStageNanos[3 * node - 1] = nanos;
        }
    }

    void firstOutput(long nanos) {
        checkOpen();
        firstOutputNanos = nanos;
    }

    void speechStreamStarted(long nanos) {
        checkOpen();
        if (speechStreamNanos < 0) {
            speechStreamNanos = nanos;
        }
    }

    /** A client measured the response's first audio (a replay): it wins over what the graph would say. */
    void firstAudioMeasured(long nanos) {
        checkOpen();
        measuredFirstAudioNanos = nanos;
    }

    void completed(long nanos) {
        checkOpen();
        if (completionNanos >= 0 || rejectReason != null) {
            throw new IllegalStateException("request " + request.id() + " ended twice");
        }
        completionNanos = nanos;
    }

    void rejected(String reason) {
        checkOpen();
        if (completionNanos >= 0 || rejectReason != null) {
            throw new IllegalStateException("request " + request.id() + " ended twice");
        }
        rejectReason = reason;
    }

    private void checkOpen() {
        if (frozen) {
            throw new IllegalStateException("request " + request.id() + " changed after its record was stored");
        }
    }

    /** Times of invocations after the first (3 per invocation), or null; for {@link RecordColumns}. */
    long[] laterStageNanos() {
        return laterStageNanos;
    }

    long speechStreamNanos() {
        return speechStreamNanos;
    }

    long measuredFirstAudioNanos() {
        return measuredFirstAudioNanos;
    }

    /** Time invocation {@code node} was queued (all inputs present), or -1. */
    public long queuedNanos(int node) {
        return node == 0 ? queuedNanos : laterStageNanos[3 * node - 3];
    }

    public long startedNanos(int node) {
        return node == 0 ? startedNanos : laterStageNanos[3 * node - 2];
    }

    public long finishedNanos(int node) {
        return node == 0 ? finishedNanos : laterStageNanos[3 * node - 1];
    }

    public long firstOutputNanos() {
        return firstOutputNanos;
    }

    public long completionNanos() {
        return completionNanos;
    }

    public String rejectReason() {
        return rejectReason;
    }

    public boolean completed() {
        return completionNanos >= 0;
    }

    public boolean rejected() {
        return rejectReason != null;
    }

    public double ttftMs() {
        return (firstOutputNanos - request.arrivalNanos()) / 1e6;
    }

    /**
     * When the response's first audio is available, or -1 (no speech, or not yet): the first codec frame of the
     * invocation streaming into the vocoder (the talker), since a streaming deployment vocodes chunk by chunk
     * and one chunk's vocoding is not modelled apart; where nothing streams into it, the vocoder's finish. A
     * request measured by a client (a replay) has the time its first audio arrived.
     */
    public long firstAudioNanos() {
        InvocationGraph g = request.graph();
        if (!g.hasSpeech()) {
            return -1;
        }
        if (measuredFirstAudioNanos >= 0) {
            return measuredFirstAudioNanos;
        }
        return g.speechSourceNode() >= 0 ? speechStreamNanos : finishedNanos(g.speechNode());
    }

    /** Duration of the response's speech in seconds, 0 without speech. */
    public double audioSeconds() {
        return request.graph().audioSeconds();
    }

    /** Time to first audio in ms (a completed speech request). */
    public double ttfaMs() {
        return (firstAudioNanos() - request.arrivalNanos()) / 1e6;
    }

    /** Time from the first audio to completion, over the speech's duration (a completed speech request). */
    public double speechRtf() {
        return (completionNanos - firstAudioNanos()) / 1e9 / audioSeconds();
    }

    public double e2eMs() {
        return (completionNanos - request.arrivalNanos()) / 1e6;
    }

    /**
     * Mean time per output token after the first: from the first output to the end of the token stream (the
     * invocation generating the response's tokens, so speech synthesis after the text does not count), over the
     * tokens after the first; 0 with fewer than two output tokens.
     */
    public double tpotMs() {
        long out = request.graph().outputTokens();
        if (out < 2) {
            return 0;
        }
        long end = finishedNanos(request.graph().tokenStreamNode());
        return (end - firstOutputNanos) / 1e6 / (out - 1);
    }
}
