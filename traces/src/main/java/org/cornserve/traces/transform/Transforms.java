package org.cornserve.traces.transform;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.TraceSource;

/**
 * Streaming transforms over reopenable trace sources. Each returns a new {@link TraceSource}; nothing
 * is held in memory beyond one record per input. Transforms that need the trace's rate
 * ({@link #rescaleToRate}, {@link #mix}) read their input once to count it, then again to transform.
 */
public final class Transforms {

    private Transforms() {
    }

    /** Count, first and last arrival of a trace (one streaming pass). */
    public record Extent(long requests, long firstNanos, long lastNanos) {
        /** Seconds from the first arrival to the last. */
        public double durationS() {
            return (lastNanos - firstNanos) / 1e9;
        }

        /** {@code requests / durationS}, as {@code trace stats} reports it; 0 for fewer than two distinct times. */
        public double rateRps() {
            double d = durationS();
            return d > 0 ? requests / d : 0;
        }
    }

    /** Reads a source once to measure it. */
    public static Extent extent(TraceSource source) throws IOException {
        long n = 0;
        long first = 0;
        long last = 0;
        try (TraceReader r = source.open()) {
            for (TraceRecord rec; (rec = r.read()) != null; ) {
                if (n++ == 0) {
                    first = rec.arrivalNanos();
                }
                last = rec.arrivalNanos();
            }
        }
        return new Extent(n, first, last);
    }

    /** Keeps records arriving in {@code [startS, endS)} and shifts them so {@code startS} becomes 0. */
    public static TraceSource window(TraceSource source, double startS, double endS) {
        if (!(startS >= 0) || !(endS > startS)) {
            throw new IllegalArgumentException("window must satisfy 0 <= start < end, got " + startS + ":" + endS);
        }
        long from = TraceRecord.secondsToNanos(startS);
        long to = Double.isInfinite(endS) ? Long.MAX_VALUE : TraceRecord.secondsToNanos(endS);
        return () -> new MappingTraceReader(source.open(), new MappingTraceReader.Step() {
            private boolean past;

            @Override
            public TraceRecord apply(TraceRecord r) {
                if (r.arrivalNanos() >= to) {
                    past = true; // records are in time order: nothing later can be inside
                    return null;
                }
                return r.arrivalNanos() < from ? null : r.withArrivalNanos(r.arrivalNanos() - from);
            }

            @Override
            public boolean done() {
                return past;
            }
        });
    }

    /** Keeps the first {@code n} records. */
    public static TraceSource first(TraceSource source, long n) {
        if (n < 0) {
            throw new IllegalArgumentException("first N needs N >= 0, got " + n);
        }
        return () -> new MappingTraceReader(source.open(), new MappingTraceReader.Step() {
            private long passed;

            @Override
            public TraceRecord apply(TraceRecord r) {
                return passed++ < n ? r : null;
            }

            @Override
            public boolean done() {
                return passed >= n;
            }
        });
    }

