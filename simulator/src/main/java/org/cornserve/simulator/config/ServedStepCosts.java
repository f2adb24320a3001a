package org.cornserve.simulator.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What an LLM step costs on a live runtime beyond its profile, as {@code cornserve validate} measured it on served
 * steps (see {@code experiments/validation-tails.md}). Seven terms, each off when zero, empty or null:
 * <ul>
 *   <li>{@code extraMsPerSequence}: every iteration pays this many ms per sequence it delivers a token to beyond the
 *       first (its decode sequences, plus one when it holds a prefill): served decode compute grows with the batch
 *       faster than the profile, which was measured without the serving system's per-token work on the same cores;
 *   <li>{@code computeRatio}: the spread of served compute around the profile: each report's compute is the profile's
 *       times a ratio drawn from these quantiles (measured compute over the profile's charge, divided by its mean, so that a step's expected charge is
 *       the profile's);
 *   <li>{@code roundTripMs}: each report's control-plane round trip is drawn from these quantiles instead of charging
 *       the fixed median step overhead;
 *   <li>{@code roundTripTailMs}: each report's round trip costs this much beyond the fixed step overhead (the
 *       probe's median): rare slow reports put the served mean 0.09 to 0.12 ms above the median in seven
 *       1,000-request replays, and a request's time per token follows the mean (off where {@code roundTripMs}
 *       draws the round trips);
 *   <li>{@code afterPrefillComputeRatio}: the compute of the first decode-only steps after a step with a prefill on
 *       the same replica, element k-1 for the k-th, times the profile's: a prefill leaves the caches cold, and the
 *       decode steps after it pay to refill them (served, the first ran at 1.16 to 1.29 of the steady steps' speed in
 *       five 1,000-request replays, the second at 1.02 to 1.07).
 *   <li>{@code prefillAfterPrefillRatio}: a step with a prefill that starts right after a step with a prefill on
 *       the same replica (within {@value #BACK_TO_BACK_NANOS} ns of its end) computes at this ratio of its charge,
 *       the others at 1: served, such prefills ran at 0.85 to 0.93 of the others' speed in the same 10 s windows,
 *       in each of the eighteen replays of 2026-12-06's r17 to r22 (experiments/validation-tails.md, section 17),
 *       so a burst of long prompts is caught up with sooner than a window's mean speed says.
 *   <li>{@code stepExcess}: each report is charged at its kind's median speed plus an excess in ms drawn from the
 *       served steps of its size ({@link StepExcess}): served, most steps run a little faster than the level and
 *       some wait a few ms for the core, which a factor on the mean does not reproduce.
 * </ul>
 * Two more, not charged by the simulator but by {@code cornserve validate} and {@code demo} on the speeds their probes
 * measure (each off when zero): {@code replayOverProbePrefill} and {@code replayOverProbeDecode}, how much slower a
 * loaded replay's prefills and decodes run than the idle probes' just before it said, on this machine. The probes send
 * one request at a time to a server that has waited for a quiet host; the replay keeps the serving system's other
 * threads, the replay client and the sensors busy beside the engine. Over the 51 replays of 2026-12-06's r17 to r33
 * (2.15 to 7.53 requests a second on two cores) the replays' prefills ran at 1.101 of what the probes charged them
 * (at the probes' level in the shape of the served steps before the replay) and their steady decodes at 1.148 of the
 * decode probe's requests' 25th percentile speed (its speed outside slow spells), geometric means ({@code TailReport
 * probe-level}), 48 and 45 of the 51 slower (experiments/validation-tails.md, sections 18 and 20).
 * And, read the same way, {@code replayOverServedBeforePrefill} and {@code replayOverServedBeforeDecode}: a replay's
 * speeds over those of the served run right before it (validate's calibration replay of the trace's own requests, or
 * the replay before), and {@code replayOverWarmupPrefill} and {@code replayOverWarmupDecode}: the demo's replay's
 * over its warm-up's later half. The prediction charges the geometric mean of the probes' speed and the served run's
 * before it, each times its ratio, weighted by {@code servedBeforeWeights}: the probes' two seconds are the nearer in
 * time, the served run's minute the less noisy (experiments/validation-tails.md, sections 19 and 33).
 * And {@code hostSlowdownByBusyExecutors} (empty: the profiles' own): where executors share a host's CPU, the slowdown
 * of a step while k of them compute at once (element k-1), in place of the profiles' measured {@code
 * host_sharing.slowdown_by_busy_executors}: the profiler measured its executors alone (1.027 at two on two cores), where
 * served the serving JVM, the gateway and the replay client want the same cores (steps overlapping another executor's
 * compute ran at 1.18 to 1.33 of those alone in four demos of 2026-12-05 and 06; experiments/validation-tails.md,
 * section 18). {@code simulate --served-costs} charges it.
 * A quantile table holds values at equally spaced probabilities {@code 0, 1/(n-1), ..., 1}; a draw interpolates
 * linearly between them. Draws are a hash of {@code seed}, the step's key and the report's index, so a simulation
 * stays deterministic and a step's charge for its first {@code m} iterations does not depend on how often it is asked.
 *
 * @param extraMsPerSequence ms per iteration per delivered sequence beyond the first, >= 0
 * @param computeRatio quantiles of served compute over the profile's charge (mean 1), ascending, positive; empty:
 *     none
 * @param roundTripMs quantiles of the round trip per report in ms, ascending, >= 0; empty: the fixed step overhead
 * @param seed the draws' seed
 * @param source where the numbers were measured (free text, for the reader)
 * @param afterPrefillComputeRatio the compute ratio of the k-th decode-only step after a prefill (element k-1),
 *     positive; empty: none
 * @param roundTripTailMs ms per report beyond the fixed step overhead, >= 0
 * @param prefillAfterPrefillRatio the compute ratio of a step with a prefill right after one, positive; 0: none
 * @param replayOverProbePrefill a replay's prefill speed over its probes', positive; 0: none (read by validate)
 * @param replayOverProbeDecode a replay's decode speed over its decode probe's, positive; 0: none (read by validate)
 * @param hostSlowdownByBusyExecutors a step's slowdown while k executors compute at once (element k-1), each >= 1;
 *     empty: the profiles' own
 * @param replayOverServedBeforePrefill a replay's prefill speed over the served run's right before it, positive; 0:
 *     none (read by validate)
 * @param replayOverServedBeforeDecode the same of decodes
 * @param replayOverWarmupPrefill the demo's replay's prefill speed over its warm-up's later half, positive; 0: none
 *     (read by demo)
 * @param replayOverWarmupDecode the same of decodes
 * @param stepExcess each report's spread about its charge, drawn ({@link StepExcess}); null: none
 * @param predictionPasses passes of the replayed slice that {@code validate}'s and {@code demo}'s predictions
 *     simulate back to back ({@code simulate --repeat}), each drawing anew, each percentile the median over the
 *     passes of each pass's own (what one replay reads; pooled, a P99 of eight passes of 120 requests is a higher
 *     quantile than one replay's): one set of draws over a hundred requests moves a P99 by more than a model gains
 *     (0 or 1: one pass; at most
 *     {@value #MAX_PREDICTION_PASSES})
 * @param windowDrift the machine's speed drifting window by window within a run, drawn per window of simulated time
 *     ({@link WindowDrift}); null: none
 * @param servedBeforeWeights how much validate and demo weight the served run before a replay against its probes
 *     ({@link ServedBeforeWeights}, read by them, not the simulator); null: {@link ServedBeforeWeights#DEFAULT}
 * @param replayOverProbeDecodeAfterWarmup {@code replayOverProbeDecode} where the served run before the replay is a
 *     warm-up of synthetic requests (the demo's, and the experiment cases' of engine {@code both}), positive; 0:
 *     {@code replayOverProbeDecode}'s (read by demo). The demo serves its plan on two replicas of one slot each, one
 *     replay, and its replays ran further above their decode probe's speed than validate's (section 34 of
 *     experiments/validation-tails.md)
 */
public record ServedStepCosts(@JsonProperty("extra_ms_per_sequence") double extraMsPerSequence,
        @JsonProperty("compute_ratio") List<Double> computeRatio,
        @JsonProperty("round_trip_ms") List<Double> roundTripMs,
        @JsonProperty("seed") long seed,
        @JsonProperty("source") String source,
        @JsonProperty("after_prefill_compute_ratio") List<Double> afterPrefillComputeRatio,
        @JsonProperty("round_trip_tail_ms") double roundTripTailMs,
        @JsonProperty("prefill_after_prefill_ratio") double prefillAfterPrefillRatio,
        @JsonProperty("replay_over_probe_prefill") double replayOverProbePrefill,
        @JsonProperty("replay_over_probe_decode") double replayOverProbeDecode,
        @JsonProperty("host_slowdown_by_busy_executors") List<Double> hostSlowdownByBusyExecutors,
        @JsonProperty("replay_over_served_before_prefill") double replayOverServedBeforePrefill,
        @JsonProperty("replay_over_served_before_decode") double replayOverServedBeforeDecode,
        @JsonProperty("replay_over_warmup_prefill") double replayOverWarmupPrefill,
        @JsonProperty("replay_over_warmup_decode") double replayOverWarmupDecode,
        @JsonProperty("step_excess") StepExcess stepExcess,
        @JsonProperty("prediction_passes") int predictionPasses,
        @JsonProperty("window_drift") WindowDrift windowDrift,
        @JsonProperty("served_before_weights") ServedBeforeWeights servedBeforeWeights,
        @JsonProperty("replay_over_probe_decode_after_warmup") double replayOverProbeDecodeAfterWarmup) {

    /** How soon after a step with a prefill ends the next one must start to be right after it. */
    public static final long BACK_TO_BACK_NANOS = 1_000_000;

    /** No served costs beyond the profile and the fixed step overhead. */
    public static final ServedStepCosts NONE = new ServedStepCosts(0, List.of(), List.of(), 1, "none");

    /** Served costs without an after-prefill ratio. */
    public ServedStepCosts(double extraMsPerSequence, List<Double> computeRatio, List<Double> roundTripMs, long seed,
            String source) {
        this(extraMsPerSequence, computeRatio, roundTripMs, seed, source, List.of(), 0, 0);
    }

    /** Served costs without a round-trip tail. */
    public ServedStepCosts(double extraMsPerSequence, List<Double> computeRatio, List<Double> roundTripMs, long seed,
            String source, List<Double> afterPrefillComputeRatio) {
        this(extraMsPerSequence, computeRatio, roundTripMs, seed, source, afterPrefillComputeRatio, 0, 0);
    }

    /** Served costs without a prefill's after-prefill ratio. */
    public ServedStepCosts(double extraMsPerSequence, List<Double> computeRatio, List<Double> roundTripMs, long seed,
            String source, List<Double> afterPrefillComputeRatio, double roundTripTailMs) {
        this(extraMsPerSequence, computeRatio, roundTripMs, seed, source, afterPrefillComputeRatio, roundTripTailMs, 0);
    }

    /** Served costs without the probes' ratios and a served host slowdown. */
    public ServedStepCosts(double extraMsPerSequence, List<Double> computeRatio, List<Double> roundTripMs, long seed,
            String source, List<Double> afterPrefillComputeRatio, double roundTripTailMs,
            double prefillAfterPrefillRatio) {
        this(extraMsPerSequence, computeRatio, roundTripMs, seed, source, afterPrefillComputeRatio, roundTripTailMs,
                prefillAfterPrefillRatio, 0, 0, List.of(), 0, 0, 0, 0);
    }

    /** Served costs without a step excess. */
    public ServedStepCosts(double extraMsPerSequence, List<Double> computeRatio, List<Double> roundTripMs, long seed,
            String source, List<Double> afterPrefillComputeRatio, double roundTripTailMs,
            double prefillAfterPrefillRatio, double replayOverProbePrefill, double replayOverProbeDecode,
            List<Double> hostSlowdownByBusyExecutors, double replayOverServedBeforePrefill,
            double replayOverServedBeforeDecode, double replayOverWarmupPrefill, double replayOverWarmupDecode) {
        this(extraMsPerSequence, computeRatio, roundTripMs, seed, source, afterPrefillComputeRatio, roundTripTailMs,
                prefillAfterPrefillRatio, replayOverProbePrefill, replayOverProbeDecode, hostSlowdownByBusyExecutors,
                replayOverServedBeforePrefill, replayOverServedBeforeDecode, replayOverWarmupPrefill,
                replayOverWarmupDecode, null, 0);
    }

    /** Served costs without a window drift. */
    public ServedStepCosts(double extraMsPerSequence, List<Double> computeRatio, List<Double> roundTripMs, long seed,
            String source, List<Double> afterPrefillComputeRatio, double roundTripTailMs,
            double prefillAfterPrefillRatio, double replayOverProbePrefill, double replayOverProbeDecode,
            List<Double> hostSlowdownByBusyExecutors, double replayOverServedBeforePrefill,
            double replayOverServedBeforeDecode, double replayOverWarmupPrefill, double replayOverWarmupDecode,
            StepExcess stepExcess, int predictionPasses) {
        this(extraMsPerSequence, computeRatio, roundTripMs, seed, source, afterPrefillComputeRatio, roundTripTailMs,
                prefillAfterPrefillRatio, replayOverProbePrefill, replayOverProbeDecode, hostSlowdownByBusyExecutors,
                replayOverServedBeforePrefill, replayOverServedBeforeDecode, replayOverWarmupPrefill,
                replayOverWarmupDecode, stepExcess, predictionPasses, null);
    }

    /** Served costs with the default weights of the served run before a replay. */
    public ServedStepCosts(double extraMsPerSequence, List<Double> computeRatio, List<Double> roundTripMs, long seed,
            String source, List<Double> afterPrefillComputeRatio, double roundTripTailMs,
            double prefillAfterPrefillRatio, double replayOverProbePrefill, double replayOverProbeDecode,
            List<Double> hostSlowdownByBusyExecutors, double replayOverServedBeforePrefill,
            double replayOverServedBeforeDecode, double replayOverWarmupPrefill, double replayOverWarmupDecode,
            StepExcess stepExcess, int predictionPasses, WindowDrift windowDrift) {
        this(extraMsPerSequence, computeRatio, roundTripMs, seed, source, afterPrefillComputeRatio, roundTripTailMs,
                prefillAfterPrefillRatio, replayOverProbePrefill, replayOverProbeDecode, hostSlowdownByBusyExecutors,
                replayOverServedBeforePrefill, replayOverServedBeforeDecode, replayOverWarmupPrefill,
                replayOverWarmupDecode, stepExcess, predictionPasses, windowDrift, null);
    }

    /** Served costs whose demo reads the probes' decode ratio as validate does. */
    public ServedStepCosts(double extraMsPerSequence, List<Double> computeRatio, List<Double> roundTripMs, long seed,
            String source, List<Double> afterPrefillComputeRatio, double roundTripTailMs,
            double prefillAfterPrefillRatio, double replayOverProbePrefill, double replayOverProbeDecode,
            List<Double> hostSlowdownByBusyExecutors, double replayOverServedBeforePrefill,
            double replayOverServedBeforeDecode, double replayOverWarmupPrefill, double replayOverWarmupDecode,
            StepExcess stepExcess, int predictionPasses, WindowDrift windowDrift,
            ServedBeforeWeights servedBeforeWeights) {
        this(extraMsPerSequence, computeRatio, roundTripMs, seed, source, afterPrefillComputeRatio, roundTripTailMs,
                prefillAfterPrefillRatio, replayOverProbePrefill, replayOverProbeDecode, hostSlowdownByBusyExecutors,
                replayOverServedBeforePrefill, replayOverServedBeforeDecode, replayOverWarmupPrefill,
                replayOverWarmupDecode, stepExcess, predictionPasses, windowDrift, servedBeforeWeights, 0);
    }

    public ServedStepCosts {
        servedBeforeWeights = servedBeforeWeights == null ? ServedBeforeWeights.DEFAULT : servedBeforeWeights;
        positiveOrNone("replay_over_probe_decode_after_warmup", replayOverProbeDecodeAfterWarmup);
        positiveOrNone("prefill_after_prefill_ratio", prefillAfterPrefillRatio);
        positiveOrNone("replay_over_probe_prefill", replayOverProbePrefill);
        positiveOrNone("replay_over_probe_decode", replayOverProbeDecode);
        positiveOrNone("replay_over_served_before_prefill", replayOverServedBeforePrefill);
        positiveOrNone("replay_over_served_before_decode", replayOverServedBeforeDecode);
        positiveOrNone("replay_over_warmup_prefill", replayOverWarmupPrefill);
        positiveOrNone("replay_over_warmup_decode", replayOverWarmupDecode);
        hostSlowdownByBusyExecutors = hostSlowdownByBusyExecutors == null ? List.of()
                : List.copyOf(hostSlowdownByBusyExecutors);
        for (int i = 0; i < hostSlowdownByBusyExecutors.size(); i++) {
            double v = hostSlowdownByBusyExecutors.get(i);
            if (!(v >= 1) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("served step costs: host_slowdown_by_busy_executors must be >= 1"
                        + " and finite, got " + v + " at index " + i);
            }
        }
        if (!(roundTripTailMs >= 0) || Double.isInfinite(roundTripTailMs)) {
            throw new IllegalArgumentException("served step costs: round_trip_tail_ms must be >= 0 and finite, got "
                    + roundTripTailMs);
        }
        afterPrefillComputeRatio = afterPrefillComputeRatio == null ? List.of() : List.copyOf(afterPrefillComputeRatio);
        for (int i = 0; i < afterPrefillComputeRatio.size(); i++) {
            double v = afterPrefillComputeRatio.get(i);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("served step costs: after_prefill_compute_ratio must be positive and"
                        + " finite, got " + v + " at index " + i);
            }
        }
        computeRatio = computeRatio == null ? List.of() : List.copyOf(computeRatio);
        roundTripMs = roundTripMs == null ? List.of() : List.copyOf(roundTripMs);
        source = source == null ? "" : source;
        if (!(extraMsPerSequence >= 0) || Double.isInfinite(extraMsPerSequence)) {
            throw new IllegalArgumentException("served step costs: extra_ms_per_sequence must be >= 0 and finite, got "
                    + extraMsPerSequence);
        }
        checkQuantiles("compute_ratio", computeRatio, true);
        checkQuantiles("round_trip_ms", roundTripMs, false);
        if (predictionPasses < 0 || predictionPasses > MAX_PREDICTION_PASSES) {
            throw new IllegalArgumentException("served step costs: prediction_passes must be 0 to "
                    + MAX_PREDICTION_PASSES + ", got " + predictionPasses);
        }
    }

    /** The most passes of a slice a prediction may simulate. */
    public static final int MAX_PREDICTION_PASSES = 100;

    /**
     * Whether a simulation charging these costs draws anything (compute ratios, round trips, a step excess or a window
     * drift): where it does not, every pass of a slice simulates alike.
     */
    public boolean draws() {
        return !computeRatio.isEmpty() || !roundTripMs.isEmpty() || stepExcess != null || windowDrift != null;
    }

    /** Passes of a replayed slice a prediction simulates: {@link #predictionPasses}, 1 where it is 0. */
    public int passes() {
        return Math.max(1, predictionPasses);
    }

    private static void positiveOrNone(String field, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("served step costs: " + field + " must be positive and finite (or 0:"
                    + " none), got " + v);
        }
    }

    private static void checkQuantiles(String field, List<Double> q, boolean positive) {
        if (q.size() == 1) {
            throw new IllegalArgumentException("served step costs: " + field + " needs at least 2 quantiles (or none)");
        }
        for (int i = 0; i < q.size(); i++) {
            double v = q.get(i);
            if (!(positive ? v > 0 : v >= 0) || Double.isInfinite(v) || (i > 0 && v < q.get(i - 1))) {
                throw new IllegalArgumentException("served step costs: " + field + " must be ascending and "
                        + (positive ? "positive" : ">= 0") + ", got " + v + " at index " + i);
            }
        }
    }

    /**
     * These costs with {@code extraMsPerSequence} per iteration per delivered sequence beyond the first in place of
     * their own, and {@code why} after their source.
     */
    public ServedStepCosts withExtraMsPerSequence(double extraMsPerSequence, String why) {
        return new ServedStepCosts(extraMsPerSequence, computeRatio, roundTripMs, seed, source.isEmpty() ? why
                : source + " " + why, afterPrefillComputeRatio, roundTripTailMs, prefillAfterPrefillRatio,
                replayOverProbePrefill, replayOverProbeDecode, hostSlowdownByBusyExecutors,
                replayOverServedBeforePrefill, replayOverServedBeforeDecode, replayOverWarmupPrefill,
                replayOverWarmupDecode, stepExcess, predictionPasses, windowDrift, servedBeforeWeights,
                replayOverProbeDecodeAfterWarmup);
    }

    /**
     * These costs without their step excess and window drift: each step charged at the level, with no spread drawn (a
     * simulation at a served run's own speed, window by window, whose windows' means already hold the run's waits
     * and its drift).
     */
    public ServedStepCosts withoutStepExcess() {
        return new ServedStepCosts(extraMsPerSequence, computeRatio, roundTripMs, seed, source,
                afterPrefillComputeRatio, roundTripTailMs, prefillAfterPrefillRatio, replayOverProbePrefill,
                replayOverProbeDecode, hostSlowdownByBusyExecutors, replayOverServedBeforePrefill,
                replayOverServedBeforeDecode, replayOverWarmupPrefill, replayOverWarmupDecode, null, predictionPasses,
                null, servedBeforeWeights, replayOverProbeDecodeAfterWarmup);
    }

    /** These costs with {@code drift} in place of their window drift (null: none). */
    public ServedStepCosts withWindowDrift(WindowDrift drift) {
        return new ServedStepCosts(extraMsPerSequence, computeRatio, roundTripMs, seed, source,
                afterPrefillComputeRatio, roundTripTailMs, prefillAfterPrefillRatio, replayOverProbePrefill,
                replayOverProbeDecode, hostSlowdownByBusyExecutors, replayOverServedBeforePrefill,
                replayOverServedBeforeDecode, replayOverWarmupPrefill, replayOverWarmupDecode, stepExcess,
                predictionPasses, drift, servedBeforeWeights, replayOverProbeDecodeAfterWarmup);
    }

    /**
     * The replay-over-probe ratio of decodes charged where the served run before the replay is a warm-up ({@code
     * afterWarmup}, the demo's) or not (validate's): {@link #replayOverProbeDecodeAfterWarmup} where set, else {@link
     * #replayOverProbeDecode}; 0: none.
     */
    public double replayOverProbeDecode(boolean afterWarmup) {
        return afterWarmup && replayOverProbeDecodeAfterWarmup > 0 ? replayOverProbeDecodeAfterWarmup
                : replayOverProbeDecode;
    }

    /**
     * What a step with a prefill computes at, times its charge: the after-prefill ratio where it started right after
     * a step with a prefill on its replica ({@code prefillBefore}) and the costs have one, else 1.
     */
    public double prefillFactor(boolean prefillBefore) {
        return prefillFactor(prefillAfterPrefillRatio, prefillBefore);
    }

    /** As above for an after-prefill ratio of prefills given alone (0: none). */
    public static double prefillFactor(double prefillAfterPrefillRatio, boolean prefillBefore) {
        return prefillBefore && prefillAfterPrefillRatio > 0 ? prefillAfterPrefillRatio : 1;
    }

    /**
     * A probe's speed against the profile as a replay right after it will run: {@code probed} times {@code ratio}
     * ({@link #replayOverProbePrefill} or {@link #replayOverProbeDecode}), or {@code probed} where the ratio is 0.
     */
    public static double replayOverProbe(double ratio, double probed) {
        return ratio > 0 ? probed * ratio : probed;
    }

    /**
     * True when no term the step timer charges is on (the probes' ratios are validate's; the host slowdown goes to the
     * profile book, {@code simulate} applies it).
     */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isNone() {
        return extraMsPerSequence == 0 && computeRatio.isEmpty() && roundTripMs.isEmpty()
                && afterPrefillComputeRatio.isEmpty() && roundTripTailMs == 0 && prefillAfterPrefillRatio == 0
                && stepExcess == null && windowDrift == null;
    }

    /**
     * The value at probability {@code u} in {@code [0, 1]} of a quantile table (values at {@code 0, 1/(n-1), ..., 1}),
     * linearly interpolated.
     */
    public static double quantileAt(double[] table, double u) {
        double pos = u * (table.length - 1);
        int i = (int) Math.min(table.length - 2, Math.floor(pos));
        double frac = pos - i;
        return table[i] + frac * (table[i + 1] - table[i]);
    }

    /** As {@link #quantileAt(double[], double)}, of a table held as a list (nothing copied). */
    public static double quantileAt(List<Double> table, double u) {
        double pos = u * (table.size() - 1);
        int i = (int) Math.min(table.size() - 2, Math.floor(pos));
        return table.get(i) + (pos - i) * (table.get(i + 1) - table.get(i));
    }

    /**
     * {@code n} (>= 2) quantiles at probabilities {@code 0, 1/(n-1), ..., 1} of {@code values} (linear between order
     * statistics), each divided by {@code divisor}.
     */
    public static List<Double> quantiles(double[] values, int n, double divisor) {
        if (values.length == 0 || n < 2) {
            throw new IllegalArgumentException("quantiles: need values and n >= 2, got " + values.length + " and " + n);
        }
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        Double[] out = new Double[n];
        for (int k = 0; k < n; k++) {
            out[k] = quantileAt(v.length == 1 ? new double[] {v[0], v[0]} : v, (double) k / (n - 1)) / divisor;
        }
        return List.of(out);
    }

    /** A uniform draw in {@code [0, 1)} from the seed, a step's key, a report's index and a stream. */
    public static double uniform(long seed, long key, long report, int stream) {
        long z = seed + key * 0x9E3779B97F4A7C15L + report * 0xD1B54A32D192ED03L + stream * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }
}
