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

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void aForwardedTensorEqualsTheOriginalAndReleasesTheShareItStoodFor(long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] floats = new float[1 + rnd.nextInt(300_000)];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = (float) rnd.nextGaussian();
        }
        try (SharedMemorySidecar producer = new SharedMemorySidecar(here, "f1", "p", 60_000, System::currentTimeMillis);
                SharedMemorySidecar consumer = new SharedMemorySidecar(there, "f1", "c", 60_000,
                        System::currentTimeMillis);
                TensorStreamServer server = new TensorStreamServer(consumer,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                TensorForwarder forwarder = new TensorForwarder(producer)) {
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
        try (SharedMemorySidecar holder = new SharedMemorySidecar(here, "f3", "cp", 60_000, System::currentTimeMillis);
                SharedMemorySidecar fetcher = new SharedMemorySidecar(there, "f3", "ex", 60_000,
                        System::currentTimeMillis);
                TensorStreamServer server = new TensorStreamServer(holder,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                TensorForwarder forwarder = new TensorForwarder(fetcher)) {
            TensorRef held = holder.putBytes(bytes, 1);
            TensorRef local = forwarder.fetch(held, server.address(), 1);
            assertTrue(Files.exists(there.resolve(local.segment())));
            assertArrayEquals(bytes, fetcher.readBytes(local));
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
}
