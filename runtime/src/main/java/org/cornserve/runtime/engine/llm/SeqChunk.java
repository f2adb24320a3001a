package org.cornserve.runtime.engine.llm;

import org.cornserve.runtime.engine.tensor.TensorSink;

/**
 * One sequence's part of an LLM step: a prefill chunk (many tokens) or a decode token (one).
 *
 * @param seqId sequence id (its KV cache entry)
 * @param startPos position of the first token; must equal the tokens already cached for the sequence
 * @param tokens token ids; a placeholder id of the model (or {@link LlmModel#EMBEDDING_INPUT}) takes the
 *     next row of {@code embeddings} instead of the token embedding
 * @param embeddings rows of width hidden spliced at placeholder positions in order, or null
 * @param wantLogits return the logits of the last token (for sampling)
 * @param wantHidden return the final hidden states of every token (for a talker or a text encoder)
 * @param inputRows the spliced rows where they lie (a shared-memory view) instead of {@code embeddings}, or null
 * @param hiddenOut with {@code wantHidden}, where the chunk's final hidden states are stored (the producer's
 *     shared-memory segment, written in place) instead of a new array in {@link ChunkOutput#hidden}; or null
 */
public record SeqChunk(long seqId, int startPos, int[] tokens, float[] embeddings, boolean wantLogits,
        boolean wantHidden, InputRows inputRows, TensorSink hiddenOut) {
    public SeqChunk {
        if (hiddenOut != null && !wantHidden) {
            throw new IllegalArgumentException("sequence " + seqId + ": a chunk given a sink for its hidden states"
                    + " must want them");
        }
        if (embeddings != null && inputRows != null) {
            throw new IllegalArgumentException("sequence " + seqId + ": a chunk takes its embedding rows from an array"
                    + " or from input rows, not both");
        }
        if (tokens.length == 0) {
            throw new IllegalArgumentException("sequence " + seqId + ": empty chunk");
        }
        if (startPos < 0) {
            throw new IllegalArgumentException("sequence " + seqId + ": negative start position");
        }
    }

    /** A chunk whose hidden states (if wanted) come back in a new array. */
    public SeqChunk(long seqId, int startPos, int[] tokens, float[] embeddings, boolean wantLogits,
            boolean wantHidden, InputRows inputRows) {
        this(seqId, startPos, tokens, embeddings, wantLogits, wantHidden, inputRows, null);
    }

    /** A chunk whose spliced rows (if any) come from {@code embeddings}. */
    public SeqChunk(long seqId, int startPos, int[] tokens, float[] embeddings, boolean wantLogits,
            boolean wantHidden) {
        this(seqId, startPos, tokens, embeddings, wantLogits, wantHidden, null);
    }

    /** A decode step: one token at {@code pos}, logits wanted. */
    public static SeqChunk decode(long seqId, int pos, int token) {
        return new SeqChunk(seqId, pos, new int[] {token}, null, true, false);
    }

    /** Tokens in the chunk. */
    public int length() {
        return tokens.length;
    }
}
