package org.cornserve.runtime.replay;

import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;

/**
 * A trace record turned into real inputs.
 *
 * @param prompt the prompt text
 * @param pngs images as PNG bytes, in prompt order
 * @param wavs audio clips as WAV bytes, in prompt order
 * @param maxTokens the traced output tokens, as the cap
 * @param outputs the modalities the record asks back
 * @param inputTokens the prompt's tokens (text plus media) under the model's rules
 */
public record SynthesizedRequest(String prompt, List<byte[]> pngs, List<byte[]> wavs, int maxTokens,
        Set<Modality> outputs, long inputTokens) {

    public SynthesizedRequest {
        pngs = List.copyOf(pngs);
        wavs = List.copyOf(wavs);
        outputs = Set.copyOf(outputs);
    }
}
