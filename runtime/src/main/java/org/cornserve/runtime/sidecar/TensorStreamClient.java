package org.cornserve.runtime.sidecar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The sending end of the sidecar between hosts: streams tensors to a {@link TensorStreamServer} on another host
 * and returns the reference its consumers read there. One connection, one tensor at a time (thread-safe).
 *
 * <p>Timeouts: the connection must be made within the connect timeout, and during an exchange the peer must take or
 * give a byte at least once per idle timeout (a watchdog closes the stream otherwise), so a hung peer fails the
 * exchange with a {@link SocketTimeoutException} naming it, never blocks the sender forever. The stream is closed
 * after a timeout.
 */
public final class TensorStreamClient implements AutoCloseable {
    /** Connect timeout of the one-argument constructor. */
    public static final long DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
    /** Idle timeout of the one-argument constructor. */
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 30_000;
    private final SocketChannel ch;
    private final String peer;
    private final long idleTimeoutMillis;
    private final IdleWatch watch;
    /** The largest staging buffer {@link #sendFloats} keeps. */
    static final int STAGING_BYTES = 1 << 20;
    private final ByteBuffer head = ByteBuffer.allocate(12);
    private ByteBuffer staging;

    /** Connects with the default timeouts. */
    public TensorStreamClient(InetSocketAddress server) throws IOException {
        this(server, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS);
    }

    /**
     * Connects to {@code server} within {@code connectTimeoutMillis}; an exchange fails when the peer moves no byte
     * for {@code idleTimeoutMillis}.
     *
     * @throws SocketTimeoutException when no connection was made in time
     */
    public TensorStreamClient(InetSocketAddress server, long connectTimeoutMillis, long idleTimeoutMillis)
            throws IOException {
        if (connectTimeoutMillis < 1 || connectTimeoutMillis > Integer.MAX_VALUE || idleTimeoutMillis < 1) {
            throw new IllegalArgumentException("tensor stream timeouts must be >= 1 ms, got connect "
                    + connectTimeoutMillis + ", idle " + idleTimeoutMillis);
        }
        this.peer = server.getHostString() + ":" + server.getPort();
        this.idleTimeoutMillis = idleTimeoutMillis;
        ch = SocketChannel.open();
        try {
            ch.socket().connect(server, (int) connectTimeoutMillis);
            ch.socket().setTcpNoDelay(true);
        } catch (SocketTimeoutException e) {
            ch.close();
            throw new SocketTimeoutException("tensor stream: no connection to the sidecar at " + peer + " within "
                    + connectTimeoutMillis + " ms");
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        watch = new IdleWatch(ch, idleTimeoutMillis);
    }

    /** One exchange with the peer, under the idle timeout. */
    @FunctionalInterface
    private interface Exchange {
        TensorRef run() throws IOException;
    }

    private TensorRef exchange(Exchange body) throws IOException {
        watch.begin();
        try {
            return body.run();
        } catch (IOException e) {
            if (watch.timedOut()) {
                throw new SocketTimeoutException("tensor stream: the sidecar at " + peer + " moved no byte for "
                        + idleTimeoutMillis + " ms (hung?); the stream was closed");
            }
            throw e;
        } finally {
            watch.end();
        }
    }

    /** Sends the remaining bytes of {@code payload} for {@code consumers} readers on the remote host. */
    public synchronized TensorRef send(ByteBuffer payload, int consumers) throws IOException {
        return exchange(() -> {
            head.clear();
            head.putInt(consumers).putLong(payload.remaining()).flip();
            watch.writeFully(head, payload.duplicate());
            return placed(payload.remaining());
        });
    }

    /** The remote sidecar's answer to a placement of {@code bytes} bytes. */
    private TensorRef placed(long bytes) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(4);
        watch.readFully(len, false);
        int n = len.getInt(0);
        if (n < 0) {
            throw new IOException("tensor stream: the remote sidecar could not place a " + bytes + "-byte tensor");
        }
        ByteBuffer rest = ByteBuffer.allocate(n + 8);
        watch.readFully(rest, false);
        rest.flip();
        byte[] name = new byte[n];
        rest.get(name);
        return new TensorRef(new String(name, StandardCharsets.UTF_8), rest.getLong(), bytes);
    }

    /**
     * Fetches a tensor held by the remote host's sidecar into {@code local} for {@code consumers} readers here; the
     * remote host releases the reference this fetch stood for.
     *
     * @throws IOException when the stream fails or the remote tensor is gone
     */
    public synchronized TensorRef fetch(TensorRef remote, SharedMemorySidecar local, int consumers)
            throws IOException {
        return exchange(() -> {
            byte[] name = remote.segment().getBytes(StandardCharsets.UTF_8);
            ByteBuffer frame = ByteBuffer.allocate(12 + 4 + name.length + 8);
            frame.putInt(TensorStreamServer.FETCH).putLong(remote.bytes()).putInt(name.length).put(name)
                    .putLong(remote.generation()).flip();
            watch.writeFully(frame);
            ByteBuffer status = ByteBuffer.allocate(4);
            watch.readFully(status, false);
            if (status.getInt(0) != 0) {
                throw new IOException("tensor stream: the remote sidecar no longer holds " + remote.segment()
                        + " (reclaimed or released)");
            }
            try {
                return local.put(remote.bytes(), consumers, payload -> watch.readFully(payload, false));
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        });
    }

    /**
     * Sends {@code floats} (native order, as the shared-memory path stores them) through one reused direct staging
     * buffer of at most {@value #STAGING_BYTES} bytes: each chunk is one bulk copy from the array, written as soon as
     * it is filled, so no tensor-sized buffer is allocated (and zeroed, and faulted in) per send.
     */
    public synchronized TensorRef sendFloats(float[] floats, int consumers) throws IOException {
        return exchange(() -> sendFloatsNow(floats, consumers));
    }

    private TensorRef sendFloatsNow(float[] floats, int consumers) throws IOException {
        long bytes = (long) floats.length * Float.BYTES;
        head.clear();
        head.putInt(consumers).putLong(bytes).flip();
        watch.writeFully(head);
        if (staging == null || staging.capacity() < Math.min(bytes, STAGING_BYTES)) {
            staging = ByteBuffer.allocateDirect((int) Math.min(Math.max(bytes, 4096), STAGING_BYTES))
                    .order(ByteOrder.nativeOrder());
        }
        int perChunk = staging.capacity() / Float.BYTES;
        for (int at = 0; at < floats.length; at += perChunk) {
            int n = Math.min(perChunk, floats.length - at);
            staging.clear();
            staging.asFloatBuffer().put(floats, at, n);
            staging.limit(n * Float.BYTES);
            watch.writeFully(staging);
        }
        return placed(bytes);
    }

    /**
     * Forwards a tensor held in the local sidecar without copying it to the heap.
     *
     * @throws IOException when the stream fails (never wrapped: a caller drops the connection on it)
     */
    public TensorRef forward(SharedMemorySidecar local, TensorRef ref, int consumers) throws IOException {
        TensorRef[] out = new TensorRef[1];
        try {
            local.read(ref, payload -> out[0] = send(payload, consumers));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return out[0];
    }

    @Override
    public void close() throws IOException {
        watch.close();
        ch.close();
    }
}
