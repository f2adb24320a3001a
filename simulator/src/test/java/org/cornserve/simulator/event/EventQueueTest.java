package org.cornserve.simulator.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventQueueTest {

    /** Key of the reference model: time, tie-break, insertion sequence. */
    private record Key(long time, int tie, long seq) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(time, o.time);
            if (c == 0) {
                c = Integer.compare(tie, o.tie);
            }
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
        26, 27, 28, 29, 30})
    void popsInTheSameOrderAsATreeMapModel(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        EventQueue<Long> queue = new EventQueue<>();
        assertEquals(-1, queue.lastSequence());
        TreeMap<Key, Long> model = new TreeMap<>();
        long seq = 0;
        long now = 0;
        int ops = 5000;
        int timeSpread = 1 + random.nextInt(50);
        for (int i = 0; i < ops; i++) {
            if (model.isEmpty() || random.nextInt(100) < 55) {
                long time = now + random.nextInt(timeSpread);
                int tie = random.nextInt(4);
                long id = seq;
                // push gives back the insertion sequence, and lastSequence the popped event's (stale-event checks)
                assertEquals(seq, queue.push(time, tie, id));
                model.put(new Key(time, tie, seq++), id);
            } else {
                Map.Entry<Key, Long> expected = model.pollFirstEntry();
                assertEquals(expected.getKey().time(), queue.peekTime());
                assertEquals(expected.getValue(), queue.poll());
                assertEquals(expected.getKey().seq(), queue.lastSequence());
                now = queue.now();
                assertEquals(expected.getKey().time(), now);
            }
            assertEquals(model.size(), queue.size());
        }
        while (!model.isEmpty()) {
            assertEquals(model.pollFirstEntry().getValue(), queue.poll());
        }
        assertTrue(queue.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void growsPastItsInitialCapacityInOrder(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        EventQueue<Long> queue = new EventQueue<>();
        TreeMap<Key, Long> model = new TreeMap<>();
        for (long seq = 0; seq < 5000; seq++) {
            long time = random.nextInt(1000);
            int tie = random.nextInt(4);
            queue.push(time, tie, seq);
            model.put(new Key(time, tie, seq), seq);
        }
        assertEquals(5000, queue.size());
        while (!model.isEmpty()) {
            Map.Entry<Key, Long> expected = model.pollFirstEntry();
            assertEquals(expected.getKey().time(), queue.peekTime());
            assertEquals(expected.getValue(), queue.poll());
        }
        assertTrue(queue.isEmpty());
    }

    @Test
    void anEventInThePastIsAnError() {
        EventQueue<String> queue = new EventQueue<>();
        queue.push(10, 0, "a");
        queue.push(20, 0, "b");
        queue.poll();
        queue.push(10, 0, "same time is fine");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> queue.push(9, 0, "late"));
        assertTrue(e.getMessage().contains("before the current time 10"), e.getMessage());
    }

    @Test
    void tieBreakOutOfRangeIsAnError() {
        EventQueue<String> queue = new EventQueue<>();
        assertThrows(IllegalArgumentException.class, () -> queue.push(0, 256, "x"));
        assertThrows(IllegalArgumentException.class, () -> queue.push(0, -1, "x"));
        assertThrows(IllegalStateException.class, queue::poll);
    }
}
