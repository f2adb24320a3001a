package org.cornserve.experiments.headline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.cornserve.model.Modality;
import org.cornserve.model.request.RequestShape;
import org.cornserve.traces.ReadOptions;
import org.cornserve.traces.TraceFormat;
import org.cornserve.traces.TraceReader;
import org.cornserve.traces.TraceRecord;

/** Reads the experiment's traces and applies a case's workload options. */
public final class HeadlineWorkloads {
    /** Prompt tokens kept for a text-to-image request (the text encoder's input limit is applied later). */
    static final int MAX_IMAGE_PROMPT_TOKENS = 512;

    private HeadlineWorkloads() {}

    /**
     * The folder holding {@code shared/traces}: walks up from the working directory, then from where this code was
     * loaded (the CLI jar sits in the clone, beside {@code shared/}).
     */
    public static Path sharedRoot() {
        List<Path> starts = new java.util.ArrayList<>(List.of(Path.of("").toAbsolutePath()));
        try {
            starts.add(Path.of(HeadlineWorkloads.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (Exception e) {
            // no code source: the working directory only
        }
        for (Path start : starts) {
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("shared").resolve("traces"))) {
                    return p;
                }
            }
        }
        throw new IllegalStateException("cannot find shared/traces above " + starts);
    }

    /**
     * The clone's root (the folder holding {@code experiments/headline.json}): the working directory when it is one,
     * else found from where this code was loaded; the working directory when neither is.
     */
    public static Path projectRoot() {
        Path cwd = Path.of("").toAbsolutePath();
        if (Files.isRegularFile(cwd.resolve("experiments/headline.json"))) {
            return cwd;
        }
        try {
            for (Path p = Path.of(HeadlineWorkloads.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                    p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("experiments/headline.json"))) {
                    return p;
                }
            }
        } catch (Exception e) {
            // no code source
        }
        return cwd;
    }

    /** Every record of a trace. */
    public static List<TraceRecord> read(HeadlineSpec.TraceSpec spec, long seed) throws IOException {
        Path path = Path.of(spec.path());
        if (!path.isAbsolute()) {
            path = sharedRoot().resolve(spec.path());
        }
        ReadOptions options = ReadOptions.defaults().withSeed(seed);
        if (spec.windowS() != null && spec.windowS().size() == 2) {
            options = options.withWindow(spec.windowS().get(0), spec.windowS().get(1));
        }
        List<TraceRecord> out = new ArrayList<>();
        try (TraceReader r = TraceFormat.byName(spec.format()).open(path, options)) {
            for (TraceRecord rec; (rec = r.read()) != null; ) {
                out.add(rec);
            }
        }
        return out;
    }

    /**
     * The records arriving in [{@code startS}, {@code endS}) seconds after the trace's first arrival, in order.
     *
     * @throws IllegalArgumentException when fewer than two records fall in the window
     */
    public static List<TraceRecord> window(List<TraceRecord> trace, double startS, double endS) {
        if (trace.isEmpty()) {
            throw new IllegalArgumentException("the trace has no requests");
        }
        long first = trace.get(0).arrivalNanos();
        long from = first + Math.round(startS * 1e9);
        long to = first + Math.round(endS * 1e9);
        List<TraceRecord> out = trace.stream().filter(r -> r.arrivalNanos() >= from && r.arrivalNanos() < to).toList();
        if (out.size() < 2) {
            double span = (trace.get(trace.size() - 1).arrivalNanos() - first) / 1e9;
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "window [%.0f, %.0f) s holds %d request(s); the trace spans %.0f s", startS, endS, out.size(), span));
        }
        return out;
    }

    /**
     * The case's version of a trace: with {@code audioOutputShare} a seeded share of requests also ask for
     * speech; with {@code imageGeneration} every request becomes a text-to-image request of its text.
     */
    public static List<TraceRecord> apply(List<TraceRecord> trace, HeadlineSpec.WorkloadUse use, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TraceRecord> out = new ArrayList<>(trace.size());
        for (TraceRecord r : trace) {
            RequestShape s = r.shape();
            if (use.imageGeneration()) {
                s = new RequestShape(Math.max(1, Math.min(s.textTokens(), MAX_IMAGE_PROMPT_TOKENS)), List.of(), 0,
                        Set.of(Modality.IMAGE));
            } else if (use.audioOutputShare() > 0 && random.nextDouble() < use.audioOutputShare()) {
                s = new RequestShape(s.textTokens(), s.media(), s.outputTokens(), Set.of(Modality.TEXT, Modality.AUDIO));
            }
            out.add(new TraceRecord(r.arrivalNanos(), r.app(), s, r.requestId(), r.hashIds()));
        }
        return out;
    }
}
