package org.cornserve.runtime.serve;

/**
 * Where a request's outputs go as they are produced. Called from the back end's threads, never concurrently for
 * one request; {@link #completed} or {@link #failed} comes last, once.
 */
public interface OutputSink {

    /**
     * The answer's first token was generated (called once, before its text): a byte-level model's token may be part
     * of a character, or a special token, and give no text until a later one, but the token is there. Streaming
     * routes send their first chunk here, as vLLM sends its role chunk with the engine's first output, so a client's
     * time to first token is the engine's and not the first printable character's.
     */
    default void firstToken() {
    }

    /** More generated text (a streaming delta). */
    void text(String delta);

    /** A finished audio output, as a WAV file's bytes. */
    void audio(byte[] wav);

    /** A finished image output, as a PNG file's bytes. */
    void image(byte[] png);

    /** Every output was delivered. */
    void completed(Usage usage);

    /** The request failed; nothing more comes. */
    void failed(Failure failure);

    /**
     * Token counts, as the OpenAI {@code usage} object reports them.
     *
     * @param promptTokens tokens of the prompt (media placeholders included)
     * @param completionTokens text tokens generated
     */
    record Usage(int promptTokens, int completionTokens) {
    }

    /**
     * Why a request failed.
     *
     * @param httpStatus the status a gateway answers with (400 bad input, 429 or 503 overload, 500, 503 lost
     *     executor, 504 timeout)
     * @param stage the unit task or part that failed (e.g. {@code tiny-omni/vision-encoder}, {@code admission})
     * @param message what went wrong, for the client
     */
    record Failure(int httpStatus, String stage, String message) {
    }
}
