package org.cornserve.runtime.sidecar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Producer-side zero copy ({@link SharedMemorySidecar#allocateFloats}): a tensor written in place and published reads
 * back bit for bit as the same floats put through the heap path, and its segment lives exactly as a put's (reference
 * count, generation, timeout from publish); a producer that fails before publishing frees it, a second publish is
 * refused, and nothing is left on disk.
 */
class SidecarWritableTensorTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000);

    private SharedMemorySidecar sidecar(String process) {
        return new SharedMemorySidecar(dir, "w1", process, 500, clock::get);
    }

    private long files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    /** Gaussian floats with the awkward ones mixed in (negative zero, NaN with a payload, infinities, subnormals). */
    private static float[] floats(SplittableRandom rnd, int n) {
        float[] data = new float[n];
        float[] odd = {-0f, Float.intBitsToFloat(0x7fc01234), Float.NEGATIVE_INFINITY, Float.MIN_VALUE, 1e-40f};
        for (int i = 0; i < n; i++) {
            data[i] = rnd.nextInt(50) == 0 ? odd[rnd.nextInt(odd.length)] : (float) rnd.nextGaussian();
        }
        return data;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void writtenInPlaceReadsBackBitForBitAsTheHeapPath(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int width = 1 + rnd.nextInt(300);
        int rows = 1 + rnd.nextInt(400);
        float[] data = floats(rnd, rows * width);
        try (SharedMemorySidecar producer = sidecar("p"); SharedMemorySidecar consumer = sidecar("c")) {
            TensorRef heap = producer.putFloats(data, 2);
            TensorRef inPlace;
            try (WritableTensor out = producer.allocateFloats(rows * width, 2)) {
                // rows stored in a shuffled order, half through put, half through the buffer's absolute methods
                int[] order = new int[rows];
                for (int r = 0; r < rows; r++) {
                    order[r] = r;
                }
                for (int r = rows - 1; r > 0; r--) {
                    int j = rnd.nextInt(r + 1);
                    int t = order[r];
                    order[r] = order[j];
                    order[j] = t;
                }
                for (int r : order) {
                    if (r % 2 == 0) {
                        out.put(r * width, data, r * width, width);
                    } else {
                        out.floats().put(r * width, data, r * width, width);
                    }
                }
                inPlace = out.publish();
            }
            assertEquals(heap.bytes(), inPlace.bytes());
            assertNotEquals(heap.segment(), inPlace.segment());
            float[] fromHeap = consumer.readFloats(heap);
            assertArrayEquals(data, fromHeap);
            assertArrayEquals(fromHeap, consumer.readFloats(inPlace));
            assertEquals(1, consumer.release(heap));
            assertEquals(1, consumer.release(inPlace));
            try (TensorView a = consumer.viewFloats(heap); TensorView b = consumer.viewFloats(inPlace)) {
                assertArrayEquals(a.toArray(), b.toArray());
            }
            assertEquals(0, producer.live(), "a release after the copy and the view's close freed both");
            // a prefix published reads back as the heap path's range
            int prefix = rnd.nextInt(rows + 1) * width;
            try (WritableTensor out = producer.allocateFloats(rows * width, 1)) {
                out.put(0, data, 0, data.length);
                TensorRef part = out.publish(prefix);
                assertEquals(4L * prefix, part.bytes());
                TensorRef heapPart = producer.putFloats(data, 0, prefix, 1);
                assertArrayEquals(consumer.readFloats(heapPart), consumer.readFloats(part));
                consumer.release(heapPart);
                consumer.release(part);
            }
            assertEquals(0, producer.live());
        }
    }

    @Test
    void aPublishedTensorIsCountedAndReusedAsAPutOne() {
        try (SharedMemorySidecar producer = sidecar("p"); SharedMemorySidecar consumer = sidecar("c")) {
            WritableTensor out = producer.allocateFloats(1000, 2);
            assertEquals(1, producer.live(), "a pending tensor holds its segment");
            TensorRef ref = out.publish();
            out.close(); // after publish: nothing
            assertEquals(1, producer.live());
            assertEquals(1, consumer.release(ref));
            TensorRef other = producer.putFloats(new float[1000], 1);
            assertNotEquals(ref.segment(), other.segment(), "a segment still referenced is not reused");
            assertEquals(0, consumer.release(ref));
            try (WritableTensor again = producer.allocateFloats(10, 1)) {
                assertEquals(ref.segment(), again.segment(), "the freed segment is reused");
                assertEquals(ref.generation() + 1, again.publish().generation());
            }
            assertThrows(TensorExpiredException.class, () -> consumer.readFloats(ref));
        }
    }

    @Test
    void theTimeoutStartsAtPublishAndReclaimsAsAPutsDoes() {
        try (SharedMemorySidecar producer = sidecar("p"); SharedMemorySidecar consumer = sidecar("c")) {
            WritableTensor out = producer.allocateFloats(100, 1);
            clock.addAndGet(10_000); // a slow producer: never reclaimed while it writes
            TensorRef other = producer.putFloats(new float[100], 1);
            assertNotEquals(out.segment(), other.segment());
            producer.sweep();
            assertEquals(0, producer.expired());
            out.put(0, new float[] {7f}, 0, 1);
            TensorRef ref = out.publish();
            clock.addAndGet(499);
            producer.sweep();
            assertEquals(7f, consumer.readFloats(ref)[0], "within the timeout from publish");
            clock.addAndGet(1);
            producer.sweep();
            assertEquals(2, producer.expired(), "both unreleased tensors were reclaimed");
            assertThrows(TensorExpiredException.class, () -> consumer.readFloats(ref));
            assertEquals(-1, consumer.release(ref));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void aProducerThatFailsBeforePublishingFreesItsSegment(long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] data = floats(rnd, 1 + rnd.nextInt(50_000));
        try (SharedMemorySidecar producer = sidecar("p"); SharedMemorySidecar consumer = sidecar("c")) {
            String[] segment = new String[1];
            RuntimeException failure = new IllegalStateException("engine failed");
            try (WritableTensor out = producer.allocateFloats(data.length, 1)) {
                segment[0] = out.segment();
                out.put(0, data, 0, data.length / 2);
                throw failure;
            } catch (IllegalStateException e) {
                assertEquals(failure, e);
            }
            assertEquals(0, producer.live(), "closing unpublished freed it");
            TensorRef next = producer.putFloats(data, 1);
            assertEquals(segment[0], next.segment(), "the freed segment is reused at once");
            assertArrayEquals(data, consumer.readFloats(next), "the failed producer's floats are overwritten");
            assertEquals(1, files());
        }
        assertEquals(0, files(), "closing the sidecar deletes every segment");
    }

    @Test
    void aSecondPublishAndWritesAfterPublishOrCloseAreRefused() {
        try (SharedMemorySidecar producer = sidecar("p"); SharedMemorySidecar consumer = sidecar("c")) {
            WritableTensor out = producer.allocateFloats(8, 1);
            TensorRef ref = out.publish();
            IllegalStateException twice = assertThrows(IllegalStateException.class, out::publish);
            assertTrue(twice.getMessage().contains("published already"), twice.getMessage());
            assertThrows(IllegalStateException.class, out::floats);
            assertThrows(IllegalStateException.class, () -> out.put(0, new float[1], 0, 1));
            assertEquals(ref, out.published());
            assertEquals(0, consumer.release(ref), "one reference, as published once");
            WritableTensor dropped = producer.allocateFloats(8, 1);
            dropped.close();
            dropped.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, dropped::publish);
            assertTrue(closed.getMessage().contains("closed unpublished"), closed.getMessage());
            assertEquals(0, producer.live());
        }
    }

    @Test
    void aPendingTensorOfAClosedSidecarCannotBePublishedAndLeavesNoFile() throws IOException {
        SharedMemorySidecar producer = sidecar("p");
        WritableTensor out = producer.allocateFloats(1000, 1);
        assertEquals(1, files());
        producer.close();
        assertEquals(0, files());
        IllegalStateException e = assertThrows(IllegalStateException.class, out::publish);
        assertTrue(e.getMessage().contains(out.segment()), e.getMessage());
        out.close();
        assertThrows(IllegalStateException.class, () -> producer.allocateFloats(1, 1));
    }

    @Test
    void badSizesAndConsumerCountsAreRefusedWithTheReason() {
        try (SharedMemorySidecar producer = sidecar("p")) {
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> producer.allocateFloats(-1, 1));
            assertTrue(negative.getMessage().contains("-1"), negative.getMessage());
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                    () -> producer.allocateFloats(4, 0));
            assertTrue(none.getMessage().contains("consumers"), none.getMessage());
            try (WritableTensor out = producer.allocateFloats(4, 1)) {
                assertThrows(IndexOutOfBoundsException.class, () -> out.put(2, new float[3], 0, 3));
                assertThrows(IndexOutOfBoundsException.class, () -> out.publish(5));
            }
            assertEquals(0, producer.live());
        }
    }
}
