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
 * polymorphic by its {@code type} field). Writes are serialised; one reader thread reads. A sender with several
 * frames for the same peer in hand can {@link #queue} them and {@link #flush} once: one write to the socket and one
 * wake-up of the peer's reader for all of them.
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
    /** Frames and bytes (length prefixes included) written and flushed; under the write lock. */
    private long framesSent;
    private long bytesSent;
    private long flushes;
    /** Bytes queued and not flushed. */
    private long pendingBytes;
    /** Frames and bytes read; by the one reader thread. */
    private volatile long framesRead;
    private volatile long bytesRead;

    public FrameChannel(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
    }

    /** Sends one message: written and flushed to the socket at once. */
    public void send(Object message) throws IOException {
        write(message, true);
    }

    /**
     * Writes one message into the channel's buffer without flushing it to the socket: {@link #flush} sends it, with
     * whatever else was written meanwhile, in one write (one wake-up of the peer rather than one a message). A buffer
     * that fills up is flushed on its own, whole frames in order.
     */
    public void queue(Object message) throws IOException {
        write(message, false);
    }

    /** Sends what {@link #queue} left in the buffer; nothing when it is empty. */
    public void flush() throws IOException {
        synchronized (out) {
            if (pendingBytes > 0) {
                out.flush();
                flushes++;
                pendingBytes = 0;
            }
        }
    }

    private void write(Object message, boolean flush) throws IOException {
        byte[] body = StepFrames.binary(message) ? null : JSON.writeValueAsBytes(message);
        synchronized (out) {
            int n;
            if (body == null) {
                scratch.reset();
                StepFrames.write(message, scratchOut);
                n = scratch.size();
                out.writeInt(n);
                scratch.writeTo(out);
            } else {
                n = body.length;
                out.writeInt(n);
                out.write(body);
            }
            framesSent++;
            bytesSent += 4 + n;
            if (flush) {
                out.flush();
                flushes++;
                pendingBytes = 0;
            } else {
                pendingBytes += 4 + n;
            }
        }
    }

    /**
     * Frames sent, their bytes (with length prefixes), flushes (writes to the socket, one a flush for frames that
     * fit the buffer), frames read and their bytes, so far.
     */
    public long[] counts() {
        synchronized (out) {
            return new long[] {framesSent, bytesSent, flushes, framesRead, bytesRead};
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
        framesRead++;
        bytesRead += 4 + n;
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
