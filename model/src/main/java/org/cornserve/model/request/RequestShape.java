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
        outputModalities = canonicalOutputs(outputModalities);
    }

    /** The immutable set for every combination of modalities, indexed by a bit mask of ordinals. */
    private static final List<Set<Modality>> OUTPUT_SETS = outputSets();

    private static List<Set<Modality>> outputSets() {
        Modality[] all = Modality.values();
        List<Set<Modality>> sets = new java.util.ArrayList<>();
        for (int mask = 0; mask < 1 << all.length; mask++) {
            EnumSet<Modality> s = EnumSet.noneOf(Modality.class);
            for (Modality m : all) {
                if ((mask & 1 << m.ordinal()) != 0) {
                    s.add(m);
                }
            }
            sets.add(mask == 0 ? Set.of(Modality.TEXT) : Set.copyOf(s));
        }
        return List.copyOf(sets);
    }

    /** Shares one immutable set per combination: traces build millions of shapes, mostly text-only. */
    private static Set<Modality> canonicalOutputs(Set<Modality> outputs) {
        if (outputs == null) {
            return OUTPUT_SETS.get(0);
        }
        int mask = 0;
        for (Modality m : outputs) {
            mask |= 1 << m.ordinal();
        }
        return OUTPUT_SETS.get(mask);
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
