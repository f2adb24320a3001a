package org.cornserve.runtime.sidecar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SharedMemorySidecarTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000);

    private SharedMemorySidecar sidecar(String process) {
        return new SharedMemorySidecar(dir, "t1", process, 500, clock::get);
    }

    private long files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void aTensorReadByAnotherInstanceEqualsWhatWasWritten(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] data = new float[1 + rnd.nextInt(100_000)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) rnd.nextGaussian();
        }
        try (SharedMemorySidecar producer = sidecar("p"); SharedMemorySidecar consumer = sidecar("c")) {
            TensorRef ref = producer.putFloats(data, 1);
            assertTrue(ref.segment().startsWith("cornserve-t1-p-"), ref.segment());
            assertArrayEquals(data, consumer.readFloats(ref));
            int[] ints = {3, -1, 7};
            assertArrayEquals(ints, consumer.readInts(producer.putInts(ints, 1)));
        }
    }

    @Test
    void aSegmentIsFreeOnlyAfterEveryConsumerReleasedIt() {
        try (SharedMemorySidecar producer = sidecar("p"); SharedMemorySidecar consumer = sidecar("c")) {
            TensorRef ref = producer.putFloats(new float[1000], 2);
            assertEquals(1, producer.live());
            assertEquals(1, consumer.release(ref));
            assertEquals(1, producer.live());
            TensorRef other = producer.putFloats(new float[1000], 1);
            assertFalse(other.segment().equals(ref.segment()), "a segment still referenced is not reused");
            assertEquals(0, consumer.release(ref));
            assertEquals(-1, consumer.release(ref), "a second release of a freed tensor changes nothing");
            TensorRef reused = producer.putFloats(new float[10], 1);
            assertEquals(ref.segment(), reused.segment(), "the freed segment is reused");
            assertEquals(ref.generation() + 1, reused.generation());
            assertThrows(TensorExpiredException.class, () -> consumer.readFloats(ref));
            assertEquals(-1, consumer.release(ref), "a stale release does not touch the reused segment");
            assertEquals(2, producer.live());
        }
    }

    @Test
    void aTensorNotReleasedInTimeIsReclaimedAndIdleSegmentsAreDeleted() throws IOException {
        try (SharedMemorySidecar producer = sidecar("p"); SharedMemorySidecar consumer = sidecar("c")) {
            TensorRef ref = producer.putFloats(new float[100], 3);
            clock.addAndGet(499);
            producer.sweep();
            assertEquals(1, producer.live());
            clock.addAndGet(1);
            producer.sweep();
            assertEquals(0, producer.live());
            assertEquals(1, producer.expired());
            assertThrows(TensorExpiredException.class, () -> consumer.readFloats(ref));
            assertEquals(1, files());
            clock.addAndGet(500);
            producer.sweep();
            assertEquals(0, producer.segments());
            assertEquals(0, files());
        }
    }

    @Test
    void closeAndDeleteSessionLeaveNoFile() throws IOException {
        SharedMemorySidecar a = sidecar("a");
        SharedMemorySidecar b = sidecar("b");
        a.putFloats(new float[10], 1);
        b.putFloats(new float[10], 1);
        a.close();
        assertEquals(1, files());
        assertThrows(IllegalStateException.class, () -> a.putFloats(new float[1], 1));
        assertEquals(1, SharedMemorySidecar.deleteSession(dir, "t1"));
        assertEquals(0, files());
        b.close();
    }

    @Test
    void aTensorStreamedOverASocketLandsInTheReceiversSharedMemory() throws IOException {
        try (SharedMemorySidecar sender = sidecar("s"); SharedMemorySidecar receiver = sidecar("r");
                SharedMemorySidecar reader = sidecar("c");
                TensorStreamServer server = new TensorStreamServer(receiver,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                TensorStreamClient client = new TensorStreamClient(server.address())) {
            float[] data = new float[300_000];
            for (int i = 0; i < data.length; i++) {
                data[i] = i;
            }
            TensorRef remote = client.sendFloats(data, 1);
            assertTrue(remote.segment().startsWith("cornserve-t1-r-"), remote.segment());
            assertArrayEquals(data, reader.readFloats(remote));
            TensorRef local = sender.putFloats(data, 1);
            TensorRef forwarded = client.forward(sender, local, 2);
            assertArrayEquals(data, reader.readFloats(forwarded));
            assertEquals(1, reader.release(forwarded));
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheReason() {
        try (SharedMemorySidecar p = sidecar("p")) {
            assertThrows(IllegalArgumentException.class, () -> p.putFloats(new float[1], 0));
        }
        assertThrows(IllegalArgumentException.class, () -> new SharedMemorySidecar(dir, "a/b", "p", 1, clock::get));
        assertThrows(IllegalArgumentException.class, () -> new TensorRef("other-file", 1, 1));
    }
}
