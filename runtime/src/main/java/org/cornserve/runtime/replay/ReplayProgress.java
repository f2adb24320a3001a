package org.cornserve.runtime.replay;

import java.util.Locale;

/**
 * Where a replay stands.
 *
 * @param total requests to send
 * @param sent requests sent so far
 * @param answered requests answered in full
 * @param failed requests that failed (error status, broken connection, timeout)
 * @param elapsedSeconds wall time since the start
 * @param lastArrivalSeconds when the last request is due, from the start
 */
public record ReplayProgress(long total, long sent, long answered, long failed, double elapsedSeconds,
        double lastArrivalSeconds) {

    /** Requests sent and not yet answered or failed. */
    public long inFlight() {
        return sent - answered - failed;
    }

    /** Requests sent per second so far. */
    public double sendRateRps() {
        return elapsedSeconds > 0 ? sent / elapsedSeconds : 0;
    }

    /** Seconds until the last request is due (0 once everything is sent; then the in-flight answers remain). */
    public double secondsLeft() {
        return Math.max(0, lastArrivalSeconds - elapsedSeconds);
    }

    /** One line: {@code sent 120/200, answered 100, failed 2, in flight 18, 9.8 req/s, 8 s left}. */
    public String line() {
        return String.format(Locale.ROOT, "sent %d/%d, answered %d, failed %d, in flight %d, %.1f req/s, %s", sent,
                total, answered, failed, inFlight(), sendRateRps(), sent < total
                        ? String.format(Locale.ROOT, "%.0f s left", secondsLeft()) : "waiting for answers");
    }
}
