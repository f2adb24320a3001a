package org.cornserve.runtime.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hung peer on loopback (it accepts and then never reads, or reads and never answers; or its accept queue is full)
 * fails a send, a fetch or a forward with a timeout that names it, within a bounded time, never blocks the sender; a
 * forwarder drops the timed-out stream and keeps the local reference (the tensor is reclaimed by its timeout).
 */
class TensorForwarderTimeoutTest {
    private static final long IDLE_MS = 300;
    private static final Duration HANG_GUARD = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** A listener that accepts connections and keeps them, reading everything sent when {@code drains}, never answering. */
    private InetSocketAddress hungPeer(boolean drains) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(server);
        Thread.ofPlatform().daemon().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    if (drains) {
                        Thread.ofPlatform().daemon().start(() -> {
                            try (InputStream in = s.getInputStream()) {
                                in.transferTo(OutputStreamSink.INSTANCE);
                            } catch (IOException e) {
                                // closed by the test
                            }
                        });
                    }
                } catch (IOException e) {
                    return;
                }
            }
        });
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Discards bytes. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    @ParameterizedTest(name = "peer drains the frame: {0}")
    @ValueSource(booleans = {false, true})
    void aSendToAHungPeerTimesOutNamingIt(boolean drains) throws IOException {
        InetSocketAddress peer = hungPeer(drains);
        ByteBuffer tensor = ByteBuffer.allocateDirect(8 << 20); // more than the socket buffers hold
        try (TensorStreamClient client = new TensorStreamClient(peer, 1_000, IDLE_MS)) {
            SocketTimeoutException e = assertTimeoutPreemptively(HANG_GUARD,
                    () -> assertThrows(SocketTimeoutException.class, () -> client.send(tensor, 1)));
            assertTrue(e.getMessage().contains(peer.getPort() + "") && e.getMessage().contains(IDLE_MS + " ms"),
                    e.getMessage());
        }
    }

    @Test
    void aFetchFromAPeerThatNeverAnswersTimesOut() throws IOException {
        InetSocketAddress peer = hungPeer(true);
        try (SharedMemorySidecar local = new SharedMemorySidecar(dir, "to", "l", 10_000, System::currentTimeMillis);
                TensorStreamClient client = new TensorStreamClient(peer, 1_000, IDLE_MS)) {
            TensorRef remote = new TensorRef("cornserve-to-r-1", 1, 4096);
            assertTimeoutPreemptively(HANG_GUARD,
                    () -> assertThrows(SocketTimeoutException.class, () -> client.fetch(remote, local, 1)));
            assertEquals(0, local.live(), "nothing placed for the failed fetch");
        }
    }

    @Test
    void aForwardToAHungPeerFailsOnceWithTheTimeoutAndKeepsTheLocalReference() throws IOException {
        InetSocketAddress peer = hungPeer(false);
        try (SharedMemorySidecar local = new SharedMemorySidecar(dir, "to", "p", 10_000, System::currentTimeMillis);
                TensorForwarder forwarder = new TensorForwarder(local, 1_000, IDLE_MS)) {
            TensorRef tensor = local.putFloats(new float[2 << 20], 1);
            SocketTimeoutException e = assertTimeoutPreemptively(HANG_GUARD,
                    () -> assertThrows(SocketTimeoutException.class, () -> forwarder.forward(tensor, peer, 1)));
            assertTrue(e.getMessage().contains("moved no byte"), e.getMessage());
            assertEquals(1, forwarder.droppedStreams(), "the timed-out stream was dropped");
            assertEquals(1, local.live(), "the local reference is kept for the timeout to reclaim");
        }
    }

    @Test
    void aServerCutsOffAPeerThatStallsInsideAFrameAndFreesTheSegment() throws IOException {
        try (SharedMemorySidecar sidecar = new SharedMemorySidecar(dir, "to", "s", 10_000, System::currentTimeMillis);
                TensorStreamServer server = new TensorStreamServer(sidecar,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), IDLE_MS);
                Socket stalled = new Socket(server.address().getAddress(), server.address().getPort())) {
            // a placement of 1 MB for one consumer, then only 10 bytes of it
            stalled.getOutputStream().write(ByteBuffer.allocate(22).putInt(1).putLong(1 << 20).array());
            int answer = assertTimeoutPreemptively(HANG_GUARD, () -> stalled.getInputStream().read());
            assertEquals(-1, answer, "the server closed the stalled stream without placing anything");
            // the watchdog closes the stream first; the serving thread then wakes from its read and frees the
            // segment, so the peer can see the close before the free: wait for it, bounded
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (sidecar.live() != 0 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            assertEquals(0, sidecar.live(), "the segment it was filling is free again");
            assertEquals(0, server.received());
        }
    }

    @Test
    void aConnectionThatIsNeverAcceptedTimesOutNamingThePeer() throws IOException {
        ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()); // never accepts
        open.add(full);
        InetSocketAddress peer = (InetSocketAddress) full.getLocalSocketAddress();
        // fill the accept queue: later connection attempts get no answer
        SocketTimeoutException e = assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (int i = 0; i < 16; i++) {
                try {
                    open.add(new TensorStreamClient(peer, 200, IDLE_MS));
                } catch (SocketTimeoutException timedOut) {
                    return timedOut;
                }
            }
            throw new AssertionError("16 connections to a peer that never accepts all succeeded");
        });
        assertTrue(e.getMessage().contains(peer.getHostString() + ":" + peer.getPort())
                && e.getMessage().contains("200 ms"), e.getMessage());
    }
}
