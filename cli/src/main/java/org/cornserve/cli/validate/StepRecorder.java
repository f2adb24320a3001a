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
     */
    record ServedStep(int deployment, int replica, Step step, long computeNanos, long busyNanos) {
    }

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
                served.add(new ServedStep(deployment, replica, step, computeNanos, busyNanos));
            }
        }
    }

    synchronized List<ServedStep> served() {
        return List.copyOf(served);
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
     * Writes {@code steps.csv} (one row per served LLM step: its shape, measured compute and busy time, and the
     * simulator's charge) and returns the summary: per kind of step (with prefill; decode only), how many, and
     * the measured-over-simulated ratio of compute and of busy time at P10, P50, P90 and P99.
     *
     * @param costOf the simulator's cost model of deployment d's task t (null when it has none)
     */
    static Map<String, Object> write(List<ServedStep> steps, BiFunction<Integer, Integer, LlmCost> costOf, Path csv)
            throws IOException {
        StringBuilder sb = new StringBuilder("deployment,replica,task,prefill_tokens,decode_sequences,"
                + "decode_context_tokens,iterations,measured_compute_ms,measured_busy_ms,simulated_ms\n");
        Map<String, List<double[]>> ratios = new LinkedHashMap<>();
        ratios.put("with_prefill", new ArrayList<>());
        ratios.put("decode_only", new ArrayList<>());
        for (ServedStep s : steps) {
            if (!(s.step() instanceof Step.LlmStep llm)) {
                continue;
            }
            LlmCost cost = costOf.apply(s.deployment(), llm.task());
            if (cost == null) {
                continue;
            }
            double simMs = simulated(llm, cost) * 1e3;
            double computeMs = s.computeNanos() / 1e6;
            double busyMs = s.busyNanos() / 1e6;
            sb.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%d,%d,%.4f,%.4f,%.4f%n", s.deployment(), s.replica(),
                    llm.task(), llm.prefillTokens(), llm.decodeSequences(), llm.decodeContextTokens(),
                    llm.iterations(), computeMs, busyMs, simMs));
            if (simMs > 0) {
                ratios.get(llm.prefillTokens() > 0 ? "with_prefill" : "decode_only")
                        .add(new double[] {computeMs / simMs, busyMs / simMs});
            }
        }
        Files.writeString(csv, sb);
        Map<String, Object> summary = new LinkedHashMap<>();
        ratios.forEach((kind, list) -> {
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("steps", list.size());
            k.put("compute_over_simulated", quantiles(list, 0));
            k.put("busy_over_simulated", quantiles(list, 1));
            summary.put(kind, k);
        });
        return summary;
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
