package org.cornserve.simulator.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReadAheadTest {

    /** Counts 0, 1, ... up to {@code n}, failing with {@code failure} instead of giving element {@code failAt}. */
    private static final class Counting implements Iterator<Long> {
        final long n;
        final long failAt;
        final RuntimeException failure;
        final AtomicLong given = new AtomicLong();

        Counting(long n, long failAt, RuntimeException failure) {
            this.n = n;
            this.failAt = failAt;
            this.failure = failure;
        }

        @Override
        public boolean hasNext() {
            if (given.get() == failAt) {
                throw failure;
            }
            return given.get() < n;
        }

        @Override
        public Long next() {
            return given.getAndIncrement();
        }
    }

    /** The consumer sees exactly the source's sequence, for random lengths, batch sizes and queue depths. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void sameSequenceAsTheSource(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = random.nextInt(0, 5_000);
        int batch = random.nextInt(1, 300);
        int batches = random.nextInt(1, 5);
        List<Long> seen = new ArrayList<>();
        try (ReadAhead<Long> ahead = new ReadAhead<>(new Counting(n, -1, null), batch, batches)) {
            while (ahead.hasNext()) {
                assertTrue(ahead.hasNext(), "hasNext twice must not skip");
                seen.add(ahead.next());
            }
            assertFalse(ahead.hasNext());
            assertThrows(NoSuchElementException.class, ahead::next);
        }
        assertEquals(LongStream.range(0, n).boxed().toList(), seen, "n " + n + ", batch " + batch);
    }

    /** A failure of the source reaches the consumer as the same exception, after every element before it. */
    @ParameterizedTest
    @ValueSource(longs = {0, 1, 99, 100, 101, 1_000})
    void failureComesAfterTheElementsBeforeIt(long failAt) {
        UncheckedIOException failure = new UncheckedIOException("trace.csv line 7: field 2 is not a number",
                new java.io.IOException("bad"));
        try (ReadAhead<Long> ahead = new ReadAhead<>(new Counting(5_000, failAt, failure), 100, 2)) {
            for (long i = 0; i < failAt; i++) {
                assertTrue(ahead.hasNext());
                assertEquals(i, ahead.next());
            }
            assertSame(failure, assertThrows(UncheckedIOException.class, ahead::hasNext));
            assertSame(failure, assertThrows(UncheckedIOException.class, ahead::next), "and again");
        }
    }

    /** Closing part way stops the reading thread; the source is read no further than the queue allows. */
    @Test
    void closeStopsReadingAhead() throws Exception {
        Counting source = new Counting(Long.MAX_VALUE, -1, null);
        ReadAhead<Long> ahead = new ReadAhead<>(source, 10, 2);
        assertEquals(0L, ahead.next());
        ahead.close();
        long read = source.given.get();
        assertTrue(read <= 10 * 4, "read ahead " + read + " elements with a 2-batch queue of 10");
        Thread.sleep(20);
        assertEquals(read, source.given.get(), "still reading after close");
        assertThrows(IllegalStateException.class, () -> {
            while (true) {
                ahead.next();
            }
        });
    }

    @Test
    void refusesEmptyBatches() {
        assertThrows(IllegalArgumentException.class, () -> new ReadAhead<>(List.of(1).iterator(), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ReadAhead<>(List.of(1).iterator(), 1, 0));
    }
}
