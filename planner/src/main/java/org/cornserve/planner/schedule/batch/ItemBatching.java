package org.cornserve.planner.schedule.batch;

/**
 * Batching settings of a single-pass task (an encoder, a vocoder): a batch holds invocations of one
 * modality, at most {@code maxItems} items and {@code maxTokens} tokens (an invocation larger than either
 * limit runs alone), and a partial batch waits at most {@code maxWaitNanos} for more work.
 */
public record ItemBatching(int maxItems, long maxTokens, long maxWaitNanos) {

    public ItemBatching {
        if (maxItems < 1 || maxTokens < 1 || maxWaitNanos < 0) {
            throw new IllegalArgumentException("item batching needs max_batch_items >= 1, max_batch_tokens >= 1 and"
                    + " max_wait >= 0: " + maxItems + ", " + maxTokens + ", " + maxWaitNanos + " ns");
        }
    }

    /** One invocation at a time, no waiting: a plain FIFO server. */
    public static ItemBatching unbatched() {
        return new ItemBatching(1, Long.MAX_VALUE, 0);
    }
}
