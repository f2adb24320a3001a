package org.cornserve.planner.schedule.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The primitive map against {@link HashMap} under seeded random puts, gets and removes, grown or sized ahead. */
class LongIntMapTest {

    @ParameterizedTest(name = "seed {0}, keys in 1..{1}, sized for {2}")
    @CsvSource({"1, 8, -1", "2, 64, -1", "3, 1000, -1", "4, 100000, -1", "5, 0, -1", "6, 1000, 1000", "7, 0, 30000",
        "8, 100000, 3", "9, 64, 0"})
    void behavesLikeAHashMap(long seed, long keyRange, int expected) {
        Random rnd = new Random(seed);
        // -1: the default size, grown as it fills; else sized for that many (fewer: it grows past them)
        LongIntMap map = expected < 0 ? new LongIntMap() : new LongIntMap(expected);
        Map<Long, Integer> ref = new HashMap<>();
        for (int op = 0; op < 50_000; op++) {
            // keyRange 0: arbitrary 64-bit keys (chained hashes); else a small range to force collisions and shifts
            long key = keyRange == 0 ? rnd.nextLong() : 1 + rnd.nextLong(keyRange);
            if (key == 0) {
                key = 1;
            }
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    int v = rnd.nextInt();
                    assertEquals(ref.putIfAbsent(key, v) == null, map.putIfAbsent(key, v), "put " + key);
                }
                case 1 -> assertEquals(ref.remove(key) != null, map.remove(key), "remove " + key);
                default -> assertEquals(ref.getOrDefault(key, -1), map.get(key, -1), "get " + key);
            }
            assertEquals(ref.size(), map.size());
        }
        for (Map.Entry<Long, Integer> e : ref.entrySet()) {
            assertEquals(e.getValue(), map.get(e.getKey(), -1));
        }
    }
}
