package org.cornserve.planner.schedule.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cornserve.model.Modality;
import org.junit.jupiter.api.Test;

class InvocationGraphTest {
    private static Invocation inv(String key) {
        return new Invocation(key, Work.batch(Modality.IMAGE, 1, 10), false);
    }

    @Test
    void adjacencyAndDegrees() {
        InvocationGraph g = InvocationGraph.of(List.of(inv("a"), inv("b"), inv("c"),
                new Invocation("llm", Work.llm(10, 7), true)),
                List.of(new DataEdge(0, 3, 1), new DataEdge(1, 3, 2), new DataEdge(2, 3, 3)));
        assertEquals(List.of(0, 1, 2), g.roots());
        assertEquals(3, g.inDegree(3));
        assertEquals(1, g.outDegree(1));
        assertEquals(1, g.outEdge(1, 0));
        assertEquals(7, g.outputTokens());
    }

    @Test
    void cyclesAndBadEdgesAreRefused() {
        IllegalArgumentException cycle = assertThrows(IllegalArgumentException.class, () -> InvocationGraph.of(
                List.of(inv("a"), inv("b")), List.of(new DataEdge(0, 1, 0), new DataEdge(1, 0, 0))));
        assertTrue(cycle.getMessage().contains("cycle"));
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> InvocationGraph.of(
                List.of(inv("a")), List.of(new DataEdge(0, 4, 0))));
        assertTrue(range.getMessage().contains("outside 0..0"), range.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InvocationGraph.of(List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new DataEdge(1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Work.batch(Modality.IMAGE, 0, 1));
    }
}
