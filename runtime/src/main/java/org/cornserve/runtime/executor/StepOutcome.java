package org.cornserve.runtime.executor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.runtime.sidecar.TensorRef;

/** What a step produced, collected while it runs. Not thread-safe. */
public final class StepOutcome {
    private final Map<Long, List<Integer>> emitted = new LinkedHashMap<>();
    private final List<ExecutorReport.Ended> ended = new ArrayList<>();
    private final List<ExecutorReport.Output> outputs = new ArrayList<>();
    private long iterations;

    void emit(long invocation, int token) {
        emitted.computeIfAbsent(invocation, k -> new ArrayList<>()).add(token);
    }

    void end(long invocation, String reason, int generated) {
        ended.add(new ExecutorReport.Ended(invocation, reason, generated));
    }

    void output(long invocation, TensorRef ref) {
        outputs.add(new ExecutorReport.Output(invocation, ref));
    }

    /** A chunk of a streamed output: more follow. */
    void chunk(long invocation, TensorRef ref) {
        outputs.add(new ExecutorReport.Output(invocation, ref, null, true));
    }

    void iterationDone() {
        iterations++;
    }

    long iterations() {
        return iterations;
    }

    boolean anyEnded() {
        return !ended.isEmpty();
    }

    ExecutorReport.StepDone report(long step, long computeNanos) {
        return report(step, computeNanos, 0);
    }

    ExecutorReport.StepDone report(long step, long computeNanos, long computeStartNanos) {
        List<ExecutorReport.Emitted> tokens = new ArrayList<>();
        emitted.forEach((inv, list) -> tokens.add(new ExecutorReport.Emitted(inv,
                list.stream().mapToInt(Integer::intValue).toArray())));
        return new ExecutorReport.StepDone(step, Math.max(1, iterations), tokens, ended, outputs, null, computeNanos,
                computeStartNanos);
    }
}
