package org.cornserve.planner.schedule.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.Work;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The map of requests in flight against a {@link LinkedHashMap} under seeded random puts, gets and removes. */
class ActiveRequestsTest {
    private static final InvocationGraph GRAPH = InvocationGraph.single(new Invocation("m/llm", Work.llm(10, 5), true));

    private static ActiveRequest request(long id) {
        return new ActiveRequest(id, GRAPH, null, new int[1], new int[1], new int[1]);
    }

    @ParameterizedTest(name = "seed {0}, ids in 0..{1}")
    @CsvSource({"1, 8", "2, 64", "3, 1000", "4, 100000", "5, 0"})
    void behavesLikeALinkedHashMap(long seed, long idRange) {
        Random rnd = new Random(seed);
        ActiveRequests map = new ActiveRequests();
        Map<Long, ActiveRequest> ref = new LinkedHashMap<>();
        for (int op = 0; op < 30_000; op++) {
            // idRange 0: arbitrary 64-bit ids (negative and zero included); else a small range for collisions
            long id = idRange == 0 ? rnd.nextLong() : rnd.nextLong(idRange);
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    if (ref.containsKey(id)) {
                        ActiveRequest twin = request(id);
                        assertThrows(IllegalArgumentException.class, () -> map.put(twin));
                    } else {
                        ActiveRequest r = request(id);
                        ref.put(id, r);
                        map.put(r);
                    }
                }
                case 1 -> assertSame(ref.remove(id), map.remove(id), "remove " + id);
                default -> {
                    assertSame(ref.get(id), map.get(id), "get " + id);
                    assertEquals(ref.containsKey(id), map.containsKey(id));
                }
            }
            assertEquals(ref.size(), map.size());
            if (op % 997 == 0) {
                assertEquals(new ArrayList<>(ref.values()), map.inOrder(), "order after op " + op);
            }
        }
        assertEquals(new ArrayList<>(ref.values()), map.inOrder());
    }

    @Test
    void aRequestCannotBeInTwice() {
        ActiveRequests map = new ActiveRequests();
        ActiveRequest r = request(7);
        map.put(r);
        assertThrows(IllegalArgumentException.class, () -> map.put(r));
        assertSame(r, map.remove(7));
        map.put(r);
        assertEquals(1, map.size());
    }
}
