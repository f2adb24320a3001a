package org.cornserve.cli.validate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.runtime.control.DispatchObserver;

/**
 * Records every engine step a served plan runs (what the core planned, what the executor computed) so that a
 * validation can hold each step's measured compute against what the simulator charges for the same step. This
 * splits the simulator's error in two: the cost of steps as served (contention, warm-up, the profile's fit) and
 * everything else (queueing, batching decisions, dispatch). Attached while the measured replay runs.
 */
final class StepRecorder implements DispatchObserver {

    /**
     * One served step.
     *
     * @param deployment the deployment's index in the plan
     * @param task the task's index within it
     * @param step what the core planned
     * @param computeNanos the executor's own compute time for it
     * @param busyNanos from the core's decision to the report on the loop
     * @param endNanos when the report reached the loop (the step computed during the {@code computeNanos} before)
     */
    record ServedStep(int deployment, int replica, Step step, long computeNanos, long busyNanos, long endNanos) {
        long startNanos() {
            return endNanos - computeNanos;
        }

        /** When the core decided the step (its command went to the executor next). */
        long decidedNanos() {
            return endNanos - busyNanos;
        }

        /** The control plane's round trip around the executor's compute: busy less compute. */
        long roundTripNanos() {
            return busyNanos - computeNanos;
        }
    }

    /** Outside load (cores) under which a step counts as computed without any. */
    static final double QUIET_CORES = 0.1;
    /** Outside load (cores) from which a step counts as computed under it. */
    static final double LOADED_CORES = 0.25;

    private final Map<Long, Step> pending = new HashMap<>();
    private final List<ServedStep> served = new ArrayList<>();
    private volatile boolean recording;

    /** Starts recording (steps decided before are ignored). */
    void start() {
        recording = true;
    }

    /** Stops recording; the steps recorded so far stay. */
    void stop() {
        recording = false;
    }

    @Override
    public void stepStarted(int deployment, int replica, Step step, long nowNanos) {
        synchronized (this) {
            if (recording) {
                pending.put(key(deployment, replica), step);
            }
        }
    }

    @Override
    public void stepEnded(int deployment, int replica, long busyNanos, long computeNanos, long[] requestIds,
            long nowNanos) {
        synchronized (this) {
            Step step = pending.remove(key(deployment, replica));
            if (step != null && computeNanos > 0) {
                served.add(new ServedStep(deployment, replica, step, computeNanos, busyNanos, nowNanos));
            }
        }
    }

    synchronized List<ServedStep> served() {
        return List.copyOf(served);
    }

    /**
     * The control plane's round trip per LLM step (busy less compute: the command, the executor's frame handling, the
     * report and the event loop), the median over the decode-only steps of {@code steps} (the steps that carry the
     * cost per token; a prefill step's round trip also holds handling its request's opening, which the per-request
     * overhead measures), or over every LLM step when none is decode-only; 0 without LLM steps.
     *
     * <p>The median, not the mean: the round trip is skewed (rare stalls of several ms over a floor of a few tenths),
     * and a request of a few dozen steps most often meets none of the stalls, so the median request's steps cost the
     * median. Charged the probe's mean less its slowest 1% instead, seven runs of 2026-12-05 (three 120-request demos,
     * four 1,000-request validations) came out slow at TPOT P50 in every one, by +11.6% to +38.6%; re-simulated with
     * the probe's median, nothing else changed, TPOT P50 was -14.3% to +24.5% and E2E P50 moved toward the served one
     * in all seven (experiments/validation-tails.md, section 10).
     */
    static double roundTripMs(List<ServedStep> steps) {
        List<ServedStep> llm = steps.stream().filter(s -> s.step() instanceof Step.LlmStep).toList();
        List<ServedStep> decode = llm.stream().filter(s -> ((Step.LlmStep) s.step()).prefillTokens() == 0).toList();
        double[] v = (decode.isEmpty() ? llm : decode).stream().mapToDouble(s -> s.roundTripNanos() / 1e6).sorted()
                .toArray();
        return v.length == 0 ? 0 : Math.max(0, Validation.median(v));
    }

