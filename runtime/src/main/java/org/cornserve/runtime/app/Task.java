package org.cornserve.runtime.app;

import java.util.Set;
import org.cornserve.model.Modality;

/**
 * A task an app calls: a model (a composite task of unit tasks: encoders, LLM, generators) and the outputs it
 * produces. Two apps naming the same model share its deployments.
 *
 * @param model the model id (one the server serves, see {@code GET /v1/models})
 * @param outputs what each call produces: text by default; audio for speech; image for a generator
 */
public record Task(String model, Set<Modality> outputs) {
    public Task {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("a task needs a model id");
        }
        outputs = outputs == null || outputs.isEmpty() ? Set.of(Modality.TEXT) : Set.copyOf(outputs);
    }

    /** A task on {@code model} producing {@code outputs} (text when none are given). */
    public static Task of(String model, Modality... outputs) {
        return new Task(model, Set.of(outputs));
    }
}
