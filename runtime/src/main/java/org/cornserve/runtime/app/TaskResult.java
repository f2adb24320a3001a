package org.cornserve.runtime.app;

/**
 * Everything one call produced.
 *
 * @param text the generated text ("" when none)
 * @param audio WAV bytes or null
 * @param image PNG bytes or null
 * @param promptTokens prompt tokens (media placeholders included)
 * @param completionTokens text tokens generated
 */
public record TaskResult(String text, byte[] audio, byte[] image, int promptTokens, int completionTokens) {
}
