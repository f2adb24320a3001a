package org.cornserve.model.graph;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jgrapht.Graph;
import org.jgrapht.graph.AsUnmodifiableGraph;
import org.jgrapht.graph.DirectedAcyclicGraph;

/**
 * The task graph of one request: which unit tasks it invokes, in what dependency order, and what flows
 * between them with how many bytes. Built by {@link CompositeTask#requestGraph}; immutable.
 *
 * <p>In JSON it is {@code {"model": ..., "nodes": [...], "flows": [...]}}; reading checks that every flow
 * names existing nodes and that the graph is acyclic.
 */
public final class RequestGraph {
    private final String model;
    private final Map<String, TaskNode> byName;
    private final List<TaskNode> topological;
    private final List<TaskNode> taskNodes;
    /** Every flow, grouped by source node in topological order, each source's in the order given. */
    private final List<Flow> flows;
    private final Map<String, List<Flow>> outgoing;
    private final Map<String, List<Flow>> incoming;

    /**
     * Orders the nodes as JGraphT's {@link DirectedAcyclicGraph} does when the nodes and then the flows are added in
     * turn ({@link DynamicTopologicalOrder}, on arrays: this runs once per simulated request). A flow naming a node
     * that does not exist, a duplicate flow (or a second one between the same two nodes) and a cycle are errors.
     */
    @JsonCreator
    public RequestGraph(
            @JsonProperty(value = "model", required = true) String model,
            @JsonProperty(value = "nodes", required = true) List<TaskNode> nodes,
            @JsonProperty(value = "flows", required = true) List<Flow> flows) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("request graph: model is empty");
        }
        this.model = model;
        Map<String, Integer> position = new LinkedHashMap<>();
        for (TaskNode n : nodes) {
            if (position.putIfAbsent(n.name(), position.size()) != null) {
                throw new IllegalArgumentException("request graph of " + model + ": node '" + n.name() + "' appears twice");
            }
        }
        List<List<Flow>> out = new ArrayList<>(nodes.size());
        List<List<Flow>> in = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            out.add(new ArrayList<>(2));
            in.add(new ArrayList<>(2));
        }
        DynamicTopologicalOrder topo = new DynamicTopologicalOrder(nodes.size());
        for (Flow f : flows) {
            Integer s = position.get(f.source());
            Integer t = position.get(f.target());
            if (s == null || t == null) {
                throw new IllegalArgumentException("request graph of " + model + ": flow " + f.source() + " -> " + f.target()
                        + " names a node that does not exist; nodes: " + position.keySet());
            }
            boolean added;
            try {
                added = topo.addEdge(s, t);
            } catch (IllegalStateException e) {
                throw new IllegalArgumentException("request graph of " + model + ": flow " + f.source() + " -> "
                        + f.target() + " makes a cycle", e);
            }
            if (!added) {
                throw new IllegalArgumentException("request graph of " + model + ": duplicate flow " + f);
            }
            out.get(s).add(f);
            in.get(t).add(f);
        }
        List<TaskNode> order = new ArrayList<>(nodes.size());
        for (int v : topo.order()) {
            order.add(nodes.get(v));
        }
        order = List.copyOf(order);
        this.topological = order;
        this.taskNodes = order.stream().filter(TaskNode::isTask).toList();
        Map<String, TaskNode> named = new HashMap<>();
        Map<String, List<Flow>> outByName = new HashMap<>();
        Map<String, List<Flow>> inByName = new HashMap<>();
        List<Flow> grouped = new ArrayList<>(flows.size());
        for (TaskNode n : order) {
            int i = position.get(n.name());
            named.put(n.name(), n);
            outByName.put(n.name(), List.copyOf(out.get(i)));
            inByName.put(n.name(), List.copyOf(in.get(i)));
            grouped.addAll(out.get(i));
        }
        this.byName = Map.copyOf(named);
        this.outgoing = Map.copyOf(outByName);
        this.incoming = Map.copyOf(inByName);
        this.flows = List.copyOf(grouped);
    }

    @JsonProperty("model")
    public String model() {
        return model;
    }

    /** All nodes in a topological order (input first, output last). */
    @JsonProperty("nodes")
    public List<TaskNode> nodes() {
        return topological;
    }

    /** All flows, grouped by source node in topological order. */
    @JsonProperty("flows")
    public List<Flow> flows() {
        return flows;
    }

    /** The unit-task nodes in a topological order. */
    public List<TaskNode> taskNodes() {
        return taskNodes;
    }

    /** The graph as a read-only JGraphT graph (built on each call: nodes in topological order, then the flows). */
    public Graph<TaskNode, Flow> graph() {
        DirectedAcyclicGraph<TaskNode, Flow> dag = new DirectedAcyclicGraph<>(null, null, false);
        topological.forEach(dag::addVertex);
        for (Flow f : flows) {
            dag.addEdge(byName.get(f.source()), byName.get(f.target()), f);
        }
        return new AsUnmodifiableGraph<>(dag);
    }

    public Optional<TaskNode> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The node with this name; an unknown name lists the nodes. */
    public TaskNode node(String name) {
        TaskNode n = byName.get(name);
        if (n == null) {
            throw new IllegalArgumentException("request graph of " + model + " has no node '" + name + "'; nodes: "
                    + topological.stream().map(TaskNode::name).toList());
        }
        return n;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** Flows into a node. */
    public List<Flow> inFlows(String name) {
        return incoming.get(node(name).name());
    }

    /** Flows out of a node. */
    public List<Flow> outFlows(String name) {
        return outgoing.get(node(name).name());
    }

    /** Names of the nodes a node waits for. */
    public List<String> predecessors(String name) {
        return inFlows(name).stream().map(Flow::source).distinct().toList();
    }

    /** Names of the nodes that wait for a node. */
    public List<String> successors(String name) {
        return outFlows(name).stream().map(Flow::target).distinct().toList();
    }

    /** Bytes moved between unit tasks (flows whose ends are both tasks). */
    public long taskToTaskBytes() {
        long sum = 0;
        for (Flow f : flows) {
            if (byName.get(f.source()).isTask() && byName.get(f.target()).isTask()) {
                sum += f.bytes();
            }
        }
        return sum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestGraph g && model.equals(g.model) && byName.equals(g.byName)
                && new HashSet<>(flows).equals(new HashSet<>(g.flows));
    }

    @Override
    public int hashCode() {
        return model.hashCode() * 31 + byName.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(model).append(": ");
        for (Flow f : flows()) {
            sb.append(f.source()).append(" -[").append(f.kind().jsonName()).append(' ').append(f.bytes()).append("B]-> ")
                    .append(f.target()).append("; ");
        }
        return sb.toString();
    }
}