    private static long key(int deployment, int replica) {
        return ((long) deployment << 32) | replica;
    }

    /**
     * The simulator's charge for a served LLM step, in seconds: one mixed iteration, or a decode run of the step's
     * iterations.
     */
    static double simulated(Step.LlmStep s, LlmCost cost) {
        return s.iterations() == 1
                ? cost.iterationSeconds(s.prefillTokens(), s.prefillContextTokens(), s.decodeSequences(),
                        s.decodeContextTokens())
                : cost.decodeRunSeconds(s.decodeSequences(), s.decodeContextTokens(), s.iterations());
    }

    /**
     * The mean number of other executors computing during {@code s}'s compute (from the served steps' own compute
     * intervals) and the mean host-sharing slowdown over it: {@code factor(1 + others computing at t)} averaged over
     * the step. O(steps) per step.
     *
     * @param slowdown the measured slowdown by executors computing at once (element k-1), or empty for none
     */
    static double[] overlap(ServedStep s, List<ServedStep> all, List<Double> slowdown) {
        long from = s.startNanos();
        long to = s.endNanos();
        if (to <= from) {
            return new double[] {0, 1};
        }
        // +1 / -1 at the ends of every other step's compute clipped to this one, swept in time order
        List<long[]> edges = new ArrayList<>();
        for (ServedStep o : all) {
            if (o == s || (o.deployment() == s.deployment() && o.replica() == s.replica())) {
                continue;
            }
            long a = Math.max(from, o.startNanos());
            long b = Math.min(to, o.endNanos());
            if (a < b) {
                edges.add(new long[] {a, 1});
                edges.add(new long[] {b, -1});
            }
        }
        edges.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
        double others = 0;
        double factor = 0;
        long t = from;
        int k = 0;
        for (long[] e : edges) {
            others += (double) k * (e[0] - t);
            factor += factorAt(slowdown, k + 1) * (e[0] - t);
            t = e[0];
            k += (int) e[1];
        }
        others += (double) k * (to - t);
        factor += factorAt(slowdown, k + 1) * (to - t);
        return new double[] {others / (to - from), factor / (to - from)};
    }

    /** As {@code simulator.config.HostSharing#factor}: 1 without a measured slowdown. */
    private static double factorAt(List<Double> slowdown, int busy) {
        if (slowdown.isEmpty()) {
            return 1;
        }
        int n = slowdown.size();
        return busy <= n ? slowdown.get(busy - 1) : slowdown.get(n - 1) * busy / n;
    }

    /**
     * Decode-only steps after a step with a prefill that the steady speed leaves out: they pay to refill the caches
     * the prefill went through, and the simulation charges them apart ({@code after_prefill_compute_ratio} of the
     * served costs, two ratios in the embedded ones).
     */
    static final long AFTER_PREFILL_STEPS = 2;

    /** The columns of {@code steps.csv} ({@link #write}). */
    static final String CSV_HEADER = "deployment,replica,task,prefill_tokens,decode_sequences,decode_context_tokens,"
            + "iterations,measured_compute_ms,measured_busy_ms,simulated_ms,others_computing,simulated_shared_ms,"
            + "decided_ms,round_trip_ms,gap_before_ms,outside_cores";

