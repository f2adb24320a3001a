package org.cornserve.model.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.Optional;
import org.cornserve.model.arch.TransformerArch;

/**
 * A vision transformer that turns images (and video frames) into embeddings for the LLM.
 *
 * @param id component id ({@code vision-encoder})
 * @param shareId id shared across models ({@code gemma-3-siglip}), or empty
 * @param description what it is
 * @param arch the ViT stack
 * @param patchSize pixels per patch side
 * @param spatialMergeSize patches merged per side into one output token (1 when none; Gemma's 4x4 average
 *        pool and InternVL's pixel shuffle are expressed through the token rule instead)
 * @param temporalPatchSize video frames per temporal patch (1 when frames are encoded one by one)
 * @param outHiddenSize width of the embeddings handed to the LLM
 * @param extraParams parameters outside the stack (patch embedding, merger / projector), estimated
 * @param tokenRule how an image becomes tokens
 * @param bytesPerParam bytes per weight
 * @param publishedParams published parameter count, 0 when none
 * @param sources field to source
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record VisionEncoder(
        @JsonProperty(value = "id", required = true) String id,
        @JsonProperty("share_id") String shareId,
        @JsonProperty("description") String description,
        @JsonProperty(value = "arch", required = true) TransformerArch arch,
        @JsonProperty(value = "patch_size", required = true) int patchSize,
        @JsonProperty(value = "spatial_merge_size", required = true) int spatialMergeSize,
        @JsonProperty(value = "temporal_patch_size", required = true) int temporalPatchSize,
        @JsonProperty(value = "out_hidden_size", required = true) int outHiddenSize,
        @JsonProperty("extra_params") long extraParams,
        @JsonProperty(value = "token_rule", required = true) ImageTokenRule tokenRule,
        @JsonProperty("bytes_per_param") int bytesPerParam,
        @JsonProperty("published_params") long publishedParams,
        @JsonProperty(value = "sources", required = true) Map<String, String> sources) implements Component {

    public VisionEncoder {
        Checks.id("vision encoder", id);
        shareId = Checks.shareId(shareId);
        description = description == null ? "" : description;
        if (arch == null || tokenRule == null) {
            throw new IllegalArgumentException(id + ": arch and token_rule are required");
        }
        Checks.positive(id, "patch_size", patchSize);
        Checks.positive(id, "spatial_merge_size", spatialMergeSize);
        Checks.positive(id, "temporal_patch_size", temporalPatchSize);
        Checks.positive(id, "out_hidden_size", outHiddenSize);
        Checks.nonNegative(id, "extra_params", extraParams);
        Checks.nonNegative(id, "published_params", publishedParams);
        bytesPerParam = Checks.bytesPerParam(id, bytesPerParam);
        sources = Checks.sources(sources);
    }

    @Override
    public UnitTaskKind kind() {
        return UnitTaskKind.ENCODER;
    }

    @Override
    public long computedParams() {
        return arch.totalParams() + extraParams;
    }

    @Override
    public Optional<TransformerArch> transformer() {
        return Optional.of(arch);
    }

    /** Pixels per output-token side for smart-resize (patch x merge, 28 for Qwen). */
    public int resizeFactorPx() {
        return patchSize * spatialMergeSize;
    }

    /** Vision tokens of one image of unknown size (the rule's default resolution). */
    public int defaultImageTokens() {
        return ImageTokens.imageTokens(this, tokenRule.defaultWidthPx(), tokenRule.defaultHeightPx());
    }

    /** Vision tokens of one image of the given size, by this encoder's processor rule. */
    public int imageTokens(int widthPx, int heightPx) {
        return ImageTokens.imageTokens(this, widthPx, heightPx);
    }

    /**
     * Patches (ViT sequence positions) the encoder computes for an image that yields {@code tokens} output
     * tokens: tokens x merge^2 (smart-resize), or tokens scaled back by the pooling ratio otherwise.
     */
    public long patchesForTokens(long tokens) {
        return switch (tokenRule.method()) {
            case SMART_RESIZE -> tokens * spatialMergeSize * spatialMergeSize;
            case DYNAMIC_TILES -> {
                long perTile = (long) (tokenRule.tileSizePx() / patchSize) * (tokenRule.tileSizePx() / patchSize);
                yield tokens * perTile / tokenRule.tokensPerTile();
            }
            case FIXED -> {
                long perImage = (long) (tokenRule.tileSizePx() / patchSize) * (tokenRule.tileSizePx() / patchSize);
                yield tokens * perImage / tokenRule.fixedTokens();
            }
        };
    }
}
