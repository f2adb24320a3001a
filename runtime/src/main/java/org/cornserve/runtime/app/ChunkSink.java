package org.cornserve.runtime.app;

/** Where a streaming app sends its chunks. */
@FunctionalInterface
public interface ChunkSink<C> {

    /** Sends one chunk to the client now; throws {@link ClientGoneException} when the client has left. */
    void send(C chunk);
}