    /**
     * Writes {@code steps.csv} (one row per served LLM step: its shape, measured compute and busy time, the
     * simulator's charge, the mean number of other executors computing meanwhile, the charge with the host-sharing
     * slowdown over that overlap, when the step was decided, its round trip (busy less compute) and the gap from the
     * replica's previous report to this decision) and returns the summary: per kind of step (with prefill; decode
     * only), how many, the measured-over-simulated ratio of compute and of busy time at P10, P50, P90 and P99, the
     * compute ratio against the charge with host sharing, the round trip and the gap before in ms, and the compute
     * ratio of the steps that ran alone (others computing under 10% of the step) and of those that overlapped (others
     * computing over half of it): if sharing the host is what slows served steps, the overlapped ones are the slow
     * ones.
     *
     * @param costOf the simulator's cost model of deployment d's task t (null when it has none)
     * @param slowdown the measured host-sharing slowdown (element k-1 for k executors at once), empty for none
     */
    static Map<String, Object> write(List<ServedStep> steps, BiFunction<Integer, Integer, LlmCost> costOf,
            List<Double> slowdown, Path csv) throws IOException {
        return write(steps, costOf, slowdown, null, csv);
    }

    /**
     * As {@link #write(List, BiFunction, List, Path)}, with the host's outside load over each step's compute
     * ({@code outside_cores}, from {@code host}; empty when null or not available) and, in the summary, the compute
     * ratio of the steps that computed with no outside load (under {@value #QUIET_CORES} cores) apart from those
     * that computed beside at least {@value #LOADED_CORES} cores of it.
     */
    static Map<String, Object> write(List<ServedStep> steps, BiFunction<Integer, Integer, LlmCost> costOf,
            List<Double> slowdown, HostCpuMonitor.Samples host, Path csv) throws IOException {
        boolean watched = host != null && host.available();
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        Map<String, List<double[]>> ratios = new LinkedHashMap<>();
        ratios.put("with_prefill", new ArrayList<>());
        ratios.put("decode_only", new ArrayList<>());
        long origin = steps.stream().mapToLong(ServedStep::decidedNanos).min().orElse(0);
        Map<Long, Long> lastEnd = new HashMap<>();
        Map<Long, Long> sincePrefill = new HashMap<>();
        for (ServedStep s : steps) {
            // from the replica's previous report on the loop to this step's decision: the loop's own work between
            // two steps when the replica had more to do, idle time when it had not
            Long previous = lastEnd.put(key(s.deployment(), s.replica()), s.endNanos());
            double gapMs = previous == null ? Double.NaN : (s.decidedNanos() - previous) / 1e6;
            if (!(s.step() instanceof Step.LlmStep llm)) {
                continue;
            }
            long since = llm.prefillTokens() > 0 ? 0
                    : sincePrefill.getOrDefault(key(s.deployment(), s.replica()), ServedCostsFit.Row.FAR) + 1;
            sincePrefill.put(key(s.deployment(), s.replica()), Math.min(since, ServedCostsFit.Row.FAR));
            LlmCost cost = costOf.apply(s.deployment(), llm.task());
            if (cost == null) {
                continue;
            }
            double simMs = simulated(llm, cost) * 1e3;
            double computeMs = s.computeNanos() / 1e6;
            double busyMs = s.busyNanos() / 1e6;
            double[] shared = overlap(s, steps, slowdown);
            double sharedMs = simMs * shared[1];
            double roundTripMs = s.roundTripNanos() / 1e6;
            double outside = watched ? host.outsideCores(s.startNanos(), s.endNanos()) : Double.NaN;
            sb.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%d,%d,%.4f,%.4f,%.4f,%.3f,%.4f,%.4f,%.4f,%s,%s%n",
                    s.deployment(), s.replica(), llm.task(), llm.prefillTokens(), llm.decodeSequences(),
                    llm.decodeContextTokens(), llm.iterations(), computeMs, busyMs, simMs, shared[0], sharedMs,
                    (s.decidedNanos() - origin) / 1e6, roundTripMs, Double.isNaN(gapMs) ? ""
                            : String.format(Locale.ROOT, "%.4f", gapMs),
                    Double.isNaN(outside) ? "" : String.format(Locale.ROOT, "%.3f", outside)));
            if (simMs > 0) {
                ratios.get(llm.prefillTokens() > 0 ? "with_prefill" : "decode_only")
                        .add(new double[] {computeMs / simMs, busyMs / simMs, computeMs / sharedMs, shared[0],
                                roundTripMs, gapMs, outside, computeMs, simMs, since});
            }
        }
        Files.writeString(csv, sb);
        Map<String, Object> summary = new LinkedHashMap<>();
        ratios.forEach((kind, list) -> {
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("steps", list.size());
            k.put("compute_over_simulated", quantiles(list, 0));
            if (!list.isEmpty()) {
                k.put("sum_compute_over_sum_simulated", sumRatio(list));
            }
            k.put("busy_over_simulated", quantiles(list, 1));
            k.put("compute_over_simulated_shared", quantiles(list, 2));
            k.put("round_trip_ms", quantiles(list, 4));
            k.put("gap_before_ms", quantiles(list.stream().filter(a -> !Double.isNaN(a[5])).toList(), 5));
            List<double[]> alone = list.stream().filter(a -> a[3] < 0.1).toList();
            List<double[]> overlapped = list.stream().filter(a -> a[3] > 0.5).toList();
            k.put("steps_alone", alone.size());
            k.put("alone_compute_over_simulated", quantiles(alone, 0));
            if (!alone.isEmpty()) {
                k.put("alone_sum_compute_over_sum_simulated", sumRatio(alone));
            }
            List<double[]> steady = alone.stream().filter(a -> a[9] > AFTER_PREFILL_STEPS).toList();
            if (kind.equals("decode_only") && !steady.isEmpty()) {
                // the steps right after a prefill pay to refill the caches, charged apart (the served costs'
                // after-prefill ratio): the speed of the rest
                k.put("steps_alone_steady", steady.size());
                k.put("alone_steady_sum_compute_over_sum_simulated", sumRatio(steady));
            }
            k.put("steps_overlapped", overlapped.size());
            k.put("overlapped_compute_over_simulated", quantiles(overlapped, 0));
            if (watched) {
                // outside load slows a step the simulator charges at its profile: the quiet steps are the model's
                // error, the loaded ones the machine's
                List<double[]> quiet = list.stream().filter(a -> a[6] < QUIET_CORES).toList();
                List<double[]> loaded = list.stream().filter(a -> a[6] >= LOADED_CORES).toList();
                k.put("steps_without_outside_load", quiet.size());
                k.put("without_outside_load_compute_over_simulated", quantiles(quiet, 0));
                k.put("steps_under_outside_load", loaded.size());
                k.put("under_outside_load_compute_over_simulated", quantiles(loaded, 0));
            }
            if (!alone.isEmpty() && !overlapped.isEmpty()) {
                // what sharing the host cost served steps, to hold against the profiler's probe (host_sharing)
                k.put("served_overlap_slowdown_p50", quantiles(overlapped, 0).get("p50")
                        / quantiles(alone, 0).get("p50"));
            }
            summary.put(kind, k);
        });
        return summary;
    }

    /**
     * The steps' measured compute over the simulator's charge, summed over them (the ratio of the means: what the
     * busy time of an engine, and so its queueing, follows); NaN where they were charged nothing.
     */
    private static double sumRatio(List<double[]> list) {
        double compute = list.stream().mapToDouble(a -> a[7]).sum();
        double simulated = list.stream().mapToDouble(a -> a[8]).sum();
        return simulated > 0 ? compute / simulated : Double.NaN;
    }

    private static Map<String, Double> quantiles(List<double[]> list, int column) {
        double[] v = list.stream().mapToDouble(a -> a[column]).sorted().toArray();
        Map<String, Double> q = new LinkedHashMap<>();
        if (v.length == 0) {
            return q;
        }
        for (double p : new double[] {0.1, 0.5, 0.9, 0.99}) {
            q.put(String.format(Locale.ROOT, "p%d", Math.round(p * 100)), v[(int) Math.min(v.length - 1,
                    Math.floor(p * v.length))]);
        }
        return q;
    }
}
