package org.cornserve.planner.schedule.batch;

/**
 * What an engine that <em>simulates</em> generation learns of an LLM batcher's sequences, so that it can look ahead
 * for the iteration where the next one ends (the decode fast path) and report that end as a {@link SequenceEnds}
 * fact at exactly that iteration. The batcher decides nothing from what the watcher knows; a real engine does not
 * need one (it sees ends happen). Iterations count the batcher's engine iterations since it was created
 * ({@link LlmBatcher#iteration()}); a sequence that decodes from iteration {@code i} having generated {@code g}
 * tokens has generated {@code g + k} after iteration {@code i + k}.
 */
public interface SequenceWatcher {

    /** A watcher that ignores everything. */
    SequenceWatcher NONE = new SequenceWatcher() {
        @Override
        public void decoding(int sequence, Object owner, int node, long iteration, long generated) {
        }

        @Override
        public void stopped(int sequence) {
        }

        @Override
        public void prefillCompleting(int sequence, Object owner, int node, long generated) {
        }
    };

    /** Sequence {@code sequence} decodes one token per iteration from iteration {@code iteration} on. */
    void decoding(int sequence, Object owner, int node, long iteration, long generated);

    /** Sequence {@code sequence} no longer decodes (it ended, reached its cap, was preempted or cancelled). */
    void stopped(int sequence);

    /**
     * The step just planned completes the prompt of sequence {@code sequence}, which has generated
     * {@code generated} tokens before it: the step's iteration yields its next token.
     */
    void prefillCompleting(int sequence, Object owner, int node, long generated);
}
