package org.cornserve.model.request;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;

/**
 * How much work a request brings, independent of any model: prompt text tokens, its media items, and
 * what it asks back (output text tokens and output modalities). Composite tasks build a request's task
 * graph from its shape; traces store one shape per record.
 *
 * @param textTokens prompt text tokens (not counting media tokens)
 * @param media images, audio clips and videos in prompt order
 * @param outputTokens text tokens to generate
 * @param outputModalities what the response carries; text when empty in JSON
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record RequestShape(
        @JsonProperty(value = "text_tokens", required = true) int textTokens,
        @JsonProperty("media") List<MediaItem> media,
        @JsonProperty(value = "output_tokens", required = true) int outputTokens,
        @JsonProperty("output_modalities") Set<Modality> outputModalities) {

    public RequestShape {
        if (textTokens < 0) {
            throw new IllegalArgumentException("text_tokens must be >= 0, got " + textTokens);
        }
        if (outputTokens < 0) {
            throw new IllegalArgumentException("output_tokens must be >= 0, got " + outputTokens);
        }
        media = media == null ? List.of() : List.copyOf(media);
        outputModalities = outputModalities == null || outputModalities.isEmpty()
                ? Set.of(Modality.TEXT)
                : Set.copyOf(EnumSet.copyOf(outputModalities));
    }

    /** A text-only request that answers in text. */
    public static RequestShape text(int textTokens, int outputTokens) {
        return new RequestShape(textTokens, List.of(), outputTokens, Set.of(Modality.TEXT));
    }

    /** Number of media items of the given modality. */
    public int count(Modality modality) {
        int n = 0;
        for (MediaItem item : media) {
            if (item.modality() == modality) {
                n++;
            }
        }
        return n;
    }

    public boolean has(Modality modality) {
        return modality == Modality.TEXT ? textTokens > 0 : count(modality) > 0;
    }

    public boolean wants(Modality modality) {
        return outputModalities.contains(modality);
    }
}
