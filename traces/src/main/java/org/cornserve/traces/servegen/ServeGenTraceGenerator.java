package org.cornserve.traces.servegen;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.math3.distribution.EnumeratedIntegerDistribution;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.distribution.RealDistribution;
import org.apache.commons.math3.distribution.WeibullDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.cornserve.model.Modality;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.LongList;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;
import org.cornserve.traces.generate.InterArrivals;

/**
 * Generates a trace from a {@link ServeGenPool} for a window of the day, the way ServeGen's
 * {@code construct.generate_workload} does (at the clients' own rates):
 *
 * <ul>
 *   <li>per client and arrival window (600 s in ServeGen's data) clipped to the requested window:
 *       {@code n = ceil(rate * length)} inter-arrival times from the window's pattern, Gamma or Weibull
 *       with ServeGen's fitted shape and scale (fitted here to the window's mean and CV when the file
 *       gives none), rescaled so that they sum to the window's length; arrivals are the window start
 *       plus their running sums, those before the window's end kept;</li>
 *   <li>each request's shape from the client's dataset window in force: text tokens, image count then
 *       tokens per image (likewise audio and video), output tokens;</li>
 *   <li>all clients merged in time order, one arrival window at a time (memory holds one window's requests).</li>
 * </ul>
 * Arrivals are relative to the requested window's start. Record ids are {@code c<client>-<n>}. All
 * randomness comes from one {@link Well19937c} seeded with {@code seed}.
 */
public final class ServeGenTraceGenerator implements TraceReader {

    private final ServeGenPool pool;
    private final double startS;
    private final double endS;
    private final String app;
    private final RandomGenerator random;
    private final List<Double> boundaries;
    private final Map<ServeGenClient.Dataset, Samplers> samplers = new IdentityHashMap<>();
    private final Map<Integer, Long> requestsPerClient = new HashMap<>();
    private final ArrayDeque<TraceRecord> pending = new ArrayDeque<>();
    private int nextSegment;

    public ServeGenTraceGenerator(ServeGenPool pool, double windowStartS, double windowEndS, long seed, String app) {
        if (!(windowStartS >= 0) || !(windowEndS > windowStartS) || Double.isInfinite(windowEndS)) {
            throw new IllegalArgumentException("window must satisfy 0 <= start < end, got " + windowStartS + ":" + windowEndS);
        }
        this.pool = pool;
        this.startS = windowStartS;
        this.endS = windowEndS;
        this.app = app;
        this.random = new Well19937c(seed);
        TreeSet<Double> cuts = new TreeSet<>();
        cuts.add(windowStartS);
        cuts.add(windowEndS);
        for (ServeGenClient c : pool.clients()) {
            List<ServeGenClient.ArrivalWindow> w = c.windows();
            for (int i = 0; i <= w.size(); i++) {
                double t = i < w.size() ? w.get(i).startS() : windowEnd(w, i - 1);
                if (t > windowStartS && t < windowEndS) {
                    cuts.add(t);
                }
            }
        }
        this.boundaries = new ArrayList<>(cuts);
    }

    /** The end of window i: the next window's start, or for the last one its start plus the spacing before it. */
    private static double windowEnd(List<ServeGenClient.ArrivalWindow> w, int i) {
        if (i + 1 < w.size()) {
            return w.get(i + 1).startS();
        }
        long spacing = w.size() > 1 ? w.get(i).startS() - w.get(i - 1).startS() : 600;
        return w.get(i).startS() + spacing;
    }

    @Override
    public TraceRecord read() {
        while (pending.isEmpty() && nextSegment + 1 < boundaries.size()) {
            generateSegment(boundaries.get(nextSegment), boundaries.get(nextSegment + 1));
            nextSegment++;
        }
        return pending.poll();
    }

