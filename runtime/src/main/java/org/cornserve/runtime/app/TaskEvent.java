package org.cornserve.runtime.app;

/** Something a task call produced, in order; {@link Done} comes last. */
public sealed interface TaskEvent {

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
