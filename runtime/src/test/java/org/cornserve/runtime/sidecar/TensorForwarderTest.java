package org.cornserve.runtime.sidecar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Forwarding a tensor from one host's shared memory to another's over a loopback stream. */
class TensorForwarderTest {
    @TempDir
    Path here;
    @TempDir
    Path there;

    /** Two hosts: a forwarder on the local sidecar, a stream server on the remote one (over loopback). */
    private static final class Link implements AutoCloseable {
        final SharedMemorySidecar local;
        final SharedMemorySidecar remote;
        final TensorStreamServer server;
        final TensorForwarder forwarder;

        Link(Path localDir, Path remoteDir, String session) throws IOException {
            local = new SharedMemorySidecar(localDir, session, "l", 60_000, System::currentTimeMillis);
            remote = new SharedMemorySidecar(remoteDir, session, "r", 60_000, System::currentTimeMillis);
            server = new TensorStreamServer(remote, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            forwarder = new TensorForwarder(local);
        }

        @Override
        public void close() {
            forwarder.close();
            server.close();
            remote.close();
            local.close();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void aForwardedTensorEqualsTheOriginalAndReleasesTheShareItStoodFor(long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] floats = new float[1 + rnd.nextInt(300_000)];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = (float) rnd.nextGaussian();
        }
        try (Link link = new Link(here, there, "f1")) {
            SharedMemorySidecar producer = link.local;
            SharedMemorySidecar consumer = link.remote;
            TensorStreamServer server = link.server;
            TensorForwarder forwarder = link.forwarder;
            TensorRef local = producer.putFloats(floats, 2); // one consumer here, one on the other host
            TensorRef remote = forwarder.forward(local, server.address(), 1);
            assertTrue(Files.exists(there.resolve(remote.segment())), "the copy lives in the consumer's memory");
            assertArrayEquals(floats, consumer.readFloats(remote));
            assertEquals(0, consumer.release(remote), "the copy has one reference, the remote consumer's");
            assertEquals(1, producer.live(), "the local consumer's share is still held");
            assertEquals(0, producer.release(local));
            assertEquals(0, producer.live());
            assertEquals(1, server.received());
            // a second forward reuses the connection
            TensorRef again = forwarder.forward(producer.putFloats(floats, 1), server.address(), 1);
            assertTrue(!remote.segment().equals(again.segment()) || remote.generation() != again.generation(),
                    "a fresh copy");
            assertArrayEquals(floats, consumer.readFloats(again));
            assertEquals(2, server.received());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {4, 5})
    void aFetchedTensorEqualsTheHeldOneAndTheHoldersShareIsReleased(long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] bytes = new byte[1 + rnd.nextInt(2_000_000)];
        rnd.nextBytes(bytes);
        try (Link link = new Link(there, here, "f3")) {
            SharedMemorySidecar fetcher = link.local;
            SharedMemorySidecar holder = link.remote;
            TensorStreamServer server = link.server;
            TensorForwarder forwarder = link.forwarder;
            TensorRef held = holder.putBytes(bytes, 1);
            TensorRef local = forwarder.fetch(held, server.address(), 1);
            assertTrue(Files.exists(there.resolve(local.segment())));
            assertArrayEquals(bytes, fetcher.readBytes(local));
            // the server releases its share and counts the fetch after the last byte is on the wire, so the
            // fetcher may return first: wait (bounded) for it
            awaitServed(server, 1);
            assertEquals(0, holder.live(), "the holder released the share the fetch stood for");
            assertEquals(1, server.served());
            assertEquals(bytes.length, server.servedBytes());
            // a refused fetch closes its stream; the next fetch opens a new one
            IOException gone = assertThrows(IOException.class, () -> forwarder.fetch(held, server.address(), 1));
            assertTrue(gone.getMessage().contains("no longer holds"), gone.getMessage());
            TensorRef again = forwarder.fetch(holder.putBytes(bytes, 1), server.address(), 1);
            assertArrayEquals(bytes, fetcher.readBytes(again));
        }
    }

