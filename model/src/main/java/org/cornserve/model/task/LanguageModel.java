package org.cornserve.model.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.Optional;
import org.cornserve.model.arch.TransformerArch;

/**
 * An autoregressive language model: the LLM of a VLM, the thinker of an omni model, or (with
 * {@code prefillOnly}) a text encoder that runs one prefill pass and hands its last hidden states on
 * (Qwen-Image's Qwen2.5-VL text encoder). A whole LLM may be deployed as one unit task or split into its
 * prefill and decode phases; a prefill-only LLM is a single task.
 *
 * @param id component id ({@code llm}, {@code text-encoder})
 * @param shareId id shared across models, or empty
 * @param description what it is
 * @param arch the decoder stack
 * @param prefillOnly true for a text encoder that never decodes
 * @param maxPositionEmbeddings longest context, 0 when unknown
 * @param maxInputTokens prompt tokens the component accepts (0 when limited by context only)
 * @param bytesPerParam bytes per weight
 * @param publishedParams published total parameters, 0 when none
 * @param publishedActiveParams published active parameters per token (MoE), 0 when none
 * @param sources field to source
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record LanguageModel(
        @JsonProperty(value = "id", required = true) String id,
        @JsonProperty("share_id") String shareId,
        @JsonProperty("description") String description,
        @JsonProperty(value = "arch", required = true) TransformerArch arch,
        @JsonProperty("prefill_only") boolean prefillOnly,
        @JsonProperty("max_position_embeddings") int maxPositionEmbeddings,
        @JsonProperty("max_input_tokens") int maxInputTokens,
        @JsonProperty("bytes_per_param") int bytesPerParam,
        @JsonProperty("published_params") long publishedParams,
        @JsonProperty("published_active_params") long publishedActiveParams,
        @JsonProperty(value = "sources", required = true) Map<String, String> sources) implements Component {

    public LanguageModel {
        Checks.id("language model", id);
        shareId = Checks.shareId(shareId);
        description = description == null ? "" : description;
        if (arch == null) {
            throw new IllegalArgumentException(id + ": arch is required");
        }
        Checks.nonNegative(id, "max_position_embeddings", maxPositionEmbeddings);
        Checks.nonNegative(id, "max_input_tokens", maxInputTokens);
        Checks.nonNegative(id, "published_params", publishedParams);
        Checks.nonNegative(id, "published_active_params", publishedActiveParams);
        if (publishedActiveParams > 0 && publishedParams > 0 && publishedActiveParams > publishedParams) {
            throw new IllegalArgumentException(id + ": published_active_params " + publishedActiveParams
                    + " exceeds published_params " + publishedParams);
        }
        bytesPerParam = Checks.bytesPerParam(id, bytesPerParam);
        sources = Checks.sources(sources);
    }

    @Override
    public UnitTaskKind kind() {
        return UnitTaskKind.LLM;
    }

    @Override
    public long computedParams() {
        return arch.totalParams();
    }

    @Override
    public long activeParams() {
        return publishedActiveParams > 0 ? publishedActiveParams : arch.activeParams();
    }

    @Override
    public Optional<TransformerArch> transformer() {
        return Optional.of(arch);
    }

    /** KV-cache bytes one token occupies (all layers), at this component's bytes per param. */
    public long kvBytesPerToken() {
        return arch.kvElementsPerToken() * bytesPerParam;
    }
}
