package org.cornserve.model.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.Optional;
import org.cornserve.model.arch.TransformerArch;

/**
 * A diffusion transformer that denoises an image latent over several steps, attending jointly to the
 * text encoder's hidden states (MMDiT). A dual-stream MMDiT keeps separate weights for the image and text
 * streams: {@code arch} describes one stream; every token passes through one stream's weights.
 *
 * @param id component id ({@code diffusion-transformer})
 * @param shareId id shared across models, or empty
 * @param description what it is
 * @param arch one stream's transformer stack
 * @param streams weight streams (2 for a dual-stream MMDiT, 1 otherwise)
 * @param adaptiveNorm true when each block has adaLN modulation (6 x hidden^2 per stream per layer)
 * @param patchSize latent pixels per patch side
 * @param latentChannels channels of the VAE latent
 * @param jointAttentionDim width of the text hidden states it reads
 * @param vaeScale pixels per latent pixel side (the VAE's spatial compression)
 * @param defaultSteps denoising steps when a request does not say
 * @param guidancePasses forward passes per step (2 with classifier-free guidance, 1 without)
 * @param defaultWidthPx output width when a request does not say
 * @param defaultHeightPx output height when a request does not say
 * @param bytesPerParam bytes per weight
 * @param publishedParams published parameter count, 0 when none
 * @param sources field to source
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record DiffusionTransformer(
        @JsonProperty(value = "id", required = true) String id,
        @JsonProperty("share_id") String shareId,
        @JsonProperty("description") String description,
        @JsonProperty(value = "arch", required = true) TransformerArch arch,
        @JsonProperty(value = "streams", required = true) int streams,
        @JsonProperty("adaptive_norm") boolean adaptiveNorm,
        @JsonProperty(value = "patch_size", required = true) int patchSize,
        @JsonProperty(value = "latent_channels", required = true) int latentChannels,
        @JsonProperty(value = "joint_attention_dim", required = true) int jointAttentionDim,
        @JsonProperty(value = "vae_scale", required = true) int vaeScale,
        @JsonProperty(value = "default_steps", required = true) int defaultSteps,
        @JsonProperty(value = "guidance_passes", required = true) int guidancePasses,
        @JsonProperty(value = "default_width_px", required = true) int defaultWidthPx,
        @JsonProperty(value = "default_height_px", required = true) int defaultHeightPx,
        @JsonProperty("bytes_per_param") int bytesPerParam,
        @JsonProperty("published_params") long publishedParams,
        @JsonProperty(value = "sources", required = true) Map<String, String> sources) implements Component {

    public DiffusionTransformer {
        Checks.id("diffusion transformer", id);
        shareId = Checks.shareId(shareId);
        description = description == null ? "" : description;
        if (arch == null) {
            throw new IllegalArgumentException(id + ": arch is required");
        }
        Checks.positive(id, "streams", streams);
        Checks.positive(id, "patch_size", patchSize);
        Checks.positive(id, "latent_channels", latentChannels);
        Checks.positive(id, "joint_attention_dim", jointAttentionDim);
        Checks.positive(id, "vae_scale", vaeScale);
        Checks.positive(id, "default_steps", defaultSteps);
        if (guidancePasses != 1 && guidancePasses != 2) {
            throw new IllegalArgumentException(id + ": guidance_passes must be 1 or 2, got " + guidancePasses);
        }
        Checks.positive(id, "default_width_px", defaultWidthPx);
        Checks.positive(id, "default_height_px", defaultHeightPx);
        Checks.nonNegative(id, "published_params", publishedParams);
        bytesPerParam = Checks.bytesPerParam(id, bytesPerParam);
        sources = Checks.sources(sources);
    }

    @Override
    public UnitTaskKind kind() {
        return UnitTaskKind.GENERATOR;
    }

    /** streams x (stack without embeddings + adaLN), plus the text-input and patch projections. */
    @Override
    public long computedParams() {
        long perStreamLayer = arch.attentionParamsPerLayer() + arch.mlpParamsPerLayer()
                + (adaptiveNorm ? 6L * arch.hiddenSize() * arch.hiddenSize() : 0);
        long projections = (long) jointAttentionDim * arch.hiddenSize()
                + 2L * patchInputChannels() * arch.hiddenSize();
        return streams * perStreamLayer * arch.layers() + projections;
    }

    /** Parameters one token passes through per forward pass (one stream). */
    @Override
    public long activeParams() {
        return computedParams() / streams;
    }

    @Override
    public Optional<TransformerArch> transformer() {
        return Optional.of(arch);
    }

    /** Channels of one patch token's input (latent channels x patch^2; 64 for Qwen-Image). */
    public int patchInputChannels() {
        return latentChannels * patchSize * patchSize;
    }

    /** Pixels per image token side: VAE scale x patch size (16 for Qwen-Image). */
    public int pixelsPerTokenSide() {
        return vaeScale * patchSize;
    }

    /** Image tokens of an output image (width and height rounded down to whole tokens, at least 1 each). */
    public long imageTokens(int widthPx, int heightPx) {
        if (widthPx <= 0 || heightPx <= 0) {
            throw new IllegalArgumentException("output image size must be positive, got " + widthPx + "x" + heightPx);
        }
        int f = pixelsPerTokenSide();
        return (long) Math.max(1, widthPx / f) * Math.max(1, heightPx / f);
    }

    /** Image tokens at the default resolution. */
    public long defaultImageTokens() {
        return imageTokens(defaultWidthPx, defaultHeightPx);
    }

    /** Bytes of the latent of an output image (channels x latent height x latent width, bf16). */
    public long latentBytes(int widthPx, int heightPx) {
        return (long) latentChannels * (widthPx / vaeScale) * (heightPx / vaeScale) * bytesPerParam;
    }
}