    @Test
    void aSidecarThatCannotBeReachedIsNamedAndTheLocalShareIsKept() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (SharedMemorySidecar producer = new SharedMemorySidecar(here, "f2", "p", 60_000, System::currentTimeMillis);
                TensorForwarder forwarder = new TensorForwarder(producer)) {
            TensorRef local = producer.putFloats(new float[16], 1);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort);
            IOException e = assertThrows(IOException.class, () -> forwarder.forward(local, to, 1));
            assertTrue(e.getMessage().contains(":" + closedPort), e.getMessage());
            assertEquals(1, producer.live(), "kept until its timeout");
        }
    }

    /**
     * The peer's sidecar dies (its stream server and memory go) and a new one starts at the same address: the
     * forwarder's cached stream is dead, and the next forward and fetch must reach the new one, not fail on the old.
     */
    @Test
    void aPeerThatRestartedAtTheSameAddressIsReachedAgain() throws IOException {
        float[] floats = new float[70_000];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = i * 0.25f;
        }
        try (SharedMemorySidecar producer = new SharedMemorySidecar(here, "f4", "p", 60_000, System::currentTimeMillis);
                TensorForwarder forwarder = new TensorForwarder(producer)) {
            InetSocketAddress at;
            try (SharedMemorySidecar first = new SharedMemorySidecar(there, "f4", "a", 60_000,
                    System::currentTimeMillis);
                    TensorStreamServer server = new TensorStreamServer(first,
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                at = server.address();
                assertArrayEquals(floats, first.readFloats(forwarder.forward(producer.putFloats(floats, 1), at, 1)));
            }
            // the peer is gone and nothing listens: the failure is an IOException naming it, the share is kept
            TensorRef kept = producer.putFloats(floats, 1);
            IOException dead = assertThrows(IOException.class, () -> forwarder.forward(kept, at, 1));
            assertTrue(dead.getMessage().contains(":" + at.getPort()), dead.getMessage());
            assertEquals(1, producer.live());
            assertEquals(0, producer.release(kept));
            try (SharedMemorySidecar second = new SharedMemorySidecar(there, "f4", "b", 60_000,
                    System::currentTimeMillis);
                    TensorStreamServer server = new TensorStreamServer(second, at)) {
                TensorRef there1 = forwarder.forward(producer.putFloats(floats, 1), at, 1);
                assertTrue(there1.segment().startsWith("cornserve-f4-b-"), there1.segment());
                assertArrayEquals(floats, second.readFloats(there1));
                assertEquals(0, producer.live(), "the forwarded share was released");
                assertEquals(1, server.received());
            }
            // restarted again while a stream to it is cached: the first exchange after the restart succeeds
            try (SharedMemorySidecar third = new SharedMemorySidecar(there, "f4", "c", 60_000,
                    System::currentTimeMillis);
                    TensorStreamServer server = new TensorStreamServer(third, at)) {
                long dropped = forwarder.droppedStreams();
                TensorRef held = third.putFloats(floats, 1);
                TensorRef fetched = forwarder.fetch(held, at, 1);
                assertArrayEquals(floats, producer.readFloats(fetched));
                assertEquals(dropped + 1, forwarder.droppedStreams(), "the dead cached stream was dropped once");
                assertArrayEquals(floats, third.readFloats(forwarder.forward(producer.putFloats(floats, 1), at, 1)));
                assertEquals(dropped + 1, forwarder.droppedStreams(), "the new stream is kept");
            }
        }
    }

    @Test
    void addressesParseAndBadOnesAreNamed() {
        assertEquals(new InetSocketAddress("10.0.0.7", 9101), TensorForwarder.address("10.0.0.7:9101"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TensorForwarder.address("nohost"));
        assertTrue(e.getMessage().contains("'nohost'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TensorForwarder.address("h:port"));
    }

    @Test
    void directoriesOnOneFileSystemShareADomainAndOnAnotherDoNot() throws IOException {
        assertEquals(SharedMemoryDomain.of(here), SharedMemoryDomain.of(here.getParent()));
        Path shm = SharedMemorySidecar.DEV_SHM;
        Assumptions.assumeTrue(Files.isDirectory(shm), "no /dev/shm here");
        Assumptions.assumeFalse(Files.getAttribute(shm, "unix:dev").equals(Files.getAttribute(here, "unix:dev")),
                "the temporary directory is on /dev/shm's file system");
        assertNotEquals(SharedMemoryDomain.of(shm), SharedMemoryDomain.of(here));
    }

    /** Waits up to 5 s for the server to have answered {@code n} fetches (it counts one after releasing its share). */
    private static void awaitServed(TensorStreamServer server, long n) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.served() < n && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }
}
