package org.cornserve.model.task;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Map;
import java.util.Optional;
import org.cornserve.model.arch.TransformerArch;

/**
 * One component of a model (an encoder, an LLM, a talker, a generator, a vocoder, a VAE decoder): its
 * architecture, parameter count and where the numbers came from. In JSON the {@code kind} field picks
 * the record type. A component becomes a deployable {@link UnitTask} (an LLM may become two: its prefill
 * and decode phases).
 *
 * <p>Parameter counts: {@link #params()} is the published total when the catalog records one and the
 * count computed from the architecture otherwise; tests hold the two within a few percent.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = VisionEncoder.class, name = "vision-encoder"),
    @JsonSubTypes.Type(value = AudioEncoder.class, name = "audio-encoder"),
    @JsonSubTypes.Type(value = LanguageModel.class, name = "llm"),
    @JsonSubTypes.Type(value = Talker.class, name = "talker"),
    @JsonSubTypes.Type(value = DiffusionTransformer.class, name = "diffusion-transformer"),
    @JsonSubTypes.Type(value = Vocoder.class, name = "vocoder"),
    @JsonSubTypes.Type(value = VaeDecoder.class, name = "vae-decoder"),
})
public sealed interface Component
        permits VisionEncoder, AudioEncoder, LanguageModel, Talker, DiffusionTransformer, Vocoder, VaeDecoder {

    /** Component id inside its model, e.g. {@code vision-encoder}, {@code llm}, {@code talker}. */
    String id();

    /**
     * Id shared by the same component in several models (Gemma 3's {@code gemma-3-siglip}), or empty.
     * Unit tasks of components with the same share id are one deployment.
     */
    String shareId();

    /** Bytes per weight (2 for bf16). */
    int bytesPerParam();

    /** Published parameter count, or 0 when none was found. */
    long publishedParams();

    /** JSON field (or nested object) name to the source of its value. */
    Map<String, String> sources();

    /** Role of this component in a request graph. */
    UnitTaskKind kind();

    /** Parameters counted from the architecture (an estimate for convolution stacks). */
    long computedParams();

    /** The main transformer stack, if the component has one. */
    Optional<TransformerArch> transformer();

    /** Parameters held in memory: the published count when known, else {@link #computedParams()}. */
    default long params() {
        return publishedParams() > 0 ? publishedParams() : computedParams();
    }

    /**
     * Parameters whose weights one token multiplies (2 x this = forward FLOPs per token, attention aside):
     * routed experts only for MoE, the output head but not the input-embedding lookup for a decoder, one
     * stream of a dual-stream DiT. The published active count where the catalog has one (Qwen3-Omni's
     * 3.3B, which counts the embedding too).
     */
    default long activeParams() {
        return params();
    }

    /** Weight memory in bytes: params x bytes per param. */
    default long weightBytes() {
        return params() * bytesPerParam();
    }
}
