package org.cornserve.traces.stats;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.cornserve.model.Modality;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;

/**
 * Accumulates a trace's summary in bounded memory, one record at a time: counts, first and last
 * arrival, Welford's running mean and variance of inter-arrival gaps, and an HdrHistogram per modality.
 * Memory does not grow with the number of records.
 */
public final class TraceStats {

    /** Distinct app names counted one by one; further names are counted under {@code "(other)"}. */
    public static final int MAX_APPS = 1000;

    private static final String[] NAMES = {"text", "image", "audio", "video", "output"};
    private static final int TEXT = 0;
    private static final int OUTPUT = 4;

    private long requests;
    private long firstNanos = -1;
    private long lastNanos = -1;
    private long gaps;
    private double gapMean;
    private double gapM2;
    private final Histogram[] tokens = new Histogram[NAMES.length];
    private final long[] carrying = new long[NAMES.length];
    private final double[] tokenSums = new double[NAMES.length];
    private final long[] itemSums = new long[NAMES.length];
    private final long[] itemMax = new long[NAMES.length];
    private final Map<String, Long> apps = new LinkedHashMap<>();
    private final long[] perRequestTokens = new long[NAMES.length];
    private final long[] perRequestItems = new long[NAMES.length];
    private final long[] wantingOutput = new long[Modality.values().length];

    public TraceStats() {
        for (int i = 0; i < NAMES.length; i++) {
            tokens[i] = new Histogram(3);
        }
    }

    /** Reads a whole trace (closing the reader) and returns its summary. */
    public static TraceSummary of(TraceReader reader) throws IOException {
        TraceStats stats = new TraceStats();
        try (reader) {
            for (TraceRecord r; (r = reader.read()) != null; ) {
                stats.add(r);
            }
        }
        return stats.summary();
    }

    public void add(TraceRecord record) {
        long t = record.arrivalNanos();
        if (requests == 0) {
            firstNanos = t;
        } else {
            double gap = (t - lastNanos) / 1e9;
            gaps++;
            double delta = gap - gapMean;
            gapMean += delta / gaps;
            gapM2 += delta * (gap - gapMean);
        }
        lastNanos = t;
        requests++;
        countApp(record.app());

        RequestShape shape = record.shape();
        for (Modality m : shape.outputModalities()) {
            wantingOutput[m.ordinal()]++;
        }
        java.util.Arrays.fill(perRequestTokens, 0);
        java.util.Arrays.fill(perRequestItems, 0);
        perRequestTokens[TEXT] = shape.textTokens();
        perRequestItems[TEXT] = shape.textTokens() > 0 ? 1 : 0;
        perRequestTokens[OUTPUT] = shape.outputTokens();
        perRequestItems[OUTPUT] = shape.outputTokens() > 0 ? 1 : 0;
        for (MediaItem item : shape.media()) {
            int m = item.modality().ordinal(); // IMAGE=1, AUDIO=2, VIDEO=3 as in NAMES
            perRequestTokens[m] += item.tokens();
            perRequestItems[m]++;
        }
        for (int m = 0; m < NAMES.length; m++) {
            if (perRequestItems[m] > 0) {
                carrying[m]++;
                tokens[m].recordValue(perRequestTokens[m]);
                tokenSums[m] += perRequestTokens[m];
                itemSums[m] += perRequestItems[m];
                itemMax[m] = Math.max(itemMax[m], perRequestItems[m]);
            }
        }
    }

    private void countApp(String app) {
        Long n = apps.get(app);
        if (n != null) {
            apps.put(app, n + 1);
        } else if (apps.size() < MAX_APPS) {
            apps.put(app, 1L);
        } else {
            apps.merge("(other)", 1L, Long::sum);
        }
    }

    public TraceSummary summary() {
        double durationS = requests == 0 ? 0 : (lastNanos - firstNanos) / 1e9;
        double rate = durationS > 0 ? requests / durationS : 0;
        double cv = Double.NaN;
        if (gaps >= 2 && gapMean > 0) {
            cv = Math.sqrt(gapM2 / (gaps - 1)) / gapMean;
        }
        List<TraceSummary.ModalityStats> modalities = new ArrayList<>();
        for (int m = 0; m < NAMES.length; m++) {
            long n = carrying[m];
            Histogram h = tokens[m];
            modalities.add(new TraceSummary.ModalityStats(NAMES[m], n, requests == 0 ? 0 : (double) n / requests,
                    n == 0 ? 0 : tokenSums[m] / n,
                    n == 0 ? 0 : h.getValueAtPercentile(50), n == 0 ? 0 : h.getValueAtPercentile(90),
                    n == 0 ? 0 : h.getValueAtPercentile(99),
                    n == 0 ? 0 : (double) itemSums[m] / n, itemMax[m]));
        }
        Map<String, Double> outputShares = new LinkedHashMap<>();
        for (Modality m : Modality.values()) {
            outputShares.put(m.jsonName(), requests == 0 ? 0 : (double) wantingOutput[m.ordinal()] / requests);
        }
        return new TraceSummary(requests, durationS, rate, cv, requests == 0 ? 0 : firstNanos / 1e9, modalities,
                outputShares, apps);
    }

    static {
        if (Modality.IMAGE.ordinal() != 1 || Modality.AUDIO.ordinal() != 2 || Modality.VIDEO.ordinal() != 3) {
            throw new AssertionError("TraceStats assumes Modality order TEXT, IMAGE, AUDIO, VIDEO");
        }
    }
}
