package org.cornserve.runtime.sidecar;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands tensors held in this host's {@link SharedMemorySidecar} to sidecars on other hosts: streams the payload
 * straight from the local segment to the remote {@link TensorStreamServer} (no copy on the heap), then releases the
 * local reference it stood for; and fetches tensors another host's sidecar holds into this host's memory. Keeps one {@link TensorStreamClient} per remote address; a connection that fails is
 * dropped and the next forward to that address opens a new one. Thread-safe.
 */
public final class TensorForwarder implements AutoCloseable {
    private final SharedMemorySidecar local;
    private final Map<InetSocketAddress, TensorStreamClient> clients = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Forwards tensors from {@code local}. */
    public TensorForwarder(SharedMemorySidecar local) {
        this.local = local;
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
        if (closed) {
            throw new IOException("tensor forwarder is closed");
        }
        TensorStreamClient client = client(to);
        TensorRef remote;
        try {
            remote = client.forward(local, tensor, consumers);
        } catch (IOException e) {
            clients.remove(to, client);
            client.close();
            throw new IOException("tensor stream to " + to.getHostString() + ":" + to.getPort() + " failed: "
                    + e.getMessage(), e);
        }
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
        if (closed) {
            throw new IOException("tensor forwarder is closed");
        }
        TensorStreamClient client = client(from);
        try {
            return client.fetch(tensor, local, consumers);
        } catch (IOException e) {
            clients.remove(from, client);
            client.close();
            throw new IOException("fetching from the sidecar at " + from.getHostString() + ":" + from.getPort()
                    + " failed: " + e.getMessage(), e);
        }
    }

    private TensorStreamClient client(InetSocketAddress to) throws IOException {
        TensorStreamClient c = clients.get(to);
        if (c != null) {
            return c;
        }
        try {
            c = new TensorStreamClient(to);
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
