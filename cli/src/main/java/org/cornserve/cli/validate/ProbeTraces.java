package org.cornserve.cli.validate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.profile.ProfileBook;

/**
 * What a validation sends besides the judged slice, as JSONL traces: the probes' requests before each replay (idle,
 * prefill-shape, decode and batch probes), the warm-up before the first, and the calibration replay cut from the
 * trace after the slice. What the probes' steps are read for is {@link Probes}.
 */
public final class ProbeTraces {
    private ProbeTraces() {
    }

    /** Requests sent one at a time to an idle server to measure its fixed per-request overhead. */
    static final int PROBES = 30;

    /**
     * Output tokens of each probe request: its first token is what the probe times for the per-request overhead; the
     * rest run as decode steps of the runtime's iterations per report, whose round trips the probe times too.
     */
    static final int PROBE_OUTPUT_TOKENS = 17;

    /**
     * Requests of the decode probe, their answers' tokens and their spacing: one in flight at a time, so that no two
     * executors decode at once (a request's prefill and 32 reports took 63 to 102 ms of step time in a demo and a
     * validation at 0.2 s apart, no step overlapping another); at 0.1 s apart two replicas' steps overlapped in a demo
     * and ran at 1.45 to 1.84 of their charge where the probe's first, lone steps ran at 0.99.
     *
     * <p>24 of them, not 8 (until 2026-12-06): one request's steady decode steps ran at 0.82 to 2.39 of the profile
     * within a probe's two seconds, the machine's speed moving at sub-second scale (each request's speed off its
     * probe's mean by 0.146 in log terms at the standard deviation, over the thirty probes of r17 to r26); the first
     * four requests' speed over the last four's was 0.173 off in log terms (root mean square), so an 8-request
     * probe's own noise was about 0.087, near half the variance of its error against the replay after it (0.133 root
     * mean square, times the replay-over-probe ratio): 24 requests take it to about 0.05, for three seconds more
     * (experiments/validation-tails.md, section 18).
     */
    static final int DECODE_PROBES = 24;
    static final int DECODE_PROBE_OUTPUT_TOKENS = 128;
    static final double DECODE_PROBE_GAP_S = 0.2;

    /**
     * The batch probe: {@value #BATCH_PROBE_GROUPS} groups of requests arriving together, one per answer length of
     * {@link #BATCH_PROBE_ANSWERS}, so that the executor decodes three sequences at once, then two, then one; the
     * groups {@value #BATCH_PROBE_GAP_S} s apart, each done before the next (a group's prefills and 30 reports took
     * 0.12 to 0.18 s in r6). The decode probe's requests follow one another, so all its steps decode one
     * sequence, and the replay's steps of two to six sequences (a fifth of its decode steps) would be charged at that
     * one sequence's speed with the served costs' fixed extra: in three replays of 5 December their extra per
     * sequence beyond the profile ran 0.16 to 0.19 ms per iteration (TPOT P90 13% fast at the served speed without
     * it), in the earlier runs of the day 0.02 to 0.11, steady within a run ({@link
     * ServedCostsFit#batchExtraMsPerSequence}).
     */
    static final int BATCH_PROBE_GROUPS = 6;
    static final int[] BATCH_PROBE_ANSWERS = {40, 80, 120};
    static final double BATCH_PROBE_GAP_S = 0.5;

    /** {@code groups} of the batch probe's requests, {@value #BATCH_PROBE_GAP_S} s apart. */
    static String batchProbeTrace(long promptTokens, int groups) {
        StringBuilder sb = new StringBuilder();
        for (int g = 0; g < groups; g++) {
            for (int answer : BATCH_PROBE_ANSWERS) {
                sb.append(String.format(Locale.ROOT, "{\"arrival_s\":%.6f,\"app\":\"default\",\"text_tokens\":%d,"
                        + "\"output_tokens\":%d}%n", BATCH_PROBE_GAP_S * g, promptTokens, answer));
            }
        }
        return sb.toString();
    }

