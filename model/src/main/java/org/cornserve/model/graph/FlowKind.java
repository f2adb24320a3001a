package org.cornserve.model.graph;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What flows along an edge of a request's task graph. */
public enum FlowKind {
    /** Token ids (int32): prompt text in, generated text out. */
    TEXT_TOKENS,
    /** Preprocessed pixels of images or video frames into a vision encoder (patches x 3 x patch^2, bf16). */
    IMAGES,
    /** Log-mel features into an audio encoder (frames x mel bins, bf16). */
    AUDIO_FEATURES,
    /** Encoder output: N tokens x hidden, handed to the LLM. */
    EMBEDDINGS,
    /** KV cache of the prompt, from an LLM prefill task to its decode task. */
    KV_CACHE,
    /** Hidden states: thinker to talker, or text encoder to diffusion transformer. */
    HIDDEN_STATES,
    /** Codec codes (int32), talker to vocoder. */
    AUDIO_CODES,
    /** Denoised latent, diffusion transformer to VAE decoder. */
    IMAGE_LATENTS,
    /** Generated image (8-bit RGB). */
    OUTPUT_IMAGE,
    /** Generated waveform (float32 samples). */
    WAVEFORM;

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @JsonCreator
    public static FlowKind parse(String name) {
        for (FlowKind k : values()) {
            if (k.jsonName().equalsIgnoreCase(name.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown flow kind '" + name + "'; known: "
                + Arrays.stream(values()).map(FlowKind::jsonName).collect(Collectors.joining(", ")));
    }
}
