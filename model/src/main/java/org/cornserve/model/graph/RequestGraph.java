package org.cornserve.model.graph;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
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
    private final DirectedAcyclicGraph<TaskNode, Flow> dag;
    private final Map<String, TaskNode> byName;
    private final List<TaskNode> topological;

    @JsonCreator
    public RequestGraph(
            @JsonProperty(value = "model", required = true) String model,
            @JsonProperty(value = "nodes", required = true) List<TaskNode> nodes,
            @JsonProperty(value = "flows", required = true) List<Flow> flows) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("request graph: model is empty");
        }
        this.model = model;
        this.dag = new DirectedAcyclicGraph<>(null, null, false);
        Map<String, TaskNode> map = new LinkedHashMap<>();
        for (TaskNode n : nodes) {
            if (map.putIfAbsent(n.name(), n) != null) {
                throw new IllegalArgumentException("request graph of " + model + ": node '" + n.name() + "' appears twice");
            }
            dag.addVertex(n);
        }
        for (Flow f : flows) {
            TaskNode s = map.get(f.source());
            TaskNode t = map.get(f.target());
            if (s == null || t == null) {
                throw new IllegalArgumentException("request graph of " + model + ": flow " + f.source() + " -> " + f.target()
                        + " names a node that does not exist; nodes: " + map.keySet());
            }
            try {
                if (!dag.addEdge(s, t, f)) {
                    throw new IllegalArgumentException("request graph of " + model + ": duplicate flow " + f);
                }
            } catch (IllegalArgumentException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("request graph")) {
                    throw e;
                }
                throw new IllegalArgumentException("request graph of " + model + ": flow " + f.source() + " -> "
                        + f.target() + " makes a cycle", e);
            }
        }
        this.byName = Map.copyOf(map);
        List<TaskNode> order = new ArrayList<>();
        dag.iterator().forEachRemaining(order::add);
        this.topological = List.copyOf(order);
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
        List<Flow> out = new ArrayList<>();
        for (TaskNode n : topological) {
            out.addAll(dag.outgoingEdgesOf(n));
        }
        return out;
    }

    /** The unit-task nodes in a topological order. */
    public List<TaskNode> taskNodes() {
        return topological.stream().filter(TaskNode::isTask).toList();
    }

    /** A read-only view of the JGraphT graph. */
    public Graph<TaskNode, Flow> graph() {
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
        return List.copyOf(dag.incomingEdgesOf(node(name)));
    }

    /** Flows out of a node. */
    public List<Flow> outFlows(String name) {
        return List.copyOf(dag.outgoingEdgesOf(node(name)));
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
        for (Flow f : dag.edgeSet()) {
            if (byName.get(f.source()).isTask() && byName.get(f.target()).isTask()) {
                sum += f.bytes();
            }
        }
        return sum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestGraph g && model.equals(g.model) && byName.equals(g.byName)
                && dag.edgeSet().equals(g.dag.edgeSet());
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
