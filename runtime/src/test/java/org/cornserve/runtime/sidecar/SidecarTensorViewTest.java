package org.cornserve.runtime.sidecar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The consumer's zero-copy view of a tensor: every window reads back what a copy-out of the same tensor gives, closing
 * releases the reference exactly once, a segment reclaimed while viewed is never read as another tensor, and no
 * segment file is left behind.
 */
class SidecarTensorViewTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000);
    private SharedMemorySidecar producer;
    private SharedMemorySidecar consumer;

    @BeforeEach
    void start() {
        producer = new SharedMemorySidecar(dir, "v1", "p", 500, clock::get);
        consumer = new SharedMemorySidecar(dir, "v1", "c", 500, clock::get);
    }

    /** Every test ends with both sidecars closed and no segment file left. */
    @AfterEach
    void stop() throws IOException {
        SegmentFiles.closeAndAssertNoneLeft(dir, producer, consumer);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void windowsOfAViewReadBackAsTheCopiedOutTensor(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] data = new float[1 + rnd.nextInt(200_000)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) rnd.nextGaussian();
        }
        TensorRef ref = producer.putFloats(data, 2);
        float[] reference = consumer.readFloats(ref);
        consumer.release(ref);
        try (TensorView view = consumer.viewFloats(ref)) {
            assertEquals(data.length, view.floatCount());
            for (int k = 0; k < 20; k++) {
                int from = rnd.nextInt(data.length);
                int n = rnd.nextInt(data.length - from + 1);
                float[] dst = new float[n + 3];
                view.copyTo(from, dst, 3, n);
                assertArrayEquals(Arrays.copyOfRange(reference, from, from + n), Arrays.copyOfRange(dst, 3, n + 3),
                        "window [" + from + ", " + (from + n) + ")");
            }
            assertArrayEquals(reference, view.toArray());
            assertEquals(1, producer.live(), "the view holds the last reference");
        }
        assertEquals(0, producer.live(), "closing the view released it");
    }

    @Test
    void closingReleasesTheReferenceOnceAndAClosedViewIsNotRead() {
        TensorRef ref = producer.putFloats(new float[] {1, 2, 3}, 2);
        TensorView first = consumer.viewFloats(ref);
        TensorView second = consumer.viewFloats(ref);
        first.close();
        first.close();
        assertEquals(1, producer.live(), "a second close of one view does not take the other consumer's share");
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> first.copyTo(0, new float[3], 0, 3));
        assertTrue(closed.getMessage().contains(ref.segment()), closed.getMessage());
        float[] got = new float[3];
        second.copyTo(0, got, 0, 3);
        assertArrayEquals(new float[] {1, 2, 3}, got);
        second.close();
        assertEquals(0, producer.live());
        assertThrows(IndexOutOfBoundsException.class, () -> consumer.viewFloats(
                producer.putFloats(new float[4], 1)).copyTo(2, new float[4], 0, 3));
    }

    @Test
    void aSegmentReclaimedWhileViewedIsNeverReadAsTheNextTensor() {
        TensorRef ref = producer.putFloats(new float[] {1, 2, 3, 4}, 1);
        TensorView view = consumer.viewFloats(ref);
        assertFalse(view.nearExpiry());
        clock.addAndGet(249);
        assertFalse(view.nearExpiry());
        clock.addAndGet(1);
        assertTrue(view.nearExpiry(), "half the 500 ms timeout has passed");
        clock.addAndGet(250);
        producer.sweep();
        TensorRef next = producer.putFloats(new float[] {9, 9, 9, 9}, 1);
        assertEquals(ref.segment(), next.segment(), "the producer reused the reclaimed segment");
        TensorExpiredException e = assertThrows(TensorExpiredException.class,
                () -> view.copyTo(0, new float[4], 0, 4));
        assertTrue(e.getMessage().contains(ref.segment()), e.getMessage());
        view.close();
        assertEquals(1, producer.live(), "closing the stale view leaves the next tensor's reference alone");
        assertThrows(TensorExpiredException.class, () -> consumer.viewFloats(ref), "a stale ref is not viewed");
        assertEquals(1, producer.live());
    }

    @Test
    void aPayloadOfPartFloatsIsRefusedWithTheSegment() {
        TensorRef ref = producer.putBytes(new byte[6], 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> consumer.viewFloats(ref));
        assertTrue(e.getMessage().contains(ref.segment()) && e.getMessage().contains("6 bytes"), e.getMessage());
    }
}