    /** {@code requests} of the decode probe's, {@value #DECODE_PROBE_GAP_S} s apart. */
    static String decodeProbeTrace(long promptTokens, int requests) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < requests; i++) {
            sb.append(String.format(Locale.ROOT, "{\"arrival_s\":%.6f,\"app\":\"default\",\"text_tokens\":%d,"
                    + "\"output_tokens\":%d}%n", DECODE_PROBE_GAP_S * i, promptTokens, DECODE_PROBE_OUTPUT_TOKENS));
        }
        return sb.toString();
    }

    /** The probe's prompt lengths: the 25th, 50th and 75th percentile of the trace's text tokens (at least 1). */
    static long[] probeLengths(List<Long> textTokens) {
        if (textTokens.isEmpty()) {
            throw new IllegalArgumentException("probe: the trace has no requests");
        }
        long[] v = textTokens.stream().mapToLong(t -> Math.max(1, t)).sorted().toArray();
        int last = v.length - 1;
        return java.util.stream.LongStream.of(v[last / 4], v[last / 2], v[3 * last / 4]).distinct().toArray();
    }

    /** Requests of the prefill-shape probe, cycling through its {@link #shapeLengths}. */
    static final int SHAPE_PROBES = 12;

    /**
     * The prefill-shape probe's prompt lengths: the trace's 5th, 90th and 99th percentile of text tokens, at most
     * {@code longest} (a prompt of the profile's longest prefill point less the chat markup, so that each prefills in
     * one step), leaving out those the idle probe's quartiles already take.
     *
     * <p>Why: the idle probe's prefill speed is measured at the quartile lengths (99 to 295 tokens in the
     * 1,000-request validation), and the profile's shape beyond them stood as measured. One validation of 5 December
     * met a profile measured in a slow spell for long prompts (1,024 tokens: 291 ms, where the day's other profiles
     * had 208 to 245): its three replays ran prefills of 512 tokens and more at 0.74 to 0.91 of the profile and those
     * of 128 to 255 at 1.04 to 1.11, and the prediction put TTFT P90 25% and E2E P99 43% slow. Scaling the profile's
     * prefill points by the replay's own speed at each length (an oracle, to size the effect) brought its first
     * replay's TTFT P90 from +41.0% to -1.4% and E2E P99 from +71.1% to -8.0%.
     */
    static long[] shapeLengths(List<Long> textTokens, long longest, long[] quartiles) {
        if (textTokens.isEmpty()) {
            throw new IllegalArgumentException("probe: the trace has no requests");
        }
        long[] v = textTokens.stream().mapToLong(t -> Math.max(1, t)).sorted().toArray();
        int last = v.length - 1;
        java.util.Set<Long> taken = Arrays.stream(quartiles).boxed().collect(java.util.stream.Collectors.toSet());
        return java.util.stream.LongStream.of(v[last / 20], v[(int) (0.9 * last)], v[(int) (0.99 * last)])
                .map(t -> Math.max(1, Math.min(t, longest))).distinct().filter(t -> !taken.contains(t)).toArray();
    }

    /**
     * The prefill-shape probe's trace: {@code requests} (by default {@value #SHAPE_PROBES}) cycling through {@code
     * lengths}, one at a time:
     * each at least 0.25 s and four times the longer prefill charge of it and the one before it after that one, so
     * that the last request has finished (its prefill and its answer) and each prefill runs alone. (At four times its
     * own charge only, a short prompt came 0.25 s after a 1,006-token one whose prefill took 0.23 s, was prefilled
     * beside its decode, and the probe's prefills no longer lined up with its requests: two of r6's three replays.)
     */
    static String shapeProbeTrace(long[] lengths, java.util.function.LongToDoubleFunction prefillMs, int requests) {
        StringBuilder sb = new StringBuilder();
        double at = 0;
        double last = 0;
        for (int i = 0; i < requests; i++) {
            long t = lengths[i % lengths.length];
            double prefill = prefillMs.applyAsDouble(t + Validation.PROMPT_OVERHEAD_TOKENS);
            at += Math.max(0.25, 4 * Math.max(prefill, last) / 1e3);
            last = prefill;
            sb.append(String.format(Locale.ROOT, "{\"arrival_s\":%.6f,\"app\":\"default\",\"text_tokens\":%d,"
                    + "\"output_tokens\":%d}%n", at, t, PROBE_OUTPUT_TOKENS));
        }
        return sb.toString();
    }

    /** The probe trace: {@code requests} text requests cycling through {@code lengths}, {@code gapSeconds} apart. */
    static String probeTrace(long[] lengths, double gapSeconds, int requests) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < requests; i++) {
            sb.append(String.format(Locale.ROOT, "{\"arrival_s\":%.6f,\"app\":\"default\",\"text_tokens\":%d,"
                    + "\"output_tokens\":%d}%n", gapSeconds * (i + 1), lengths[i % lengths.length],
                    PROBE_OUTPUT_TOKENS));
        }
        return sb.toString();
    }

    /** Warm-up requests before the probes and the replay, by default ({@link #warmupTrace}). */
    public static final String WARMUP_REQUESTS = "600";
    public static final int WARMUP_REQUEST_COUNT = Integer.parseInt(WARMUP_REQUESTS);

    /**
     * Answer tokens of a warm-up request: a prefill and two reports; every tenth answers at length (batched decodes).
     */
    static final int WARMUP_OUTPUT_TOKENS = 9;
    static final int WARMUP_LONG_OUTPUT_TOKENS = 64;
    static final double WARMUP_PREFILL_SPACING = 1.5;
    static final double WARMUP_EXTRA_SPACING_MS = 10;
    /** A warm-up request's prompt between two at the trace's quartile lengths: the per-request paths, cheaply. */
    static final long WARMUP_SHORT_PROMPT = 16;

    /**
     * The warm-up before the probes and the replay, written to {@code out}: {@code requests} synthetic streamed
     * requests, not the judged trace's own, every other one at the trace's quartile prompt lengths in turn
     * ({@link #probeLengths}) and the rest {@value #WARMUP_SHORT_PROMPT} tokens, each {@value #WARMUP_OUTPUT_TOKENS}
     * answer tokens (every tenth {@value #WARMUP_LONG_OUTPUT_TOKENS}, so that decodes batch), each arriving its
     * prefill's charge ({@code prefillMs}, ms by prompt tokens) times {@value #WARMUP_PREFILL_SPACING} plus {@value
     * #WARMUP_EXTRA_SPACING_MS} ms after the one before, whatever the machine's speed: below the capacity of a
     * server past its warm-up, so that the requests meet the server as the probes and the replay do. At 1.25 times
     * plus 5 ms a cold server fell behind at once and held a two-second queue through the warm-up (TTFT median 2.06
     * s; /tmp/s12/v2).
     *
     * <p>Why: the gateway and control plane serve each request through code the JIT compiles only after hundreds of
     * requests. In a 1,000-request validation after a 40-request warm-up (2026-12-05, /tmp/s12/v1) the replay's
     * requests that found the server idle spent, beyond their prefill's compute and the round trip, 3.9 ms at the
     * median over its first hundred requests, 2.5 ms over the next two hundred and 1.5 to 1.8 ms over its last five
     * hundred; the serving JVM compiled for 12.9 s during the replay; and the probes, run between the warm-up and the
     * replay, measured 7.05 ms (the decode probe's) and 9.33 ms (the idle probe's), charged to every request.
     */
    static String warmupTrace(long[] quartiles, int requests, java.util.function.LongToDoubleFunction prefillMs) {
        StringBuilder sb = new StringBuilder();
        double at = 0;
        for (int i = 0; i < requests; i++) {
            long prompt = i % 2 == 0 ? quartiles[(i / 2) % quartiles.length] : WARMUP_SHORT_PROMPT;
            int answer = i % 10 == 9 ? WARMUP_LONG_OUTPUT_TOKENS : WARMUP_OUTPUT_TOKENS;
            sb.append(String.format(Locale.ROOT, "{\"arrival_s\":%.6f,\"app\":\"default\",\"text_tokens\":%d,"
                    + "\"output_tokens\":%d}%n", at, prompt, answer));
            at += (WARMUP_PREFILL_SPACING * prefillMs.applyAsDouble(prompt + Validation.PROMPT_OVERHEAD_TOKENS)
                    + WARMUP_EXTRA_SPACING_MS) / 1e3;
        }
        return sb.toString();
    }

    /** {@link #warmupTrace} for a served plan and a judged JSONL trace, written to {@code out}; returns it. */
    public static Path writeWarmupTrace(ResolvedPlan plan, ProfileBook profiles, Path trace, int requests, Path out)
            throws IOException {
        String model = plan.plan().models().get(0);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, warmupTrace(probeLengths(textTokens(trace)), requests,
                tokens -> ProfileCharges.prefillMs(model, plan, profiles, tokens)));
        return out;
    }

    /** Calibration requests, by default ({@link #writeCalibrationTrace}). */
    public static final String CALIBRATION_REQUESTS = "300";
    /** Fewer calibration requests than this are not replayed (a few 10 s windows at the least). */
    static final int MIN_CALIBRATION_REQUESTS = 50;

    /**
     * The calibration replay's trace, written to {@code out}: the requests of {@code longer} (the trace cut as the
     * judged {@code slice} was, with more requests kept) after the slice's, at most {@code requests} of them, their
     * arrivals shifted so that the first comes at 0. Requests the judged replays never see, from the same window and
     * transforms, so of the trace's mix: what the sensed speed is calibrated on before the first replay, in place of
     * the synthetic warm-up.
     *
     * @return the requests written; 0 (nothing written) where {@code longer} holds fewer than {@value
     *     #MIN_CALIBRATION_REQUESTS} beyond the slice
     * @throws IllegalArgumentException where {@code longer} does not begin with the slice's requests, naming both files
     */
    static int writeCalibrationTrace(Path longer, Path slice, int requests, Path out) throws IOException {
        var jsonl = org.cornserve.traces.TraceFormat.byName("jsonl");
        var options = org.cornserve.traces.ReadOptions.defaults();
        List<org.cornserve.traces.TraceRecord> rest = new ArrayList<>();
        try (org.cornserve.traces.TraceReader judged = jsonl.open(slice, options);
                org.cornserve.traces.TraceReader more = jsonl.open(longer, options)) {
            long line = 0;
            for (org.cornserve.traces.TraceRecord a; (a = judged.read()) != null; ) {
                line++;
                org.cornserve.traces.TraceRecord b = more.read();
                if (b == null || b.arrivalNanos() != a.arrivalNanos() || !b.shape().equals(a.shape())) {
                    throw new IllegalArgumentException(longer + ":" + line + ": does not hold " + slice + "'s request "
                            + line + " (" + (b == null ? "it ends first" : "it differs") + "): the calibration"
                            + " requests must follow the judged slice in one cut of the trace");
                }
            }
            for (org.cornserve.traces.TraceRecord b; rest.size() < requests && (b = more.read()) != null; ) {
                rest.add(b);
            }
        }
        if (rest.size() < MIN_CALIBRATION_REQUESTS) {
            return 0;
        }
        long first = rest.get(0).arrivalNanos();
        try (var w = org.cornserve.traces.jsonl.JsonlTraceWriter.create(out)) {
            for (org.cornserve.traces.TraceRecord r : rest) {
                w.write(r.withArrivalNanos(r.arrivalNanos() - first));
            }
        }
        return rest.size();
    }

    /** The text tokens of a JSONL trace's records. */
    static List<Long> textTokens(Path trace) throws IOException {
        List<Long> out = new ArrayList<>();
        try (org.cornserve.traces.TraceReader reader = org.cornserve.traces.TraceFormat.byName("jsonl").open(trace,
                org.cornserve.traces.ReadOptions.defaults())) {
            for (org.cornserve.traces.TraceRecord r; (r = reader.read()) != null; ) {
                out.add((long) r.shape().textTokens());
            }
        }
        return out;
    }
}
