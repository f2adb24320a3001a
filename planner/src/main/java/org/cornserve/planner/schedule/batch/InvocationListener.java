package org.cornserve.planner.schedule.batch;

/**
 * What a batcher reports about the invocations it holds. {@code owner} and {@code node} are the opaque
 * handle and graph index the invocation was enqueued with.
 */
public interface InvocationListener {
    /** The invocation left its queue and began computing (its first batch or iteration started). */
    void started(Object owner, int node, long nowNanos);

    /** The invocation produced its first output (an LLM's first token). Not called for other kinds. */
    void firstOutput(Object owner, int node, long nowNanos);

    /**
     * The invocation generated the tokens its first streamed chunk waits for (an LLM batcher told to
     * {@code streamAfter} that many); reported at most once per invocation, and never for one that ends in the
     * same report before reaching them.
     */
    default void chunkReady(Object owner, int node, long nowNanos) {
    }

    /** The invocation finished; its outputs exist now. */
    void finished(Object owner, int node, long nowNanos);
}
