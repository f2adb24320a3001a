package org.cornserve.runtime.control;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.planner.schedule.batch.IndexedMinHeap;
import org.cornserve.planner.schedule.batch.SequenceWatcher;
import org.cornserve.planner.schedule.dispatch.ActiveRequest;

/**
 * The parity test's fake engine knowing each sequence's trace output length, as the simulator's (package-private)
 * {@code EndLookahead} does: the iteration at which each decoding sequence generates its last token, and the prompts
 * that end with their first token. It reports ends by invocation id, as a real executor does.
 */
final class TraceEnds implements SequenceWatcher {
    private final IndexedMinHeap ends = new IndexedMinHeap();
    private final List<Integer> endingPrefills = new ArrayList<>();
    private final Map<Integer, Long> invocationOf = new HashMap<>();

    private static long traceLength(Object owner, int node) {
        return ((ActiveRequest) owner).graph().traceOutputTokens(node);
    }

    private void remember(int sequence, Object owner, int node) {
        invocationOf.put(sequence, Dispatcher.invocationId(((ActiveRequest) owner).requestId(), node));
    }

    @Override
    public void decoding(int sequence, Object owner, int node, long iteration, long generated) {
        remember(sequence, owner, node);
        ends.add(sequence, iteration + Math.max(1, traceLength(owner, node) - generated));
    }

    @Override
    public void stopped(int sequence) {
        if (ends.contains(sequence)) {
            ends.remove(sequence);
        }
    }

    @Override
    public void prefillCompleting(int sequence, Object owner, int node, long generated) {
        if (traceLength(owner, node) <= generated + 1) {
            remember(sequence, owner, node);
            endingPrefills.add(sequence);
        }
    }

    /**
     * The prompts noted as ending with their first token in the step just planned, taken out (async scheduling plans
     * the next step before this one's ends are collected).
     */
    List<Long> takePrefillEnds() {
        List<Long> out = new ArrayList<>();
        for (int s : endingPrefills) {
            out.add(invocationOf.remove(s));
        }
        endingPrefills.clear();
        return out;
    }

    long iterationsToNextEnd(long iteration) {
        return ends.isEmpty() ? Long.MAX_VALUE : ends.peekKey() - iteration;
    }

    /** The invocations whose sequences generated their last token by batcher iteration {@code iteration}. */
    List<Long> collectEnds(long iteration) {
        List<Long> out = new ArrayList<>();
        while (!ends.isEmpty() && ends.peekKey() <= iteration) {
            out.add(invocationOf.remove(ends.poll()));
        }
        for (int s : endingPrefills) {
            out.add(invocationOf.remove(s));
        }
        endingPrefills.clear();
        return out;
    }
}