    private void generateSegment(double from, double to) {
        List<TraceRecord> records = new ArrayList<>();
        for (ServeGenClient client : pool.clients()) {
            List<ServeGenClient.ArrivalWindow> w = client.windows();
            int i = windowIndexAt(w, from);
            if (i < 0 || windowEnd(w, i) <= from || !w.get(i).active()) {
                continue;
            }
            ServeGenClient.ArrivalWindow window = w.get(i);
            double length = to - from;
            int n = (int) Math.ceil(window.rate() * length);
            if (n == 0) {
                continue;
            }
            double[] gaps = interArrivals(window).sample(n);
            double sum = 0;
            for (double g : gaps) {
                sum += g;
            }
            double factor = sum > 0 ? length / sum : 0;
            ServeGenClient.Dataset dataset = client.datasetAt(window.startS());
            if (dataset == null) {
                throw new IllegalStateException("ServeGen client " + client.id() + " has requests at "
                        + window.startS() + " s but no dataset window");
            }
            Samplers s = samplers.computeIfAbsent(dataset, d -> new Samplers(d, random));
            double t = from;
            long endNanos = TraceRecord.secondsToNanos(to - startS);
            for (int k = 0; k < n; k++) {
                t += factor > 0 ? gaps[k] * factor : length / n;
                long arrivalNanos = TraceRecord.secondsToNanos(t - startS);
                if (arrivalNanos >= endNanos) {
                    break; // the last gap ends at the window's end (ServeGen drops it too)
                }
                long seq = requestsPerClient.merge(client.id(), 1L, Long::sum) - 1;
                records.add(new TraceRecord(arrivalNanos, app, s.sample(), "c" + client.id() + "-" + seq,
                        LongList.EMPTY));
            }
        }
        records.sort(Comparator.comparingLong(TraceRecord::arrivalNanos));
        pending.addAll(records);
    }

    private static int windowIndexAt(List<ServeGenClient.ArrivalWindow> w, double t) {
        int lo = 0;
        int hi = w.size() - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (w.get(mid).startS() <= t) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    private RealDistribution interArrivals(ServeGenClient.ArrivalWindow w) {
        boolean fitted = w.shape() > 0 && w.scale() > 0 && Double.isFinite(w.shape()) && Double.isFinite(w.scale());
        double cv = w.cv() > 0 ? w.cv() : 1;
        if (w.pattern().equals("Gamma")) {
            return fitted ? new GammaDistribution(random, w.shape(), w.scale())
                    : InterArrivals.gamma(random, w.rate(), cv);
        }
        return fitted ? new WeibullDistribution(random, w.shape(), w.scale())
                : InterArrivals.weibull(random, w.rate(), cv);
    }

    /** Samplers of one dataset window, all drawing from the generator's single random source. */
    private static final class Samplers {
        private final EnumeratedIntegerDistribution text;
        private final EnumeratedIntegerDistribution output;
        private final EnumeratedIntegerDistribution[] counts = new EnumeratedIntegerDistribution[3];
        private final EnumeratedIntegerDistribution[] tokens = new EnumeratedIntegerDistribution[3];
        private static final Modality[] MEDIA = {Modality.IMAGE, Modality.AUDIO, Modality.VIDEO};

        Samplers(ServeGenClient.Dataset d, RandomGenerator random) {
            text = d.get("text_tokens").sampler(random);
            output = d.get("output_tokens").sampler(random);
            for (int m = 0; m < MEDIA.length; m++) {
                String name = MEDIA[m].jsonName();
                counts[m] = d.get(name + "_count").sampler(random);
                tokens[m] = d.get(name + "_tokens").sampler(random);
            }
        }

        RequestShape sample() {
            int textTokens = text.sample();
            List<MediaItem> media = List.of();
            for (int m = 0; m < MEDIA.length; m++) {
                int count = counts[m].sample();
                if (count > 0) {
                    if (media.isEmpty()) {
                        media = new ArrayList<>();
                    }
                    for (int k = 0; k < count; k++) {
                        media.add(new MediaItem(MEDIA[m], tokens[m].sample(), 0, 0, 0, 0));
                    }
                }
            }
            return new RequestShape(textTokens, media, output.sample(), Set.of(Modality.TEXT));
        }
    }

    @Override
    public void close() throws IOException {
        pending.clear();
        nextSegment = boundaries.size();
    }

    @Override
    public String toString() {
        return "ServeGen " + pool.folder() + " " + startS + ":" + endS + " s";
    }
}
