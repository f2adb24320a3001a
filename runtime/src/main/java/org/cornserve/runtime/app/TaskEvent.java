package org.cornserve.runtime.app;

/** Something a task call produced, in order; {@link Done} comes last. */
public sealed interface TaskEvent {

    /**
     * The answer's first token was generated; its text, if it has any of its own, follows as {@link Text} (see
     * {@link org.cornserve.runtime.serve.OutputSink#firstToken}). Comes at most once, before any text.
     */
    record FirstToken() implements TaskEvent {
    }

    /** More generated text. */
    record Text(String delta) implements TaskEvent {
    }

    /** A finished audio output (WAV bytes). */
    record Audio(byte[] wav) implements TaskEvent {
    }

    /** A finished image output (PNG bytes). */
    record Image(byte[] png) implements TaskEvent {
    }

    /** The call completed; token counts for usage. */
    record Done(int promptTokens, int completionTokens) implements TaskEvent {
    }
}
