package org.cornserve.runtime.launch;

import java.util.concurrent.CompletableFuture;

/** A started executor, as its launcher sees it: alive or not, and a way to end it. */
public interface LaunchedExecutor {

    /** The executor's id. */
    String id();

    /** Completes when the executor has exited, with a short description (exit code or reason). */
    CompletableFuture<String> exited();

    /** Asks it to stop, waits up to {@code graceMillis}, then kills it. Returns once it has exited. */
    void stop(long graceMillis);

    /** Kills it at once (a crash, as far as the control plane can tell). */
    void kill();
}
