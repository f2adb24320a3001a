package org.cornserve.model.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A topological order of vertices {@code 0..n-1} kept as edges are added: Pearce and Kelly's dynamic algorithm, the
 * one JGraphT's {@code DirectedAcyclicGraph} runs, on int arrays. Vertices start in their numbering; an edge
 * {@code s -> t} with {@code t} before {@code s} reorders only the affected region between them (the vertices
 * reachable from {@code t} and those reaching {@code s} inside it), so the order after any sequence of edges is the
 * one that graph gives for the same vertices and edges added in the same order. A request graph of ten nodes needs
 * no hash map, no boxing and no vertex hashing.
 *
 * <p>Cost: O(1) for an edge that already runs forward; else O(region + its edges, log region).
 */
final class DynamicTopologicalOrder {
    private final int[] position; // vertex -> topological index
    private final int[] vertexAt; // topological index -> vertex
    private final List<List<Integer>> out;
    private final List<List<Integer>> in;

    DynamicTopologicalOrder(int vertices) {
        position = new int[vertices];
        vertexAt = new int[vertices];
        out = new ArrayList<>(vertices);
        in = new ArrayList<>(vertices);
        for (int v = 0; v < vertices; v++) {
            position[v] = v;
            vertexAt[v] = v;
            out.add(new ArrayList<>(2));
            in.add(new ArrayList<>(2));
        }
    }

    /**
     * Adds {@code source -> target}.
     *
     * @return false, adding nothing, when an edge between the two already runs that way
     * @throws IllegalStateException when the edge would close a cycle (nothing added)
     */
    boolean addEdge(int source, int target) {
        if (out.get(source).contains(target)) {
            return false;
        }
        int lb = position[target];
        int ub = position[source];
        if (lb < ub) {
            boolean[] visited = new boolean[ub - lb + 1];
            List<Integer> forward = affected(target, out, lb, ub, visited, true);
            List<Integer> backward = affected(source, in, lb, ub, visited, false);
            reorder(forward, backward);
        }
        out.get(source).add(target);
        in.get(target).add(source);
        return true;
    }

    /**
     * The vertices of the affected region {@code [lb, ub]} reached from {@code start} along {@code edges} (a
     * depth-first search over those not yet {@code visited}, which it marks). Going forward, reaching the vertex at
     * {@code ub} (the new edge's source) means the edge closes a cycle.
     */
    private List<Integer> affected(int start, List<List<Integer>> edges, int lb, int ub, boolean[] visited,
            boolean forward) {
        List<Integer> found = new ArrayList<>();
        int[] stack = new int[position.length + 1];
        int top = 0;
        stack[top++] = start;
        while (top > 0) {
            int v = stack[--top];
            if (visited[position[v] - lb]) {
                continue;
            }
            visited[position[v] - lb] = true;
            found.add(v);
            for (int w : edges.get(v)) {
                int p = position[w];
                if (forward && p == ub) {
                    throw new IllegalStateException("edge " + vertexAt[ub] + " -> " + start + " would induce a cycle");
                }
                if (p >= lb && p <= ub && !visited[p - lb]) {
                    if (top == stack.length) {
                        stack = Arrays.copyOf(stack, stack.length * 2);
                    }
                    stack[top++] = w;
                }
            }
        }
        return found;
    }

    /** The vertices reaching the source go first, then those reached from the target, into the indices they held. */
    private void reorder(List<Integer> forward, List<Integer> backward) {
        Comparator<Integer> byPosition = Comparator.comparingInt(v -> position[v]);
        forward.sort(byPosition);
        backward.sort(byPosition);
        int[] indices = new int[forward.size() + backward.size()];
        int k = 0;
        for (int v : backward) {
            indices[k++] = position[v];
        }
        for (int v : forward) {
            indices[k++] = position[v];
        }
        Arrays.sort(indices);
        k = 0;
        for (int v : backward) {
            position[v] = indices[k];
            vertexAt[indices[k++]] = v;
        }
        for (int v : forward) {
            position[v] = indices[k];
            vertexAt[indices[k++]] = v;
        }
    }

    /** The vertices in topological order. */
    int[] order() {
        return vertexAt.clone();
    }
}
