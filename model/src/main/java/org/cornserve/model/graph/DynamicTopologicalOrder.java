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
            List<Integer> forward = new ArrayList<>();
            List<Integer> backward = new ArrayList<>();
            int[] stack = new int[position.length + 1];
            int top = 0;
            stack[top++] = target;
            while (top > 0) {
                int v = stack[--top];
                if (visited[position[v] - lb]) {
                    continue;
                }
                visited[position[v] - lb] = true;
                forward.add(v);
                for (int w : out.get(v)) {
                    int p = position[w];
                    if (p == ub) {
                        throw new IllegalStateException("edge " + source + " -> " + target + " would induce a cycle");
                    }
                    if (p >= lb && p <= ub && !visited[p - lb]) {
                        stack = push(stack, top, w);
                        top++;
                    }
                }
            }
            stack[top++] = source;
            while (top > 0) {
                int v = stack[--top];
                if (visited[position[v] - lb]) {
                    continue;
                }
                visited[position[v] - lb] = true;
                backward.add(v);
                for (int u : in.get(v)) {
                    int p = position[u];
                    if (p >= lb && p <= ub && !visited[p - lb]) {
                        stack = push(stack, top, u);
                        top++;
                    }
                }
            }
            reorder(forward, backward);
        }
        out.get(source).add(target);
        in.get(target).add(source);
        return true;
    }

    private static int[] push(int[] stack, int top, int v) {
        int[] s = top < stack.length ? stack : Arrays.copyOf(stack, stack.length * 2);
        s[top] = v;
        return s;
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
