package org.cornserve.model.graph;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How much work one node does for one request. Meaning by task kind:
 * <ul>
 *   <li>encoder: {@code items} media items; {@code inputTokens} sequence positions the encoder computes
 *       (ViT patches, audio positions after the first stride-2 convolution); {@code outputTokens} tokens
 *       handed to the LLM;</li>
 *   <li>LLM (whole or prefill): {@code inputTokens} prompt tokens; {@code outputTokens} tokens it generates
 *       (a prefill phase generates the first one; a text encoder none); LLM decode: {@code inputTokens} the
 *       prompt tokens already in the KV cache, {@code outputTokens} the remaining tokens;</li>
 *   <li>talker: {@code inputTokens} thinker positions it reads; {@code outputTokens} codec frames (decode steps);</li>
 *   <li>generator: {@code inputTokens} text-conditioning tokens; {@code outputTokens} image (latent patch) tokens;
 *       {@code steps} denoising steps (guidance passes not included);</li>
 *   <li>vocoder: {@code inputTokens} codec frames; {@code outputTokens} waveform samples; {@code steps} passes;</li>
 *   <li>VAE decoder: {@code inputTokens} latent pixels; {@code outputTokens} output pixels.</li>
 * </ul>
 * Input and output nodes have zero work.
 *
 * @param items items (media items, or 1 for a per-request task)
 * @param inputTokens see above
 * @param outputTokens see above
 * @param steps denoising or flow steps, 1 for single-pass tasks, 0 for input/output nodes
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record TaskWork(
        @JsonProperty("items") int items,
        @JsonProperty("input_tokens") long inputTokens,
        @JsonProperty("output_tokens") long outputTokens,
        @JsonProperty("steps") int steps) {

    public static final TaskWork NONE = new TaskWork(0, 0, 0, 0);

    public TaskWork {
        if (items < 0 || inputTokens < 0 || outputTokens < 0 || steps < 0) {
            throw new IllegalArgumentException("task work must be >= 0: items=" + items + " input_tokens=" + inputTokens
                    + " output_tokens=" + outputTokens + " steps=" + steps);
        }
    }
}
