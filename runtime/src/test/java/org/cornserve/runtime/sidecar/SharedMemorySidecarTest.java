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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Segments written and read by two instances, reference counting and timeouts, and the bulk-copy paths (a range,
 * parts written and read in one go, a read into a caller's array, a chunked socket send) against a plain reference,
 * with the segment pool's promise: a reused segment never frees or overwrites a tensor still referenced.
 */
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
            assertEquals(1, consumer.mappedViews());
            consumer.sweep();
            assertEquals(0, consumer.mappedViews(), "the mapping of a deleted segment is let go");
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

    private static float[] gaussian(SplittableRandom rnd, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) rnd.nextGaussian();
        }
        return f;
    }

    /** The reference: the parts concatenated with Arrays.copyOf and System.arraycopy. */
    private static float[] concat(List<float[]> parts) {
        float[] out = new float[0];
        for (float[] p : parts) {
            int at = out.length;
            out = Arrays.copyOf(out, at + p.length);
            System.arraycopy(p, 0, out, at, p.length);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14})
    void rangesAndPartsReadBackAsTheReferenceCopies(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (SharedMemorySidecar producer = sidecar("p"); SharedMemorySidecar consumer = sidecar("c")) {
            float[] all = gaussian(rnd, 1 + rnd.nextInt(200_000));
            int from = rnd.nextInt(all.length);
            int length = rnd.nextInt(all.length - from + 1);
            TensorRef range = producer.putFloats(all, from, length, 1);
            assertEquals((long) length * Float.BYTES, range.bytes());
            assertArrayEquals(Arrays.copyOfRange(all, from, from + length), consumer.readFloats(range));

            List<float[]> parts = new ArrayList<>();
            int count = 1 + rnd.nextInt(4);
            for (int i = 0; i < count; i++) {
                parts.add(gaussian(rnd, rnd.nextInt(50_000)));
            }
            TensorRef joined = producer.putFloats(parts, 1);
            assertArrayEquals(concat(parts), consumer.readFloats(joined));

            List<TensorRef> refs = new ArrayList<>();
            for (float[] p : parts) {
                refs.add(producer.putFloats(p, 1));
            }
            assertArrayEquals(concat(parts), consumer.readFloats(refs), "parts read straight into one array");

            int offset = rnd.nextInt(1000);
            float[] dst = new float[offset + parts.get(0).length + rnd.nextInt(10)];
            Arrays.fill(dst, -7f);
            assertEquals(parts.get(0).length, consumer.readFloats(refs.get(0), dst, offset));
            assertArrayEquals(parts.get(0), Arrays.copyOfRange(dst, offset, offset + parts.get(0).length));
            for (int i = 0; i < offset; i++) {
                assertEquals(-7f, dst[i], "nothing before the offset is written");
            }
            for (int i = offset + parts.get(0).length; i < dst.length; i++) {
                assertEquals(-7f, dst[i], "nothing past the payload is written");
            }
        }
    }

    @Test
    void sizesThatDoNotFitAreRefusedWithTheSegmentAndSizes() {
        try (SharedMemorySidecar producer = sidecar("p"); SharedMemorySidecar consumer = sidecar("c")) {
            TensorRef ref = producer.putFloats(new float[100], 1);
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                    () -> consumer.readFloats(ref, new float[120], 21));
            assertTrue(small.getMessage().contains(ref.segment()) && small.getMessage().contains("100 floats")
                    && small.getMessage().contains("120-float array from index 21"), small.getMessage());
            assertThrows(IllegalArgumentException.class, () -> consumer.readFloats(ref, new float[100], -1));
            assertEquals(100, consumer.readFloats(ref, new float[120], 20), "exactly fitting is fine");
            TensorRef odd = producer.putBytes(new byte[10], 1);
            IllegalArgumentException notFloats = assertThrows(IllegalArgumentException.class,
                    () -> consumer.readFloats(odd));
            assertTrue(notFloats.getMessage().contains("10 bytes, not a whole number of floats"),
                    notFloats.getMessage());
            assertThrows(IllegalArgumentException.class, () -> consumer.readInts(odd));
            assertThrows(IndexOutOfBoundsException.class, () -> producer.putFloats(new float[10], 5, 6, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> producer.putFloats(new float[10], -1, 2, 1));
            assertEquals(2, producer.live(), "a refused put takes no segment");
        }
    }

    /**
     * Random puts (1 to 3 consumers, sizes that share capacities) and releases against a model of what is live:
     * every live tensor reads back as written after each step (a reused segment never overwrote it), live() is the
     * model's count, and a tensor released by every consumer is refused afterwards.
     */
    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24, 25})
    void aReusedSegmentNeverFreesOrOverwritesOneStillReferenced(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (SharedMemorySidecar producer = sidecar("p"); SharedMemorySidecar consumer = sidecar("c")) {
            Map<TensorRef, float[]> live = new HashMap<>();
            Map<TensorRef, Integer> refsLeft = new HashMap<>();
            List<TensorRef> gone = new ArrayList<>();
            for (int step = 0; step < 300; step++) {
                if (live.isEmpty() || rnd.nextInt(3) > 0 && live.size() < 12) {
                    float[] data = gaussian(rnd, 1 + rnd.nextInt(40_000));
                    int consumers = 1 + rnd.nextInt(3);
                    TensorRef ref = producer.putFloats(data, consumers);
                    for (TensorRef other : live.keySet()) {
                        assertTrue(!other.segment().equals(ref.segment()), "step " + step + ": " + ref.segment()
                                + " reused while still referenced");
                    }
                    live.put(ref, data);
                    refsLeft.put(ref, consumers);
                } else {
                    List<TensorRef> keys = new ArrayList<>(live.keySet());
                    keys.sort((a, b) -> a.segment().compareTo(b.segment()));
                    TensorRef ref = keys.get(rnd.nextInt(keys.size()));
                    int left = refsLeft.get(ref) - 1;
                    assertEquals(left, consumer.release(ref));
                    if (left == 0) {
                        live.remove(ref);
                        refsLeft.remove(ref);
                        gone.add(ref);
                    } else {
                        refsLeft.put(ref, left);
                    }
                }
                assertEquals(live.size(), producer.live(), "step " + step);
                for (Map.Entry<TensorRef, float[]> e : live.entrySet()) {
                    assertArrayEquals(e.getValue(), consumer.readFloats(e.getKey()), "step " + step);
                }
            }
            assertTrue(producer.segments() < 40, "freed segments were reused: " + producer.segments());
            for (TensorRef ref : gone) {
                assertEquals(-1, consumer.release(ref), "a stale release changes nothing");
            }
            assertEquals(live.size(), producer.live());
        }
    }

    @Test
    void idleSegmentsWithinTheRetainedBytesStayPastTheTimeoutAndTheRestAreDeleted() throws IOException {
        try (SharedMemorySidecar producer = new SharedMemorySidecar(dir, "c2", "p", 500, 3 * 256 * 1024,
                clock::get); SharedMemorySidecar consumer = sidecar("c")) {
            List<TensorRef> refs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                refs.add(producer.putFloats(new float[60_000], 1)); // 240,000 bytes: a 256 KiB segment each
            }
            TensorRef big = producer.putFloats(new float[300_000], 1); // a 2 MiB segment
            refs.forEach(consumer::release);
            consumer.release(big);
            producer.sweep();
            clock.addAndGet(499);
            producer.sweep();
            assertEquals(6, producer.segments(), "nothing is deleted before the timeout");
            clock.addAndGet(1);
            producer.sweep();
            assertEquals(3, producer.segments(), "the 2 MiB one and two 256 KiB ones go: 3 x 256 KiB are left");
            assertEquals(3, files());
            clock.addAndGet(10_000);
            producer.sweep();
            assertEquals(3, producer.segments(), "retained segments stay however long they idle");
            TensorRef again = producer.putFloats(new float[60_000], 1);
            assertEquals(3, producer.segments(), "and serve the next tensor");
            assertArrayEquals(new float[60_000], consumer.readFloats(again));
        }
        assertEquals(0, files(), "close deletes the retained segments too");
        assertThrows(IllegalArgumentException.class,
                () -> new SharedMemorySidecar(dir, "c2", "q", 500, -1, clock::get));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, TensorStreamClient.STAGING_BYTES / Float.BYTES - 1,
            TensorStreamClient.STAGING_BYTES / Float.BYTES, 3 * TensorStreamClient.STAGING_BYTES / Float.BYTES + 5})
    void floatsSentInChunksLandWhole(int n) throws IOException {
        SplittableRandom rnd = new SplittableRandom(n);
        try (SharedMemorySidecar receiver = sidecar("r"); SharedMemorySidecar reader = sidecar("c");
                TensorStreamServer server = new TensorStreamServer(receiver,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                TensorStreamClient client = new TensorStreamClient(server.address())) {
            float[] small = gaussian(rnd, 3);
            float[] data = gaussian(rnd, n);
            assertArrayEquals(small, reader.readFloats(client.sendFloats(small, 1)));
            TensorRef ref = client.sendFloats(data, 2);
            assertEquals((long) n * Float.BYTES, ref.bytes());
            assertArrayEquals(data, reader.readFloats(ref));
            assertEquals(1, reader.release(ref));
            assertArrayEquals(small, reader.readFloats(client.sendFloats(small, 1)), "the staging buffer is reused");
        }
    }
}
