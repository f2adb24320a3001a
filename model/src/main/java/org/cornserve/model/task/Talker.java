package org.cornserve.model.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.Optional;
import org.cornserve.model.arch.TransformerArch;

/**
 * The speech generator of an omni model: an autoregressive stack fed with the thinker's hidden states that
 * emits codec codes, one frame per step (plus, for multi-codebook codecs, a small code predictor that
 * fills the remaining code groups of each frame).
 *
 * @param id component id ({@code talker})
 * @param shareId id shared across models, or empty
 * @param description what it is
 * @param arch the talker stack
 * @param codePredictor the per-frame residual code predictor, or null when the codec has one group
 * @param codeGroups codes per frame (codebooks)
 * @param codeFramesPerSecond codec frames per second of speech
 * @param thinkerHiddenSize width of the thinker hidden states it reads
 * @param textTokensPerSecondOfSpeech speaking rate used to turn a text answer's tokens into seconds of
 *        speech (an assumption, recorded with its source)
 * @param extraParams parameters outside the stacks (input projection), estimated
 * @param bytesPerParam bytes per weight
 * @param publishedParams published parameter count, 0 when none
 * @param sources field to source
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record Talker(
        @JsonProperty(value = "id", required = true) String id,
        @JsonProperty("share_id") String shareId,
        @JsonProperty("description") String description,
        @JsonProperty(value = "arch", required = true) TransformerArch arch,
        @JsonProperty("code_predictor") TransformerArch codePredictor,
        @JsonProperty(value = "code_groups", required = true) int codeGroups,
        @JsonProperty(value = "code_frames_per_second", required = true) double codeFramesPerSecond,
        @JsonProperty(value = "thinker_hidden_size", required = true) int thinkerHiddenSize,
        @JsonProperty(value = "text_tokens_per_second_of_speech", required = true) double textTokensPerSecondOfSpeech,
        @JsonProperty("extra_params") long extraParams,
        @JsonProperty("bytes_per_param") int bytesPerParam,
        @JsonProperty("published_params") long publishedParams,
        @JsonProperty(value = "sources", required = true) Map<String, String> sources) implements Component {

    public Talker {
        Checks.id("talker", id);
        shareId = Checks.shareId(shareId);
        description = description == null ? "" : description;
        if (arch == null) {
            throw new IllegalArgumentException(id + ": arch is required");
        }
        Checks.positive(id, "code_groups", codeGroups);
        Checks.positive(id, "code_frames_per_second", codeFramesPerSecond);
        Checks.positive(id, "thinker_hidden_size", thinkerHiddenSize);
        Checks.positive(id, "text_tokens_per_second_of_speech", textTokensPerSecondOfSpeech);
        Checks.nonNegative(id, "extra_params", extraParams);
        Checks.nonNegative(id, "published_params", publishedParams);
        bytesPerParam = Checks.bytesPerParam(id, bytesPerParam);
        sources = Checks.sources(sources);
    }

    @Override
    public UnitTaskKind kind() {
        return UnitTaskKind.TALKER;
    }

    @Override
    public long computedParams() {
        return arch.totalParams() + (codePredictor == null ? 0 : codePredictor.totalParams()) + extraParams;
    }

    @Override
    public long activeParams() {
        return arch.activeParams() + (codePredictor == null ? 0 : codePredictor.activeParams());
    }

    @Override
    public Optional<TransformerArch> transformer() {
        return Optional.of(arch);
    }

    /** Seconds of speech for a text answer of {@code textTokens} tokens. */
    public double speechSeconds(long textTokens) {
        return textTokens / textTokensPerSecondOfSpeech;
    }

    /** Codec frames (talker decode steps) for a text answer of {@code textTokens} tokens (at least 1). */
    public long codeFrames(long textTokens) {
        return textTokens <= 0 ? 0 : Math.max(1, Math.round(speechSeconds(textTokens) * codeFramesPerSecond));
    }

    /** KV-cache bytes one position occupies in the talker stack. */
    public long kvBytesPerToken() {
        return arch.kvElementsPerToken() * bytesPerParam;
    }
}
