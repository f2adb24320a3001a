package org.cornserve.model.task;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.cornserve.model.arch.TransformerArch;

/**
 * A Whisper-style audio encoder: log-mel frames in, embeddings out.
 *
 * @param id component id ({@code audio-encoder})
 * @param shareId id shared across models, or empty
 * @param description what it is
 * @param arch the transformer stack
 * @param melBins mel bins per frame
 * @param melFramesPerSecond mel frames per second of audio (100 at a 10 ms hop)
 * @param tokenRule how mel frames become tokens
 * @param outHiddenSize width of the embeddings handed to the LLM
 * @param extraParams parameters outside the stack (convolution front end, projector), estimated
 * @param bytesPerParam bytes per weight
 * @param publishedParams published parameter count, 0 when none
 * @param sources field to source
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record AudioEncoder(
        @JsonProperty(value = "id", required = true) String id,
        @JsonProperty("share_id") String shareId,
        @JsonProperty("description") String description,
        @JsonProperty(value = "arch", required = true) TransformerArch arch,
        @JsonProperty(value = "mel_bins", required = true) int melBins,
        @JsonProperty(value = "mel_frames_per_second", required = true) int melFramesPerSecond,
        @JsonProperty(value = "token_rule", required = true) Rule tokenRule,
        @JsonProperty(value = "out_hidden_size", required = true) int outHiddenSize,
        @JsonProperty("extra_params") long extraParams,
        @JsonProperty("bytes_per_param") int bytesPerParam,
        @JsonProperty("published_params") long publishedParams,
        @JsonProperty(value = "sources", required = true) Map<String, String> sources) implements Component {

    /** Mel frames to tokens, after the real feature-extractor output-length functions. */
    public enum Rule {
        /**
         * Qwen2.5-Omni ({@code _get_feat_extract_output_lengths}): conv stride 2 then average-pool 2:
         * {@code L1 = (L - 1) // 2 + 1; tokens = (L1 - 2) // 2 + 1}; 100 frames -> 25 tokens.
         */
        STRIDE2_POOL2,
        /**
         * Qwen3-Omni: each full chunk of 100 frames gives 13 tokens; the remainder r gives
         * {@code ((((r - 1) // 2 + 1) - 1) // 2 + 1 - 1) // 2 + 1} (three stride-2 convolutions).
         */
        CHUNK100_13;

        @JsonValue
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        @JsonCreator
        public static Rule parse(String name) {
            for (Rule r : values()) {
                if (r.jsonName().equalsIgnoreCase(name.trim())) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown audio token rule '" + name + "'; known: "
                    + Arrays.stream(values()).map(Rule::jsonName).collect(Collectors.joining(", ")));
        }
    }

    public AudioEncoder {
        Checks.id("audio encoder", id);
        shareId = Checks.shareId(shareId);
        description = description == null ? "" : description;
        if (arch == null || tokenRule == null) {
            throw new IllegalArgumentException(id + ": arch and token_rule are required");
        }
        Checks.positive(id, "mel_bins", melBins);
        Checks.positive(id, "mel_frames_per_second", melFramesPerSecond);
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

    /** Mel frames of a clip: ceil(seconds x frames per second). */
    public long melFrames(double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("audio seconds must be >= 0 and finite, got " + seconds);
        }
        return (long) Math.ceil(seconds * melFramesPerSecond - 1e-9);
    }

    /** Output tokens for a number of mel frames. */
    public long tokensForFrames(long frames) {
        if (frames <= 0) {
            return 0;
        }
        return switch (tokenRule) {
            case STRIDE2_POOL2 -> {
                long l1 = Math.floorDiv(frames - 1, 2) + 1;
                yield Math.max(0, Math.floorDiv(l1 - 2, 2) + 1);
            }
            case CHUNK100_13 -> {
                long rest = frames % 100;
                long a = Math.floorDiv(rest - 1, 2) + 1;
                long b = Math.floorDiv(a - 1, 2) + 1;
                long c = Math.floorDiv(b - 1, 2) + 1;
                yield c + (frames / 100) * 13;
            }
        };
    }

    /** Output tokens for a clip of the given length. */
    public long tokensForSeconds(double seconds) {
        return tokensForFrames(melFrames(seconds));
    }

    /** Average tokens per second of audio over long clips. */
    public double tokensPerSecond() {
        return tokensForSeconds(100.0) / 100.0;
    }
}
