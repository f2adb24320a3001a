package org.cornserve.planner.schedule.batch;

import java.util.Arrays;

/**
 * A fact an engine reports with a finished step: which sequences generated their last token in it
 * (end-of-sequence or a stop string; a sequence at its {@code max_tokens} cap ends without being listed). Sequences
 * are named by the ids the step description gave ({@link StepVisitor#decode(Object, int, int, long)},
 * {@link StepVisitor#prefillChunk(Object, int, int, long, long)}). In a multi-iteration step a sequence can end only
 * at the last iteration: the engine stops the run there. A reusable buffer: clear it and add the ids for each step,
 * no allocation per step.
 */
public final class SequenceEnds {
    /** No sequence ended (a single-pass or diffusion step, or an LLM step in which nothing ended). */
    public static final SequenceEnds NONE = new SequenceEnds(true);

    private final boolean frozen;
    private int[] ids = new int[8];
    private int count;

    public SequenceEnds() {
        this(false);
    }

    private SequenceEnds(boolean frozen) {
        this.frozen = frozen;
    }

    /** Empties the buffer for the next step. */
    public void clear() {
        count = 0;
    }

    /** Records that sequence {@code sequence} generated its last token in this step. */
    public void add(int sequence) {
        if (frozen) {
            throw new UnsupportedOperationException("SequenceEnds.NONE is empty; use a new SequenceEnds");
        }
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence ids are >= 0, got " + sequence);
        }
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
        }
        ids[count++] = sequence;
    }

    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** The {@code i}-th ended sequence, {@code 0 <= i < count()}, in the order added. */
    public int sequence(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("ended sequence " + i + " of " + count);
        }
        return ids[i];
    }

    @Override
    public String toString() {
        return "SequenceEnds" + Arrays.toString(Arrays.copyOf(ids, count));
    }
}
