package org.cornserve.runtime.engine.llm;

/**
 * What one step returns for one chunk.
 *
 * @param seqId the sequence
 * @param logits logits of the chunk's last token (vocab floats), or null if not asked
 * @param hidden final hidden states of all the chunk's tokens (tokens x hidden), or null if not asked or stored in
 *     the chunk's {@link SeqChunk#hiddenOut}
 */
public record ChunkOutput(long seqId, float[] logits, float[] hidden) {
}
