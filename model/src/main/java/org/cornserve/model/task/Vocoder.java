package org.cornserve.model.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.Optional;
import org.cornserve.model.arch.TransformerArch;

/**
 * Codec codes to waveform ("code2wav" / "token2wav"): optionally a transformer over the codes (Qwen2.5-Omni's
 * flow-matching DiT runs it {@code diffusionSteps} times, Qwen3-Omni's runs once), then a convolutional
 * upsampler to 24 kHz audio.
 *
 * @param id component id ({@code vocoder})
 * @param shareId id shared across models, or empty
 * @param description what it is
 * @param arch transformer over codes or mel frames, or null when there is none
 * @param diffusionSteps passes of {@code arch} per chunk (flow-matching ODE steps); 1 for a single pass
 * @param guidancePasses forward passes per step (2 with classifier-free guidance)
 * @param framesPerCode upsampler input frames per codec frame (Qwen2.5-Omni DiT repeats 2 mel frames per code)
 * @param upsampler the convolutional upsampler
 * @param sampleRateHz output sample rate
 * @param extraParams parameters outside both (codebooks, speaker encoder), estimated
 * @param bytesPerParam bytes per weight
 * @param publishedParams published parameter count, 0 when none
 * @param sources field to source
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record Vocoder(
        @JsonProperty(value = "id", required = true) String id,
        @JsonProperty("share_id") String shareId,
        @JsonProperty("description") String description,
        @JsonProperty("arch") TransformerArch arch,
        @JsonProperty(value = "diffusion_steps", required = true) int diffusionSteps,
        @JsonProperty(value = "guidance_passes", required = true) int guidancePasses,
        @JsonProperty(value = "frames_per_code", required = true) int framesPerCode,
        @JsonProperty(value = "upsampler", required = true) ConvUpsampler upsampler,
        @JsonProperty(value = "sample_rate_hz", required = true) int sampleRateHz,
        @JsonProperty("extra_params") long extraParams,
        @JsonProperty("bytes_per_param") int bytesPerParam,
        @JsonProperty("published_params") long publishedParams,
        @JsonProperty(value = "sources", required = true) Map<String, String> sources) implements Component {

    public Vocoder {
        Checks.id("vocoder", id);
        shareId = Checks.shareId(shareId);
        description = description == null ? "" : description;
        if (upsampler == null) {
            throw new IllegalArgumentException(id + ": upsampler is required");
        }
        Checks.positive(id, "diffusion_steps", diffusionSteps);
        if (guidancePasses != 1 && guidancePasses != 2) {
            throw new IllegalArgumentException(id + ": guidance_passes must be 1 or 2, got " + guidancePasses);
        }
        Checks.positive(id, "frames_per_code", framesPerCode);
        Checks.positive(id, "sample_rate_hz", sampleRateHz);
        Checks.nonNegative(id, "extra_params", extraParams);
        Checks.nonNegative(id, "published_params", publishedParams);
        bytesPerParam = Checks.bytesPerParam(id, bytesPerParam);
        sources = Checks.sources(sources);
    }

    @Override
    public UnitTaskKind kind() {
        return UnitTaskKind.VOCODER;
    }

    @Override
    public long computedParams() {
        return (arch == null ? 0 : arch.totalParams()) + upsampler.params() + extraParams;
    }

    @Override
    public Optional<TransformerArch> transformer() {
        return Optional.ofNullable(arch);
    }

    /** Waveform samples per codec frame (480 for Qwen2.5-Omni, 1920 for Qwen3-Omni, 960 for tiny-omni). */
    public int samplesPerCode() {
        return framesPerCode * upsampler.samplesPerFrame();
    }

    /** Codec frames per second of audio. */
    public double codesPerSecond() {
        return (double) sampleRateHz / samplesPerCode();
    }

    /** Convolution FLOPs to turn one code into samples (the transformer part is costed from {@code arch}). */
    public double upsamplerFlopsPerCode() {
        return framesPerCode * upsampler.flopsPerFrame();
    }
}
