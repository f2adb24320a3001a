package org.cornserve.planner.schedule.graph;

/**
 * Data flowing from one invocation to another: embeddings, a KV cache, hidden states, audio codes.
 *
 * <p>An edge is handed off whole when its producer finishes, or, when {@code streamChunkTokens > 0}, streamed: the
 * producer (an LLM-like invocation) sends its first chunk once it has generated {@code streamChunkTokens} tokens,
 * and its consumer is released when that chunk arrives, as an Omni thinker streams hidden states to its talker. The
 * first chunk carries {@code firstChunkBytes} (what the producer has computed by then: its prompt's positions and
 * the chunk's); the rest follows when the producer finishes (the chunks in between travel while it generates
 * and are not transferred one by one), and the consumer cannot finish before the rest has arrived. A streamed edge
 * whose producer finishes before the first chunk is full, or whose producer generates no tokens, is handed off
 * whole.
 *
 * @param from index of the producing invocation
 * @param to index of the consuming invocation
 * @param bytes size of the data; a transfer between replicas takes latency + bytes / bandwidth
 * @param streamChunkTokens producer tokens per streamed chunk, 0 for a whole hand-off
 * @param firstChunkBytes bytes of the first chunk of a streamed edge ({@code <= bytes}); {@code bytes} when whole
 */
public record DataEdge(int from, int to, long bytes, int streamChunkTokens, long firstChunkBytes) {

    public DataEdge {
        if (from < 0 || to < 0 || from == to) {
            throw new IllegalArgumentException("edge must join two different invocations: " + from + " -> " + to);
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("edge " + from + " -> " + to + " has negative bytes " + bytes);
        }
        if (streamChunkTokens < 0) {
            throw new IllegalArgumentException("edge " + from + " -> " + to + ": stream chunk must be >= 0 tokens, got "
                    + streamChunkTokens);
        }
        if (streamChunkTokens == 0) {
            firstChunkBytes = bytes;
        } else if (firstChunkBytes < 0 || firstChunkBytes > bytes) {
            throw new IllegalArgumentException("edge " + from + " -> " + to + ": first chunk of " + firstChunkBytes
                    + " bytes outside 0.." + bytes);
        }
    }

    /** An edge handed off whole when its producer finishes. */
    public DataEdge(int from, int to, long bytes) {
        this(from, to, bytes, 0, bytes);
    }

    /** A streamed edge: see the class comment. */
    public static DataEdge streamed(int from, int to, long bytes, int chunkTokens, long firstChunkBytes) {
        if (chunkTokens < 1) {
            throw new IllegalArgumentException("edge " + from + " -> " + to + ": a streamed edge needs a chunk of at"
                    + " least 1 token, got " + chunkTokens);
        }
        return new DataEdge(from, to, bytes, chunkTokens, firstChunkBytes);
    }

    /** Whether the edge streams in chunks instead of being handed off whole. */
    public boolean streamed() {
        return streamChunkTokens > 0;
    }
}
