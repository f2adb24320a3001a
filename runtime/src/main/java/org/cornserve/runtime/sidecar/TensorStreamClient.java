package org.cornserve.runtime.sidecar;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The sending end of the sidecar between hosts: streams tensors to a {@link TensorStreamServer} on another host
 * and returns the reference its consumers read there. One connection, one tensor at a time (thread-safe).
 */
public final class TensorStreamClient implements AutoCloseable {
    private final SocketChannel ch;
    private final ByteBuffer head = ByteBuffer.allocate(12);

    public TensorStreamClient(InetSocketAddress server) throws IOException {
        ch = SocketChannel.open(server);
        ch.socket().setTcpNoDelay(true);
    }

    /** Sends the remaining bytes of {@code payload} for {@code consumers} readers on the remote host. */
    public synchronized TensorRef send(ByteBuffer payload, int consumers) throws IOException {
        head.clear();
        head.putInt(consumers).putLong(payload.remaining()).flip();
        ByteBuffer body = payload.duplicate();
        ByteBuffer[] frame = {head, body};
        while (head.hasRemaining() || body.hasRemaining()) {
            ch.write(frame);
        }
        ByteBuffer len = ByteBuffer.allocate(4);
        TensorStreamServer.readFully(ch, len, false);
        int n = len.getInt(0);
        if (n < 0) {
            throw new IOException("tensor stream: the remote sidecar could not place a " + payload.remaining()
                    + "-byte tensor");
        }
        ByteBuffer rest = ByteBuffer.allocate(n + 8);
        TensorStreamServer.readFully(ch, rest, false);
        rest.flip();
        byte[] name = new byte[n];
        rest.get(name);
        return new TensorRef(new String(name, StandardCharsets.UTF_8), rest.getLong(), payload.remaining());
    }

    /**
     * Fetches a tensor held by the remote host's sidecar into {@code local} for {@code consumers} readers here; the
     * remote host releases the reference this fetch stood for.
     *
     * @throws IOException when the stream fails or the remote tensor is gone
     */
    public synchronized TensorRef fetch(TensorRef remote, SharedMemorySidecar local, int consumers)
            throws IOException {
        byte[] name = remote.segment().getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(12 + 4 + name.length + 8);
        frame.putInt(TensorStreamServer.FETCH).putLong(remote.bytes()).putInt(name.length).put(name)
                .putLong(remote.generation()).flip();
        while (frame.hasRemaining()) {
            ch.write(frame);
        }
        ByteBuffer status = ByteBuffer.allocate(4);
        TensorStreamServer.readFully(ch, status, false);
        if (status.getInt(0) != 0) {
            throw new IOException("tensor stream: the remote sidecar no longer holds " + remote.segment()
                    + " (reclaimed or released)");
        }
        try {
            return local.put(remote.bytes(), consumers, payload -> TensorStreamServer.readFully(ch, payload, false));
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Sends {@code floats} (native order, as the shared-memory path stores them). */
    public TensorRef sendFloats(float[] floats, int consumers) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(floats.length * Float.BYTES).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(floats);
        return send(b, consumers);
    }

    /** Forwards a tensor held in the local sidecar without copying it to the heap. */
    public TensorRef forward(SharedMemorySidecar local, TensorRef ref, int consumers) throws IOException {
        TensorRef[] out = new TensorRef[1];
        local.read(ref, payload -> out[0] = send(payload, consumers));
        return out[0];
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
