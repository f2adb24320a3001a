package org.cornserve.runtime.engine.llm;

/**
 * Dimensions of a decoder-only transformer (Llama / Qwen2 family): gated SwiGLU MLP, RMSNorm, RoPE,
 * grouped-query attention.
 *
 * @param name model name for messages
 * @param hidden model width
 * @param layers decoder layers
 * @param heads query heads
 * @param kvHeads key/value heads (divides heads)
 * @param headDim width of one head
 * @param intermediate MLP width
 * @param vocab vocabulary size
 * @param maxPositions longest sequence (rotary table size)
 * @param ropeTheta rotary base
 * @param rmsEps RMSNorm epsilon
 * @param attentionBias q/k/v projections have biases (Qwen2)
 * @param tiedEmbeddings the output head reuses the input embedding
 */
public record LlmConfig(String name, int hidden, int layers, int heads, int kvHeads, int headDim, int intermediate,
        int vocab, int maxPositions, double ropeTheta, float rmsEps, boolean attentionBias, boolean tiedEmbeddings) {
    public LlmConfig {
        if (hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || intermediate <= 0
                || vocab <= 0 || maxPositions <= 0) {
            throw new IllegalArgumentException(name + ": every LLM dimension must be positive");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(name + ": heads " + heads + " not a multiple of kv heads " + kvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException(name + ": head_dim " + headDim + " must be even for rotary embeddings");
        }
    }

    /** Width of all query heads. */
    public int qDim() {
        return heads * headDim;
    }

    /** Width of all key (or value) heads. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Parameters (weights) of the whole model. */
    public long params() {
        long attn = (long) hidden * (qDim() + 2L * kvDim()) + (long) qDim() * hidden
                + (attentionBias ? qDim() + 2L * kvDim() : 0);
        long mlp = 3L * hidden * intermediate;
        long perLayer = attn + mlp + 2L * hidden;
        long embed = (long) vocab * hidden;
        return layers * perLayer + embed + (tiedEmbeddings ? 0 : embed) + hidden;
    }

    /** Bytes of float32 weights. */
    public long weightBytes() {
        return 4L * params();
    }

    /** Bytes of float32 key and value cache per token (all layers). */
    public long kvBytesPerToken() {
        return 4L * 2 * layers * kvDim();
    }
}
