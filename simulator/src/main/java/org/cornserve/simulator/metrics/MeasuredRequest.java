package org.cornserve.simulator.metrics;

/**
 * One request measured against a live server from the client's side (a replay). Times are nanoseconds since the
 * run's start; -1 means never.
 *
 * @param id request id, unique in the run
 * @param app the app it called (selects its SLO)
 * @param sentNanos when the request went out: its arrival
 * @param firstByteNanos when the response's status line and headers came back, or -1
 * @param firstOutputNanos when the first output came (the first streamed token, or the whole answer when nothing
 *     streams), or -1
 * @param lastOutputNanos when the last output token came, or -1
 * @param endNanos when the exchange ended: the response's end, or the failure
 * @param inputTokens prompt tokens sent (text plus media tokens by the model's rules)
 * @param outputTokens output tokens received
 * @param failure why the request failed (an HTTP error status, a broken connection, a timeout), or null when it
 *     completed
 * @param traceId the trace's own id of the request ({@code requests.csv}'s {@code trace_request_id}), or null
 * @param firstAudioNanos when the answer's first audio came (a speech response), or -1
 * @param audioSeconds the duration of the answer's speech (a speech response; for one that failed, what it was
 *     expected to last, when known), 0 for a response without speech: a request with speech counts in the
 *     summary's {@code speech} figures and has {@code first_audio_ns} and {@code audio_seconds} in
 *     {@code requests.csv}
 */
public record MeasuredRequest(long id, String app, long sentNanos, long firstByteNanos, long firstOutputNanos,
        long lastOutputNanos, long endNanos, long inputTokens, long outputTokens, String failure, String traceId,
        long firstAudioNanos, double audioSeconds) {

    /** A request without speech. */
    public MeasuredRequest(long id, String app, long sentNanos, long firstByteNanos, long firstOutputNanos,
            long lastOutputNanos, long endNanos, long inputTokens, long outputTokens, String failure, String traceId) {
        this(id, app, sentNanos, firstByteNanos, firstOutputNanos, lastOutputNanos, endNanos, inputTokens, outputTokens,
                failure, traceId, -1, 0);
    }

    /** A request without speech whose trace gave it no id. */
    public MeasuredRequest(long id, String app, long sentNanos, long firstByteNanos, long firstOutputNanos,
            long lastOutputNanos, long endNanos, long inputTokens, long outputTokens, String failure) {
        this(id, app, sentNanos, firstByteNanos, firstOutputNanos, lastOutputNanos, endNanos, inputTokens, outputTokens,
                failure, null);
    }

    public MeasuredRequest {
        if (app == null || app.isBlank()) {
            throw new IllegalArgumentException("measured request " + id + " needs an app");
        }
        if (sentNanos < 0 || endNanos < sentNanos) {
            throw new IllegalArgumentException("measured request " + id + " must end (" + endNanos
                    + " ns) at or after it was sent (" + sentNanos + " ns), both >= 0");
        }
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("measured request " + id + " has negative token counts: input "
                    + inputTokens + ", output " + outputTokens);
        }
        if (failure == null && !(sentNanos <= firstOutputNanos && firstOutputNanos <= lastOutputNanos
                && lastOutputNanos <= endNanos)) {
            throw new IllegalArgumentException("completed measured request " + id + " needs sent <= first output <= "
                    + "last output <= end, got " + sentNanos + ", " + firstOutputNanos + ", " + lastOutputNanos + ", "
                    + endNanos + " ns");
        }
        if (!(audioSeconds >= 0) || Double.isInfinite(audioSeconds)) {
            throw new IllegalArgumentException("measured request " + id + " has audio of " + audioSeconds
                    + " s; expected a finite duration >= 0");
        }
        if (failure == null && audioSeconds > 0 && !(sentNanos <= firstAudioNanos && firstAudioNanos <= endNanos)) {
            throw new IllegalArgumentException("completed measured request " + id + " with speech needs sent <= first"
                    + " audio <= end, got " + sentNanos + ", " + firstAudioNanos + ", " + endNanos + " ns");
        }
    }

    /** Whether the response has (or, failed, was to have) speech. */
    public boolean speech() {
        return audioSeconds > 0;
    }

    /** Whether it completed. */
    public boolean completed() {
        return failure == null;
    }
}
