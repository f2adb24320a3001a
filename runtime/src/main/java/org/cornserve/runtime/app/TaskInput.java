package org.cornserve.runtime.app;

import java.util.ArrayList;
import java.util.List;

/**
 * One call's inputs.
 *
 * @param prompt the text
 * @param images encoded images (PNG, JPEG), in order
 * @param audio encoded audio clips (WAV), in order
 * @param maxTokens text tokens to generate at most
 * @param temperature 0 for greedy
 * @param seed sampling (and noise) seed
 */
public record TaskInput(String prompt, List<byte[]> images, List<byte[]> audio, int maxTokens, double temperature,
        long seed) {

    /** Text tokens a call generates at most unless told otherwise. */
    public static final int DEFAULT_MAX_TOKENS = 64;

    public TaskInput {
        if (prompt == null) {
            throw new IllegalArgumentException("a task input needs a prompt (it may be empty)");
        }
        images = List.copyOf(images);
        audio = List.copyOf(audio);
    }

    /** A text-only input with the default cap, greedy decoding and seed 0. */
    public static TaskInput text(String prompt) {
        return new TaskInput(prompt, List.of(), List.of(), DEFAULT_MAX_TOKENS, 0, 0);
    }

    /** This input plus an image (none when {@code image} is null). */
    public TaskInput withImage(DataUrl image) {
        if (image == null) {
            return this;
        }
        List<byte[]> more = new ArrayList<>(images);
        more.add(image.bytes());
        return new TaskInput(prompt, more, audio, maxTokens, temperature, seed);
    }

    /** This input plus an audio clip (none when {@code clip} is null). */
    public TaskInput withAudio(byte[] clip) {
        if (clip == null) {
            return this;
        }
        List<byte[]> more = new ArrayList<>(audio);
        more.add(clip);
        return new TaskInput(prompt, images, more, maxTokens, temperature, seed);
    }

    /** This input with sampling settings; a null value keeps the current one. */
    public TaskInput withSampling(Integer maxTokens, Double temperature, Long seed) {
        return new TaskInput(prompt, images, audio, maxTokens == null ? this.maxTokens : maxTokens,
                temperature == null ? this.temperature : temperature, seed == null ? this.seed : seed);
    }
}
