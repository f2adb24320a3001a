package org.cornserve.runtime.replay;

/**
 * What one replayed request took, seen from the client. Times are nanoseconds since the replay's start; -1 means
 * never.
 *
 * @param id the request's index in the replay
 * @param app the app (invoke) or model (chat) it called
 * @param scheduledNanos when the trace said to send it (arrival divided by the rate scale)
 * @param sentNanos when it was handed to the HTTP client
 * @param firstByteNanos when the status line and headers came back
 * @param firstTokenNanos when the first output came: the first streamed chunk carrying output, or the whole body
 *     of an answer that does not stream
 * @param lastTokenNanos when the last output came: the last chunk carrying output, or the streamed chunk that ends
 *     the choice ({@code finish_reason}) when it comes later
 * @param endNanos when the exchange ended (the response's end, the failure, or the timeout)
 * @param httpStatus the response's status, or 0 when none came (connection failure, timeout)
 * @param inputTokens prompt tokens sent (text plus media under the model's rules)
 * @param outputTokens output tokens received: the server's {@code usage.completion_tokens} when it reports it,
 *     else the streamed chunks that carried text
 * @param tracedOutputTokens output tokens the trace asked for (sent as {@code max_tokens})
 * @param failure why it failed, short and stable (e.g. {@code 503 service unavailable}, {@code timeout}), or null
 * @param message the server's error message or the exception's, or null
 * @param firstAudioNanos when the answer's first audio came, or -1 (no audio)
 * @param audioSeconds the duration of the answer's audio (WAV header); for a failed request that asked for speech,
 *     the duration its trace record implies when the model is known; 0 without speech
 */
public record ReplayRecord(long id, String app, long scheduledNanos, long sentNanos, long firstByteNanos,
        long firstTokenNanos, long lastTokenNanos, long endNanos, int httpStatus, long inputTokens, long outputTokens,
        long tracedOutputTokens, String failure, String message, long firstAudioNanos, double audioSeconds) {

    /** Time to first audio in ms from the send, or -1 without audio. */
    public double ttfaMs() {
        return firstAudioNanos < 0 ? -1 : (firstAudioNanos - sentNanos) / 1e6;
    }

    public boolean completed() {
        return failure == null;
    }

    /** How late it went out against its schedule, in ms. */
    public double sendLagMs() {
        return (sentNanos - scheduledNanos) / 1e6;
    }
}
