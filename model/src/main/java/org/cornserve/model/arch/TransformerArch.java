package org.cornserve.model.arch;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The shape of one transformer stack (an LLM, a talker, a ViT or audio encoder, a diffusion transformer),
 * enough to count its parameters, FLOPs and KV-cache bytes. Field names follow Hugging Face configs.
 *
 * <p>Dense models leave the MoE fields at zero. A MoE layer has {@code experts} experts of
 * {@code moeIntermediateSize} each, of which {@code expertsPerToken} run per token, plus an optional
 * shared expert of {@code intermediateSize} (zero when there is none).
 *
 * @param hiddenSize model width
 * @param layers number of transformer blocks
 * @param attentionHeads query heads
 * @param kvHeads key/value heads (grouped-query attention when fewer than attentionHeads)
 * @param headDim width of one head
 * @param intermediateSize dense MLP width (or the shared expert's width in a MoE model)
 * @param vocabSize embedding rows; 0 for encoders without a vocabulary
 * @param gatedMlp true for SwiGLU/GeGLU MLPs (three matrices), false for a plain two-matrix MLP
 * @param experts MoE experts per layer, 0 for a dense model
 * @param expertsPerToken experts routed per token, 0 for a dense model
 * @param moeIntermediateSize width of one expert's MLP, 0 for a dense model
 * @param tiedEmbeddings true when the output head shares the input embedding matrix
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record TransformerArch(
        @JsonProperty(value = "hidden_size", required = true) int hiddenSize,
        @JsonProperty(value = "layers", required = true) int layers,
        @JsonProperty(value = "attention_heads", required = true) int attentionHeads,
        @JsonProperty(value = "kv_heads", required = true) int kvHeads,
        @JsonProperty(value = "head_dim", required = true) int headDim,
        // always written: it is required, and 0 is legal for a MoE stack without a shared expert
        @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty(value = "intermediate_size", required = true) int intermediateSize,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("gated_mlp") boolean gatedMlp,
        @JsonProperty("experts") int experts,
        @JsonProperty("experts_per_token") int expertsPerToken,
        @JsonProperty("moe_intermediate_size") int moeIntermediateSize,
        @JsonProperty("tied_embeddings") boolean tiedEmbeddings) {

    public TransformerArch {
        positive("hidden_size", hiddenSize);
        positive("layers", layers);
        positive("attention_heads", attentionHeads);
        positive("kv_heads", kvHeads);
        positive("head_dim", headDim);
        if (intermediateSize < 0 || vocabSize < 0 || experts < 0 || expertsPerToken < 0 || moeIntermediateSize < 0) {
            throw new IllegalArgumentException("intermediate_size, vocab_size and MoE fields must be >= 0");
        }
        if (attentionHeads % kvHeads != 0) {
            throw new IllegalArgumentException("attention_heads (" + attentionHeads
                    + ") must be a multiple of kv_heads (" + kvHeads + ")");
        }
        if ((experts == 0) != (expertsPerToken == 0) || (experts == 0) != (moeIntermediateSize == 0)) {
            throw new IllegalArgumentException("experts, experts_per_token and moe_intermediate_size are all set or all zero");
        }
        if (expertsPerToken > experts) {
            throw new IllegalArgumentException("experts_per_token (" + expertsPerToken + ") > experts (" + experts + ")");
        }
        if (experts == 0 && intermediateSize == 0) {
            throw new IllegalArgumentException("a dense stack needs intermediate_size > 0");
        }
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be > 0, got " + value);
        }
    }

    /** A dense decoder LLM with a gated MLP and untied embeddings (Llama / Qwen2 style). */
    public static TransformerArch denseLlm(int hidden, int layers, int heads, int kvHeads, int headDim,
            int intermediate, int vocab) {
        return new TransformerArch(hidden, layers, heads, kvHeads, headDim, intermediate, vocab, true, 0, 0, 0, false);
    }

    /** An encoder stack (ViT, audio encoder) with a plain MLP and no vocabulary. */
    public static TransformerArch encoder(int hidden, int layers, int heads, int intermediate) {
        return new TransformerArch(hidden, layers, heads, heads, hidden / heads, intermediate, 0, false, 0, 0, 0, false);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isMoe() {
        return experts > 0;
    }

    private long mlpMatrices() {
        return gatedMlp ? 3 : 2;
    }

    /** Attention projection parameters of one layer (Q, K, V, O; biases ignored). */
    public long attentionParamsPerLayer() {
        long q = (long) hiddenSize * attentionHeads * headDim;
        long kv = 2L * hiddenSize * kvHeads * headDim;
        long o = (long) attentionHeads * headDim * hiddenSize;
        return q + kv + o;
    }

    /** MLP parameters of one layer held in memory (every expert counted). */
    public long mlpParamsPerLayer() {
        long dense = mlpMatrices() * hiddenSize * (long) intermediateSize;
        long moe = experts * mlpMatrices() * hiddenSize * (long) moeIntermediateSize;
        long router = (long) experts * hiddenSize;
        return dense + moe + router;
    }

    /** MLP parameters one token passes through in one layer (routed experts only). */
    public long activeMlpParamsPerLayer() {
        long dense = mlpMatrices() * hiddenSize * (long) intermediateSize;
        long moe = expertsPerToken * mlpMatrices() * hiddenSize * (long) moeIntermediateSize;
        long router = (long) experts * hiddenSize;
        return dense + moe + router;
    }

    public long embeddingParams() {
        long embed = (long) vocabSize * hiddenSize;
        return tiedEmbeddings ? embed : 2 * embed;
    }

    /** All parameters held in memory. */
    public long totalParams() {
        return layers * (attentionParamsPerLayer() + mlpParamsPerLayer()) + embeddingParams();
    }

    /**
     * Parameters whose weights one token multiplies (MoE counts routed experts only; the input
     * embedding is a lookup, so only the output head counts).
     */
    public long activeParams() {
        long head = (long) vocabSize * hiddenSize;
        return layers * (attentionParamsPerLayer() + activeMlpParamsPerLayer()) + head;
    }

    /** Key and value elements cached per token across all layers. */
    public long kvElementsPerToken() {
        return 2L * layers * kvHeads * headDim;
    }

    /** Attention FLOPs of one query token against one cached token, across all layers (QK^T and AV). */
    public long attentionFlopsPerTokenPair() {
        return 4L * layers * attentionHeads * headDim;
    }
}
