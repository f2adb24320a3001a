package org.cornserve.simulator.engine;

import java.util.Arrays;
import org.cornserve.planner.schedule.batch.IndexedMinHeap;
import org.cornserve.planner.schedule.batch.SequenceEnds;
import org.cornserve.planner.schedule.batch.SequenceWatcher;
import org.cornserve.planner.schedule.dispatch.ActiveRequest;

/**
 * The simulated engine's look-ahead on one LLM batcher: from the trace output length of each sequence
 * ({@code InvocationGraph.traceOutputTokens}) it keeps the iteration at which each decoding sequence generates its
 * last token, so the engine can stop a decode run there and report the end as a {@link SequenceEnds} fact, and it
 * notes which prompts completing in the planned step end with their first token. This is simulation, not
 * decision: the batcher never reads it. Primitive arrays only; nothing is allocated per token or per step.
 */
final class EndLookahead implements SequenceWatcher {
    private final IndexedMinHeap ends = new IndexedMinHeap();
    private int[] endingPrefills = new int[8];
    private int endingPrefillCount;

    private static long traceLength(Object owner, int node) {
        return ((ActiveRequest) owner).graph().traceOutputTokens(node);
    }

    @Override
    public void decoding(int sequence, Object owner, int node, long iteration, long generated) {
        long left = Math.max(1, traceLength(owner, node) - generated);
        ends.add(sequence, left > Long.MAX_VALUE - iteration ? Long.MAX_VALUE : iteration + left);
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
            if (endingPrefillCount == endingPrefills.length) {
                endingPrefills = Arrays.copyOf(endingPrefills, endingPrefillCount * 2);
            }
            endingPrefills[endingPrefillCount++] = sequence;
        }
    }

    /**
     * Moves the prompts noted as ending with their first token in the step just planned into {@code into} (async
     * scheduling plans the next step before this one's end is collected).
     */
    void movePrefillEnds(SequenceEnds into) {
        for (int i = 0; i < endingPrefillCount; i++) {
            into.add(endingPrefills[i]);
        }
        endingPrefillCount = 0;
    }

    /** Iterations from batcher iteration {@code iteration} until a decoding sequence ends (MAX_VALUE when none decodes). */
    long iterationsToNextEnd(long iteration) {
        return ends.isEmpty() ? Long.MAX_VALUE : ends.peekKey() - iteration;
    }

    /**
     * The step just performed brought the batcher to iteration {@code iteration}: adds to {@code into} the
     * sequences that generated their last token in it (decoders in order of end iteration then id, then prompts
     * that completed with their last token) and forgets them.
     */
    void collectEnds(long iteration, SequenceEnds into) {
        while (!ends.isEmpty() && ends.peekKey() <= iteration) {
            into.add(ends.poll());
        }
        for (int i = 0; i < endingPrefillCount; i++) {
            into.add(endingPrefills[i]);
        }
        endingPrefillCount = 0;
    }
}
