package org.cornserve.model.task;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a unit task does, which decides how it is batched and costed. */
public enum UnitTaskKind {
    /** Modality encoder (vision, audio): one pass over a batch of items. */
    ENCODER,
    /** Autoregressive language model (whole, prefill phase or decode phase). */
    LLM,
    /** Autoregressive speech-code generator fed by the LLM's hidden states. */
    TALKER,
    /** Diffusion transformer stepping a latent. */
    GENERATOR,
    /** Codes to waveform. */
    VOCODER,
    /** Latent to pixels. */
    VAE_DECODER;

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @JsonCreator
    public static UnitTaskKind parse(String name) {
        for (UnitTaskKind k : values()) {
            if (k.jsonName().equalsIgnoreCase(name.trim()) || k.name().equalsIgnoreCase(name.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown unit task kind '" + name + "'; known: "
                + Arrays.stream(values()).map(UnitTaskKind::jsonName).collect(Collectors.joining(", ")));
    }
}
