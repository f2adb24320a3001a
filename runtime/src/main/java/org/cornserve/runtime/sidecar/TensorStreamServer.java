package org.cornserve.runtime.sidecar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The receiving end of the sidecar between hosts: accepts socket streams of tensors and places each one in this
 * host's {@link SharedMemorySidecar}, answering with the local {@link TensorRef} that consumers on this host read.
 *
 * <p>Frame in: consumers (int), payload bytes (long), payload. Frame out: segment name length (int), name (UTF-8),
 * generation (long); a failed placement answers length -1 and closes the stream. One thread per connection; the
 * payload goes from the socket straight into the mapped segment. Waiting for a frame is not timed; inside one, a peer
 * that moves no byte for the idle timeout is cut off (the connection closed, a placement's segment freed).
 *
 * <p>The other way, a host fetches a tensor held here: frame in: {@value #FETCH} (int), payload bytes (long), name
 * length (int), name, generation (long); frame out: 0 (int) and the payload, straight from the mapped segment, after
 * which the reference the fetcher stood for is released; or -1 (int) when the tensor is gone (and the stream closes).
 */
public final class TensorStreamServer implements AutoCloseable {
    private final SharedMemorySidecar sidecar;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    /** The first int of a fetch frame (a placement's is its consumers, at least 1). */
    static final int FETCH = -1;
    private final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong servedBytes = new java.util.concurrent.atomic.AtomicLong();
    private final long idleTimeoutMillis;
    private volatile boolean closed;

    /**
     * Listens on {@code bind} (port 0 picks a free one) and places tensors into {@code sidecar}; a peer that moves no
     * byte inside a frame for half the sidecar's tensor timeout (before the segment it fills could be reclaimed and
     * reused under it), but at least {@value #MIN_IDLE_TIMEOUT_MS} ms (a loaded host's scheduling hiccup), is cut off.
     */
    public TensorStreamServer(SharedMemorySidecar sidecar, InetSocketAddress bind) throws IOException {
        this(sidecar, bind, Math.max(MIN_IDLE_TIMEOUT_MS, sidecar.timeoutMillis() / 2));
    }

    /** The least idle timeout of the two-argument constructor. */
    public static final long MIN_IDLE_TIMEOUT_MS = 1_000;

    /** As above, cutting off a peer that moves no byte inside a frame for {@code idleTimeoutMillis}. */
    public TensorStreamServer(SharedMemorySidecar sidecar, InetSocketAddress bind, long idleTimeoutMillis)
            throws IOException {
        if (idleTimeoutMillis < 1) {
            throw new IllegalArgumentException("tensor stream idle timeout must be >= 1 ms, got " + idleTimeoutMillis);
        }
        this.sidecar = sidecar;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.server = ServerSocketChannel.open();
        // a restarted sidecar binds its old port again while the dead one's connections linger in TIME_WAIT
        server.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(bind);
        acceptor = Thread.ofPlatform().daemon().name("tensor-stream-accept").start(this::acceptLoop);
    }

    /** The address clients connect to. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Tensors placed so far. */
    public long received() {
        return received.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                ch.socket().setTcpNoDelay(true);
                connections.add(ch);
                Thread.ofPlatform().daemon().name("tensor-stream-in").start(() -> serve(ch));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("tensor stream: accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(SocketChannel ch) {
        ByteBuffer head = ByteBuffer.allocate(12);
        IdleWatch watch = new IdleWatch(ch, idleTimeoutMillis);
        try (ch; watch) {
            while (!closed) {
                head.clear();
                if (!watch.readFully(head, true)) { // waiting for the next frame is not timed
                    return;
                }
                watch.begin();
                head.flip();
                int consumers = head.getInt();
                long bytes = head.getLong();
                if (consumers == FETCH) {
                    if (!serveFetch(ch, watch, bytes)) {
                        return;
                    }
                    watch.end();
                    continue;
                }
                TensorRef ref;
                try {
                    ref = sidecar.put(bytes, consumers, payload -> watch.readFully(payload, false));
                } catch (RuntimeException e) {
                    ch.write(ByteBuffer.allocate(4).putInt(0, -1));
                    return;
                }
                received.incrementAndGet();
                byte[] name = ref.segment().getBytes(StandardCharsets.UTF_8);
                ByteBuffer reply = ByteBuffer.allocate(4 + name.length + 8);
                reply.putInt(name.length).put(name).putLong(ref.generation()).flip();
                watch.writeFully(reply);
                watch.end();
            }
        } catch (IOException e) {
            if (!closed) {
                System.err.println("tensor stream: connection dropped: " + (watch.timedOut() ? "the peer moved no"
                        + " byte inside a frame for " + idleTimeoutMillis + " ms" : e.getMessage()));
            }
        } finally {
            connections.remove(ch);
        }
    }

    /** Answers a fetch of a tensor held here; false when it could not (the stream then closes). */
    private boolean serveFetch(SocketChannel ch, IdleWatch watch, long bytes) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(4);
        watch.readFully(len, false);
        int n = len.getInt(0);
        if (n < 1 || n > 1024) {
            throw new IOException("tensor stream: a fetch names a segment of " + n + " bytes");
        }
        ByteBuffer rest = ByteBuffer.allocate(n + 8);
        watch.readFully(rest, false);
        rest.flip();
        byte[] name = new byte[n];
        rest.get(name);
        TensorRef ref;
        boolean[] started = new boolean[1];
        try {
            ref = new TensorRef(new String(name, StandardCharsets.UTF_8), rest.getLong(), bytes);
            sidecar.read(ref, payload -> {
                started[0] = true;
                watch.writeFully(ByteBuffer.allocate(4).putInt(0, 0), payload);
            });
        } catch (RuntimeException e) {
            if (!started[0]) {
                ch.write(ByteBuffer.allocate(4).putInt(0, -1));
            } // else reclaimed while it was sent: closing the stream tells the fetcher the payload is not whole
            return false;
        }
        sidecar.release(ref);
        served.incrementAndGet();
        servedBytes.addAndGet(bytes);
        return true;
    }

    /** Tensors fetched from here so far. */
    public long served() {
        return served.get();
    }

    /** Their payload bytes. */
    public long servedBytes() {
        return servedBytes.get();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (SocketChannel ch : connections) {
            try {
                ch.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
