package org.cornserve.runtime.gateway;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.cornserve.runtime.app.ClientGoneException;

/**
 * Writes a streamed answer straight to the connection, one flushed chunk at a time: NDJSON lines or server-sent
 * events. Headers go out with the first chunk, so an error before it can still be a proper HTTP status. A write to a
 * connection the client closed throws {@link ClientGoneException}.
 */
final class ChunkWriter {

    /** How chunks are framed. */
    enum Format {
        /** One JSON object per line, {@code application/x-ndjson}. */
        NDJSON,
        /** {@code data: <json>} events, {@code text/event-stream}. */
        SSE;

        /** SSE when the client accepts {@code text/event-stream}, else NDJSON. */
        static Format forAccept(String accept) {
            return accept != null && accept.contains("text/event-stream") ? SSE : NDJSON;
        }
    }

    private final Context ctx;
    private final Format format;
    private OutputStream out;

    ChunkWriter(Context ctx, Format format) {
        this.ctx = ctx;
        this.format = format;
    }

    /** True once the status and headers were sent. */
    boolean started() {
        return out != null;
    }

    /** Sends one chunk (a JSON text). */
    void write(String jsonChunk) {
        String framed = format == Format.SSE ? "data: " + jsonChunk + "\n\n" : jsonChunk + "\n";
        writeRaw(framed);
    }

    /** Ends an SSE stream with {@code data: [DONE]} (NDJSON needs no end marker). */
    void done() {
        if (format == Format.SSE) {
            writeRaw("data: [DONE]\n\n");
        } else if (!started()) {
            start();
        }
    }

    private void writeRaw(String s) {
        if (out == null) {
            start();
        }
        try {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new ClientGoneException("the client closed the connection", e);
        }
    }

    private void start() {
        var res = ctx.res();
        res.setStatus(200);
        res.setContentType(format == Format.SSE ? "text/event-stream; charset=utf-8" : "application/x-ndjson");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        try {
            out = res.getOutputStream();
            res.flushBuffer();
        } catch (IOException e) {
            throw new ClientGoneException("the client closed the connection", e);
        }
    }
}
