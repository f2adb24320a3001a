package org.cornserve.runtime.serve;

import java.util.List;
import java.util.Set;
import org.cornserve.model.Modality;

/**
 * One request to a model, with its real inputs.
 *
 * @param model the model id (one of {@link ModelInvoker#models()})
 * @param prompt the user's text
 * @param images encoded images (PNG, JPEG, ... as sent by the client), in prompt order
 * @param audioClips encoded audio clips (WAV), in prompt order
 * @param maxTokens text tokens to generate at most (the cap the scheduler knows)
 * @param temperature sampling temperature, 0 for greedy
 * @param seed sampling (and noise) seed
 * @param outputs the modalities to produce (TEXT; AUDIO for speech; IMAGE for a generator)
 */
public record ModelRequest(String model, String prompt, List<byte[]> images, List<byte[]> audioClips, int maxTokens,
        double temperature, long seed, Set<Modality> outputs) {

    public ModelRequest {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("a model request needs a model id");
        }
        if (prompt == null) {
            throw new IllegalArgumentException("a model request needs a prompt (it may be empty)");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
        }
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        images = List.copyOf(images);
        audioClips = List.copyOf(audioClips);
        outputs = outputs.isEmpty() ? Set.of(Modality.TEXT) : Set.copyOf(outputs);
    }
}