    /** Multiplies every arrival time by {@code factor} (> 1 stretches the trace, lowering its rate). */
    public static TraceSource scaleTime(TraceSource source, double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("time scale factor must be > 0, got " + factor);
        }
        return () -> new MappingTraceReader(source.open(),
                r -> r.withArrivalNanos(Math.round(r.arrivalNanos() * factor)));
    }

    /**
     * Scales arrival times so that the trace's rate ({@code requests / (last - first arrival)}, as
     * {@code trace stats} reports it) becomes {@code targetRps}. Reads the source once to measure it.
     */
    public static TraceSource rescaleToRate(TraceSource source, double targetRps) throws IOException {
        if (!(targetRps > 0) || Double.isInfinite(targetRps)) {
            throw new IllegalArgumentException("target rate must be > 0 requests/s, got " + targetRps);
        }
        Extent e = extent(source);
        if (e.rateRps() <= 0) {
            throw new IllegalArgumentException("cannot rescale a trace of " + e.requests()
                    + " request(s) spanning 0 s to a rate");
        }
        return scaleTime(source, e.rateRps() / targetRps);
    }

    /**
     * Multiplies every record's text and output token counts by {@code factor} (rounded, at least 1), keeping
     * arrivals and media: to run a real trace's arrival pattern and length mix on a machine far slower than the one
     * it was recorded on. Prefix block hashes no longer match scaled prompts and are dropped.
     */
    public static TraceSource scaleTokens(TraceSource source, double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("token scale factor must be > 0, got " + factor);
        }
        return () -> new MappingTraceReader(source.open(), r -> new TraceRecord(r.arrivalNanos(), r.app(),
                new org.cornserve.model.request.RequestShape(
                        (int) Math.max(1, Math.round(r.shape().textTokens() * factor)), r.shape().media(),
                        (int) Math.max(1, Math.round(r.shape().outputTokens() * factor)),
                        r.shape().outputModalities()), r.requestId(), null));
    }

    /**
     * Adds {@code tokens} text tokens to every record's prompt, keeping everything else: what a server adds to each
     * prompt that a trace does not count (a chat template's role markers and begin-of-sequence token), so that a
     * simulation prefills what the server prefills. Prefix block hashes no longer line up with the prompt and are
     * dropped.
     */
    public static TraceSource addPromptTokens(TraceSource source, int tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException("prompt overhead must be >= 0 tokens, got " + tokens);
        }
        if (tokens == 0) {
            return source;
        }
        return () -> new MappingTraceReader(source.open(), r -> new TraceRecord(r.arrivalNanos(), r.app(),
                new org.cornserve.model.request.RequestShape(r.shape().textTokens() + tokens, r.shape().media(),
                        r.shape().outputTokens(), r.shape().outputModalities()), r.requestId(), null));
    }

    /** Gives every record the app {@code app}. */
    public static TraceSource relabel(TraceSource source, String app) {
        if (app == null || app.isBlank()) {
            throw new IllegalArgumentException("app must be a non-blank name");
        }
        return () -> new MappingTraceReader(source.open(), r -> r.withApp(app));
    }

    /** Merges sources in time order as they are. */
    public static TraceSource merge(List<TraceSource> sources) {
        List<TraceSource> copy = List.copyOf(sources);
        return () -> {
            List<TraceReader> readers = new ArrayList<>();
            try {
                for (TraceSource s : copy) {
                    readers.add(s.open());
                }
            } catch (IOException | RuntimeException e) {
                for (TraceReader r : readers) {
                    r.close();
                }
                throw e;
            }
            return new MergingTraceReader(readers);
        };
    }

    /** One input of a {@link #mix}: a trace and its weight. */
    public record Component(TraceSource source, double weight) {
        public Component {
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("mix weight must be > 0, got " + weight);
            }
        }
    }

    /**
     * Mixes traces by weight: each component is rescaled so that its rate is
     * {@code weight / sum of weights * totalRps}, then all are merged in time order. With
     * {@code totalRps <= 0} the total is the sum of the components' own rates (the load is kept, the
     * shares change). Reads each component once to measure it.
     */
    public static TraceSource mix(List<Component> components, double totalRps) throws IOException {
        if (components.isEmpty()) {
            throw new IllegalArgumentException("mix needs at least one trace");
        }
        double weightSum = 0;
        double rateSum = 0;
        double[] rates = new double[components.size()];
        for (int i = 0; i < rates.length; i++) {
            Extent e = extent(components.get(i).source());
            rates[i] = e.rateRps();
            if (rates[i] <= 0) {
                throw new IllegalArgumentException("mix input " + (i + 1) + " has " + e.requests()
                        + " request(s) spanning 0 s: no rate to scale");
            }
            weightSum += components.get(i).weight();
            rateSum += rates[i];
        }
        double total = totalRps > 0 ? totalRps : rateSum;
        List<TraceSource> scaled = new ArrayList<>();
        for (int i = 0; i < rates.length; i++) {
            double target = components.get(i).weight() / weightSum * total;
            scaled.add(scaleTime(components.get(i).source(), rates[i] / target));
        }
        return merge(scaled);
    }
}
