package org.cornserve.runtime.app;

import java.util.Map;

/**
 * What a serve function calls tasks through. Each call starts at once and returns a live {@link TaskStream};
 * several calls run concurrently. When the client leaves, every call of the request is cancelled.
 */
public interface AppContext {

    /**
     * Starts a call of the task the app's config names {@code task}.
     *
     * @throws IllegalArgumentException when the config names no such task
     */
    TaskStream call(String task, TaskInput input);

    /** Merges streams into one, events in the order they arrive, each labelled with its key in {@code streams}. */
    Interleaved interleave(Map<String, TaskStream> streams);

    /** The app's id, as registered. */
    String appId();
}
