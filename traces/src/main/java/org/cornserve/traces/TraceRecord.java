package org.cornserve.traces;

import java.util.Objects;
import org.cornserve.model.request.RequestShape;

/**
 * One request of a workload trace: when it arrives, which app it calls and what it asks for.
 *
 * <p>Time is kept as whole nanoseconds from the start of the trace ({@code arrivalNanos}), the unit
 * the simulator and scheduler clocks use; the JSON Lines form writes it as decimal seconds
 * ({@code arrival_s}) with up to nine fraction digits, so the round trip is exact (see
 * {@link org.cornserve.traces.jsonl.JsonlTraceWriter}). Records of one trace come in non-decreasing
 * arrival order; readers check it.
 *
 * @param arrivalNanos arrival time in nanoseconds since the trace start, {@code >= 0}
 * @param app the app the request invokes (never blank)
 * @param shape prompt text tokens, media items, output tokens and output modalities
 * @param requestId the trace's own request id, or null when it has none
 * @param hashIds Mooncake-style ids of the prompt's prefix blocks (equal ids mean a shared prefix);
 *     empty when the trace has none
 */
public record TraceRecord(long arrivalNanos, String app, RequestShape shape, String requestId, LongList hashIds) {

    /** The app name given to records whose source names none. */
    public static final String DEFAULT_APP = "default";

    public static final long NANOS_PER_SECOND = 1_000_000_000L;

    public TraceRecord {
        if (arrivalNanos < 0) {
            throw new IllegalArgumentException("arrival must be >= 0 s from the trace start, got "
                    + arrivalNanos + " ns");
        }
        if (app == null || app.isBlank()) {
            throw new IllegalArgumentException("app must be a non-blank name");
        }
        Objects.requireNonNull(shape, "shape");
        hashIds = hashIds == null ? LongList.EMPTY : hashIds;
    }

    /** A record without request id or hash ids. */
    public TraceRecord(long arrivalNanos, String app, RequestShape shape) {
        this(arrivalNanos, app, shape, null, LongList.EMPTY);
    }

    /** Arrival time in seconds since the trace start. */
    public double arrivalSeconds() {
        return arrivalNanos / 1e9;
    }

    public TraceRecord withArrivalNanos(long newArrivalNanos) {
        return newArrivalNanos == arrivalNanos ? this
                : new TraceRecord(newArrivalNanos, app, shape, requestId, hashIds);
    }

    public TraceRecord withApp(String newApp) {
        return newApp.equals(app) ? this : new TraceRecord(arrivalNanos, newApp, shape, requestId, hashIds);
    }

    /** Converts seconds to whole nanoseconds, rounding to the nearest. */
    public static long secondsToNanos(double seconds) {
        if (!Double.isFinite(seconds) || Math.abs(seconds) > Long.MAX_VALUE / 1e9) {
            throw new IllegalArgumentException("time out of range: " + seconds + " s");
        }
        return Math.round(seconds * 1e9);
    }
}
