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
 * @param expectedAudioSeconds the speech the record asks back, in seconds, by the model's composite task (0 when
 *     it asks for none or the model is not known)
 */
public record SynthesizedRequest(String prompt, List<byte[]> pngs, List<byte[]> wavs, int maxTokens,
        Set<Modality> outputs, long inputTokens, double expectedAudioSeconds) {

    /** A request whose expected speech is not known. */
    public SynthesizedRequest(String prompt, List<byte[]> pngs, List<byte[]> wavs, int maxTokens,
            Set<Modality> outputs, long inputTokens) {
        this(prompt, pngs, wavs, maxTokens, outputs, inputTokens, 0);
    }

    public SynthesizedRequest {
        pngs = List.copyOf(pngs);
        wavs = List.copyOf(wavs);
        outputs = Set.copyOf(outputs);
    }
}
