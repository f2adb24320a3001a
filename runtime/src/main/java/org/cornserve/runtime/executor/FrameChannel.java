package org.cornserve.runtime.executor;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;

/**
 * Length-prefixed frames over a socket between the control plane and an executor: a 4-byte big-endian length, then
 * the message: the per-step frames in {@link StepFrames}' binary form, everything else as UTF-8 JSON (Jackson,
 * polymorphic by its {@code type} field). Writes are serialised; one reader thread reads.
 */
public final class FrameChannel implements AutoCloseable {
    /** Frames larger than this are refused (tensors go through the sidecar, not here). */
    public static final int MAX_FRAME_BYTES = 64 << 20;
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
            true);

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    /** A binary frame's body, built under the write lock before its length is known. */
    private final ByteArrayOutputStream scratch = new ByteArrayOutputStream(256);
    private final DataOutputStream scratchOut = new DataOutputStream(scratch);

    public FrameChannel(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
    }

    /** Sends one message. */
    public void send(Object message) throws IOException {
        if (StepFrames.binary(message)) {
            synchronized (out) {
                scratch.reset();
                StepFrames.write(message, scratchOut);
                out.writeInt(scratch.size());
                scratch.writeTo(out);
                out.flush();
            }
            return;
        }
        byte[] body = JSON.writeValueAsBytes(message);
        synchronized (out) {
            out.writeInt(body.length);
            out.write(body);
            out.flush();
        }
    }

    /** Reads the next message as {@code type}; null at a clean end of stream. */
    public <T> T read(Class<T> type) throws IOException {
        int n;
        try {
            n = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (n < 0 || n > MAX_FRAME_BYTES) {
            throw new IOException("frame of " + n + " bytes is outside 0.." + MAX_FRAME_BYTES);
        }
        byte[] body = new byte[n];
        in.readFully(body);
        if (!StepFrames.isBinary(body)) {
            return JSON.readValue(body, type);
        }
        Object message = StepFrames.read(body);
        if (!type.isInstance(message)) {
            throw new IOException("a " + message.getClass().getSimpleName() + " frame where a " + type.getSimpleName()
                    + " was expected");
        }
        return type.cast(message);
    }

    /** Whether a frame's first bytes have arrived (a read would not wait for the peer to send). */
    public boolean inputWaiting() throws IOException {
        return in.available() > 0;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
