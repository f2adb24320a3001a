package org.cornserve.model.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.DirectedAcyclicGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The array order against the reference it replaces, JGraphT's {@link DirectedAcyclicGraph} fed the same vertices
 * and edges in the same order: the same order after every edge, the same edges refused as duplicates and the same
 * ones refused as cycles.
 */
class DynamicTopologicalOrderTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void ordersAsJGraphTsDirectedAcyclicGraph(long seed) {
        Random rnd = new Random(seed);
        for (int graph = 0; graph < 50; graph++) {
            int n = 2 + rnd.nextInt(12);
            DynamicTopologicalOrder mine = new DynamicTopologicalOrder(n);
            DirectedAcyclicGraph<Integer, DefaultEdge> reference = new DirectedAcyclicGraph<>(null, null, false);
            for (int v = 0; v < n; v++) {
                reference.addVertex(v);
            }
            int edges = rnd.nextInt(3 * n);
            for (int e = 0; e < edges; e++) {
                int s = rnd.nextInt(n);
                int t = rnd.nextInt(n);
                if (s == t) {
                    continue;
                }
                String expected;
                try {
                    expected = reference.addEdge(s, t, new DefaultEdge()) ? "added" : "duplicate";
                } catch (IllegalArgumentException cycle) {
                    expected = "cycle";
                }
                String got;
                try {
                    got = mine.addEdge(s, t) ? "added" : "duplicate";
                } catch (IllegalStateException cycle) {
                    got = "cycle";
                }
                String where = "seed " + seed + " graph " + graph + " edge " + s + " -> " + t;
                assertEquals(expected, got, where);
                List<Integer> order = new ArrayList<>();
                reference.iterator().forEachRemaining(order::add);
                assertEquals(order, Arrays.stream(mine.order()).boxed().toList(), where);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRequestGraphNamesItsCycleAndItsDuplicateFlow(boolean cycle) {
        List<TaskNode> nodes = List.of(TaskNode.input(), TaskNode.output());
        Flow in = new Flow("input", "output", FlowKind.TEXT_TOKENS, 1, 4);
        Flow second = cycle ? new Flow("output", "input", FlowKind.TEXT_TOKENS, 1, 4)
                : new Flow("input", "output", FlowKind.TEXT_TOKENS, 2, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RequestGraph("m", nodes, List.of(in, second)));
        assertEquals(cycle ? "request graph of m: flow output -> input makes a cycle"
                : "request graph of m: duplicate flow " + second, e.getMessage());
    }
}
