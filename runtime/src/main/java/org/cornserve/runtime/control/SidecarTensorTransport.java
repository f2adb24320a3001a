package org.cornserve.runtime.control;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.cornserve.runtime.executor.ExecutorCommand;
import org.cornserve.runtime.executor.ExecutorReport;
import org.cornserve.runtime.sidecar.SharedMemoryDomain;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;
import org.cornserve.runtime.sidecar.TensorStreamServer;

/**
 * The runtime's tensor transport: shared memory between processes of one shared-memory domain, the sidecar's socket
 * stream between the others. Executors report their domain and stream address when they start
 * ({@link ExecutorReport.Sidecar}); {@link TensorTransport.Mode} decides which pairs share memory (auto: equal
 * domains; shm: all; socket: none but a replica with itself).
 *
 * <p>A move between hosts asks the producer's executor to stream the tensor from its segment to the consumer's
 * sidecar ({@link ExecutorCommand.Forward}); the consumer then reads its own host's copy. The producer releases the
 * reference the consumer stood for once the copy is placed; the copy has one reference (the consumer's) and the
 * consumer's sidecar timeout, as any tensor. A move not answered within the tensor timeout fails. The control plane
 * itself is a host too: it takes outputs it reads (a
 * WAV, a PNG) on a stream server of its own, where executors on other hosts also fetch a request's media it placed.
 * Everything but {@link #close} runs on the loop thread.
 */
public final class SidecarTensorTransport implements TensorTransport, AutoCloseable {
    private final TensorTransport.Mode mode;
    private final LoopServices loop;
    private final Executors executors;
    private final String domain;
    private final TensorStreamServer server;
    private final long timeoutNanos;
    private final Map<Long, Moved> pending = new HashMap<>();
    private final AtomicLong streamedTensors = new AtomicLong();
    private final AtomicLong streamedBytes = new AtomicLong();
    private long nextTransfer;

    /** The executor behind a replica now (null when none is connected). */
    @FunctionalInterface
    public interface Executors {
        ExecutorHandle executor(int d, int r);
    }

    /**
     * @param sidecar the control plane's own sidecar (media it placed, outputs streamed to it)
     * @param bind where the control plane's stream server listens (the address executors reach it at; port 0 picks
     *     one); unused in {@link TensorTransport.Mode#SHM}
     */
    public SidecarTensorTransport(TensorTransport.Mode mode, LoopServices loop, Executors executors,
            SharedMemorySidecar sidecar, java.nio.file.Path shmDir, InetSocketAddress bind, long timeoutMillis)
            throws IOException {
        this.mode = mode;
        this.loop = loop;
        this.executors = executors;
        this.domain = SharedMemoryDomain.of(shmDir);
        this.server = mode == TensorTransport.Mode.SHM ? null : new TensorStreamServer(sidecar, bind);
        this.timeoutNanos = timeoutMillis * 1_000_000L;
    }

    /**
     * Where the control plane's stream server listens, given where it listens for executors: the same address, any
     * free port when that one is free too (executors on this machine), else the next port (a fixed control port that
     * a Kubernetes Service also exposes as {@code tensors}).
     */
    public static InetSocketAddress bindBeside(InetSocketAddress control) {
        return new InetSocketAddress(control.getAddress(), control.getPort() == 0 ? 0 : control.getPort() + 1);
    }

    /**
     * Tensors streamed between hosts on the control plane's orders so far: moves between replicas, and media
     * executors on other hosts fetched from the control plane.
     */
    public long streamedTensors() {
        return streamedTensors.get() + (server == null ? 0 : server.served());
    }

    /** Their payload bytes. */
    public long streamedBytes() {
        return streamedBytes.get() + (server == null ? 0 : server.servedBytes());
    }

    /** Tensors executors on other hosts streamed to the control plane (outputs it reads: a WAV, a PNG). */
    public long receivedTensors() {
        return server == null ? 0 : server.received();
    }

    /** The mode. */
    public TensorTransport.Mode mode() {
        return mode;
    }

    private ExecutorReport.Sidecar endpoint(int d, int r) {
        ExecutorHandle h = executors.executor(d, r);
        return h == null ? null : h.sidecar();
    }

    /** Whether the two replicas read each other's shared memory. */
    boolean shareMemory(int fd, int fr, int td, int tr) {
        if (fd == td && fr == tr || mode == TensorTransport.Mode.SHM) {
            return true;
        }
        if (mode == TensorTransport.Mode.SOCKET) {
            return false;
        }
        ExecutorReport.Sidecar a = endpoint(fd, fr);
        ExecutorReport.Sidecar b = endpoint(td, tr);
        return a == null || b == null || a.domain().equals(b.domain());
    }

    /** Whether the replica reads the control plane's shared memory. */
    boolean sharesControlMemory(int d, int r) {
        if (mode != TensorTransport.Mode.AUTO) {
            return mode == TensorTransport.Mode.SHM;
        }
        ExecutorReport.Sidecar e = endpoint(d, r);
        return e == null || e.domain().equals(domain);
    }

    @Override
    public void move(int fd, int fr, int td, int tr, long bytes, Runnable done) {
        loop.post(done);
    }

    @Override
    public void move(int fd, int fr, int td, int tr, TensorRef tensor, long bytes, Moved done) {
        if (tensor == null || shareMemory(fd, fr, td, tr)) {
            loop.post(() -> done.moved(tensor));
            return;
        }
        ExecutorHandle producer = executors.executor(fd, fr);
        ExecutorReport.Sidecar to = endpoint(td, tr);
        if (producer == null || to == null) {
            loop.post(() -> done.failed("no sidecar to stream a " + tensor.bytes() + "-byte tensor from deployment "
                    + fd + " replica " + fr + " to deployment " + td + " replica " + tr));
            return;
        }
        long id = ++nextTransfer;
        pending.put(id, done);
        producer.send(new ExecutorCommand.Forward(id, tensor, to.streamHost() + ":" + to.streamPort()));
        loop.at(loop.nowNanos() + timeoutNanos, () -> {
            Moved late = pending.remove(id);
            if (late != null) {
                late.failed("the tensor stream from deployment " + fd + " replica " + fr + " to deployment " + td
                        + " replica " + tr + " did not finish within " + timeoutNanos / 1_000_000 + " ms");
            }
        });
    }

    /** A producer answered a {@link ExecutorCommand.Forward} (on the loop). */
    public void forwarded(ExecutorReport.Forwarded answer) {
        Moved done = pending.remove(answer.transfer());
        if (done == null) {
            return;
        }
        if (answer.tensor() != null) {
            streamedTensors.incrementAndGet();
            streamedBytes.addAndGet(answer.tensor().bytes());
            done.moved(answer.tensor());
        } else {
            done.failed("sidecar stream failed: " + answer.error());
        }
    }

    @Override
    public String controlSidecarFor(int d, int r) {
        if (server == null || sharesControlMemory(d, r)) {
            return null;
        }
        return "*:" + server.address().getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
