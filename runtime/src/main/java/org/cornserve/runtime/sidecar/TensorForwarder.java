package org.cornserve.runtime.sidecar;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands tensors held in this host's {@link SharedMemorySidecar} to sidecars on other hosts: streams the payload
 * straight from the local segment to the remote {@link TensorStreamServer} (no copy on the heap), then releases the
 * local reference it stood for; and fetches tensors another host's sidecar holds into this host's memory. Keeps
 * one {@link TensorStreamClient} per remote address; a cached connection that fails (its peer died, and may have
 * restarted at the same address) is dropped and the exchange tried once more on a new one; one that timed out (the
 * peer hung: it is not restarted) is dropped and the timeout thrown at once. Thread-safe.
 */
public final class TensorForwarder implements AutoCloseable {
    private final SharedMemorySidecar local;
    private final long connectTimeoutMillis;
    private final long idleTimeoutMillis;
    private final Map<InetSocketAddress, TensorStreamClient> clients = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    /**
     * Forwards tensors from {@code local}; a peer that moves no byte for the sidecar's tensor timeout fails the
     * exchange (the tensor it stood for is reclaimed by then anyway), a connection takes at most
     * {@link TensorStreamClient#DEFAULT_CONNECT_TIMEOUT_MS} or that timeout if shorter.
     */
    public TensorForwarder(SharedMemorySidecar local) {
        this(local, Math.min(TensorStreamClient.DEFAULT_CONNECT_TIMEOUT_MS, local.timeoutMillis()),
                local.timeoutMillis());
    }

    /** Forwards tensors from {@code local} with the streams' connect and idle timeouts. */
    public TensorForwarder(SharedMemorySidecar local, long connectTimeoutMillis, long idleTimeoutMillis) {
        this.local = local;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    /**
     * Streams {@code tensor} to the sidecar at {@code to} for {@code consumers} readers there, then releases one
     * local reference (the one the remote consumers stand in for).
     *
     * @return the reference the consumers read on the remote host
     * @throws IOException when the remote sidecar cannot be reached or cannot place it (the local reference is kept,
     *     so it is reclaimed by the timeout as any unconsumed tensor)
     * @throws TensorExpiredException when the local tensor was reclaimed before it could be sent
     */
    public TensorRef forward(TensorRef tensor, InetSocketAddress to, int consumers) throws IOException {
        TensorRef remote = overStream(to, c -> c.forward(local, tensor, consumers),
                "tensor stream to " + to.getHostString() + ":" + to.getPort() + " failed: ");
        local.release(tensor);
        return remote;
    }

    /**
     * Fetches {@code tensor}, held by the sidecar at {@code from}, into this host's memory for {@code consumers}
     * readers here; the holder releases the reference the fetch stood for.
     *
     * @throws IOException when the holder cannot be reached or no longer holds it
     */
    public TensorRef fetch(TensorRef tensor, InetSocketAddress from, int consumers) throws IOException {
        return overStream(from, c -> c.fetch(tensor, local, consumers),
                "fetching from the sidecar at " + from.getHostString() + ":" + from.getPort() + " failed: ");
    }

    /** One exchange over a stream to a peer. */
    @FunctionalInterface
    private interface Exchange {
        TensorRef over(TensorStreamClient client) throws IOException;
    }

    /**
     * Runs {@code exchange} over the cached stream to {@code peer}; when that stream fails (the peer died, and may
     * have restarted at the same address since), drops it and tries once more on a new one, so a restarted peer is
     * reached at once. A failure on a new stream drops it too and is thrown.
     */
    private TensorRef overStream(InetSocketAddress peer, Exchange exchange, String failure) throws IOException {
        if (closed) {
            throw new IOException("tensor forwarder is closed");
        }
        TensorStreamClient cached = clients.get(peer);
        if (cached != null) {
            try {
                return exchange.over(cached);
            } catch (IOException e) {
                drop(peer, cached);
                if (e instanceof SocketTimeoutException) {
                    throw new SocketTimeoutException(failure + e.getMessage());
                }
            }
        }
        TensorStreamClient fresh = connect(peer);
        try {
            return exchange.over(fresh);
        } catch (IOException e) {
            drop(peer, fresh);
            throw e instanceof SocketTimeoutException ? new SocketTimeoutException(failure + e.getMessage())
                    : new IOException(failure + e.getMessage(), e);
        }
    }

    private void drop(InetSocketAddress peer, TensorStreamClient client) {
        clients.remove(peer, client);
        try {
            client.close();
        } catch (IOException e) {
            // dropping it anyway
        }
        dropped.incrementAndGet();
    }

    private TensorStreamClient connect(InetSocketAddress to) throws IOException {
        TensorStreamClient c;
        try {
            c = new TensorStreamClient(to, connectTimeoutMillis, idleTimeoutMillis);
        } catch (IOException e) {
            throw new IOException("cannot connect to the sidecar at " + to.getHostString() + ":" + to.getPort() + ": "
                    + e.getMessage(), e);
        }
        TensorStreamClient raced = clients.putIfAbsent(to, c);
        if (raced != null) {
            c.close();
            return raced;
        }
        return c;
    }

    /** Streams dropped after a failure so far (each later exchange with that peer opened a new one). */
    public long droppedStreams() {
        return dropped.get();
    }

    /** Parses {@code host:port} (a sidecar's stream address as the control plane passes it on). */
    public static InetSocketAddress address(String hostPort) {
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("a sidecar address must be host:port, got '" + hostPort + "'");
        }
        try {
            return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a sidecar address must be host:port, got '" + hostPort + "'", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (TensorStreamClient c : clients.values()) {
            try {
                c.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        clients.clear();
    }
}
