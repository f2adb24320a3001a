package org.cornserve.runtime.app;

/**
 * An app that answers each request with a stream of chunks, sent as they are ready (NDJSON lines, or server-sent
 * events when the client asks for {@code text/event-stream}).
 */
public non-sealed interface StreamingApp<Req, Chunk> extends App<Req, Chunk> {

    /**
     * Serves one request, sending chunks to {@code out} as they come. Returns when the stream is complete.
     * {@link ChunkSink#send} throws {@link ClientGoneException} when the client left; the app's tasks are then
     * cancelled, and the exception should be let through.
     */
    void serve(Req request, AppContext context, ChunkSink<Chunk> out) throws Exception;
}
