package org.cornserve.planner.schedule.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * A request's graph of unit-task invocations (a DAG): nodes are invocations, edges carry data. Built once
 * per request before anything runs, so the dispatcher sees the whole graph up front. Immutable; the
 * adjacency is kept as compact arrays because the dispatcher walks it on every completion.
 */
public final class InvocationGraph {
    private final List<Invocation> nodes;
    /** {@code nodes.size()}, kept here: the engines read it per request, often before anything else of the graph. */
    private final int size;
    private final List<DataEdge> edges;
    private final int[] inDegree;
    private final int[] outStart;
    private final int[] outEdges;
    private final long[] traceOutputTokens;
    private final long outputTokens;
    private final int tokenStreamNode;
    private final int speechNode;
    private final int speechSourceNode;
    private final double audioSeconds;
    private final int[] streamChunk;

    private InvocationGraph(InvocationGraph base, int speechNode, int speechSourceNode, double audioSeconds) {
        this.nodes = base.nodes;
        this.size = base.size;
        this.edges = base.edges;
        this.inDegree = base.inDegree;
        this.outStart = base.outStart;
        this.outEdges = base.outEdges;
        this.traceOutputTokens = base.traceOutputTokens;
        this.outputTokens = base.outputTokens;
        this.tokenStreamNode = base.tokenStreamNode;
        this.streamChunk = base.streamChunk;
        this.speechNode = speechNode;
        this.speechSourceNode = speechSourceNode;
        this.audioSeconds = audioSeconds;
    }

    private InvocationGraph(List<Invocation> nodes, List<DataEdge> edges, long[] traceOutputTokens) {
        this.nodes = List.copyOf(nodes);
        this.size = this.nodes.size();
        this.edges = List.copyOf(edges);
        int n = this.nodes.size();
        if (n == 0) {
            throw new IllegalArgumentException("invocation graph needs at least one invocation");
        }
        if (traceOutputTokens == null) {
            traceOutputTokens = new long[n];
            for (int i = 0; i < n; i++) {
                traceOutputTokens[i] = this.nodes.get(i).work().maxTokens();
            }
        } else if (traceOutputTokens.length != n) {
            throw new IllegalArgumentException("one trace output length per invocation: " + traceOutputTokens.length
                    + " for " + n + " invocations");
        } else {
            traceOutputTokens = traceOutputTokens.clone();
            for (int i = 0; i < n; i++) {
                if (traceOutputTokens[i] < 0) {
                    throw new IllegalArgumentException("invocation " + i + ": trace output length must be >= 0, got "
                            + traceOutputTokens[i]);
                }
            }
        }
        this.traceOutputTokens = traceOutputTokens;
        inDegree = new int[n];
        outStart = new int[n + 1];
        for (DataEdge e : this.edges) {
            if (e.from() >= n || e.to() >= n) {
                throw new IllegalArgumentException("edge " + e.from() + " -> " + e.to() + " names an invocation outside 0.." + (n - 1));
            }
            inDegree[e.to()]++;
            outStart[e.from() + 1]++;
        }
        for (int i = 0; i < n; i++) {
            outStart[i + 1] += outStart[i];
        }
        outEdges = new int[this.edges.size()];
        int[] fill = outStart.clone();
        for (int i = 0; i < this.edges.size(); i++) {
            outEdges[fill[this.edges.get(i).from()]++] = i;
        }
        requireAcyclic();
        int[] chunks = null;
        for (DataEdge e : this.edges) {
            if (e.streamed()) {
                if (chunks == null) {
                    chunks = new int[n];
                }
                int c = chunks[e.from()];
                chunks[e.from()] = c == 0 ? e.streamChunkTokens() : Math.min(c, e.streamChunkTokens());
            }
        }
        streamChunk = chunks;
        long out = 0;
        int stream = -1;
        for (int i = 0; i < n; i++) {
            Invocation inv = this.nodes.get(i);
            if (inv.output() && this.traceOutputTokens[i] > out) {
                out = this.traceOutputTokens[i];
                stream = i;
            }
        }
        outputTokens = out;
        tokenStreamNode = stream;
        speechNode = -1;
        speechSourceNode = -1;
        audioSeconds = 0;
    }

    /**
     * This graph with its speech output described: {@code speechNode} is the output invocation that produces the
     * waveform (a vocoder), {@code sourceNode} the invocation streaming codes into it (a talker, whose first
     * token is the first audio the response can play), or -1 when none streams, and {@code audioSeconds} the
     * duration of the speech produced.
     *
     * @throws IllegalArgumentException when a node is out of range, the speech node is not an output, the
     *     source has no edge into it, or the duration is not positive
     */
    public InvocationGraph withSpeech(int speechNode, int sourceNode, double audioSeconds) {
        if (speechNode < 0 || speechNode >= nodes.size() || !nodes.get(speechNode).output()) {
            throw new IllegalArgumentException("speech node " + speechNode + " is not an output invocation of this graph");
        }
        if (sourceNode >= 0) {
            boolean feeds = false;
            for (int k = 0; k < outDegree(sourceNode); k++) {
                feeds |= edges.get(outEdge(sourceNode, k)).to() == speechNode;
            }
            if (!feeds) {
                throw new IllegalArgumentException("speech source " + sourceNode + " has no edge into speech node " + speechNode);
            }
        }
        if (!(audioSeconds > 0) || Double.isInfinite(audioSeconds)) {
            throw new IllegalArgumentException("audio seconds must be > 0, got " + audioSeconds);
        }
        return new InvocationGraph(this, speechNode, sourceNode, audioSeconds);
    }

    /**
     * Builds a graph whose LLM invocations, when simulated, generate up to their {@code max_tokens} cap (the trace
     * output length of each node is its {@code Work.maxTokens()}); throws when an edge is out of range or the
     * edges form a cycle.
     */
    public static InvocationGraph of(List<Invocation> nodes, List<DataEdge> edges) {
        return new InvocationGraph(nodes, edges, null);
    }

    /**
     * Builds a graph with the tokens each invocation generates in the workload being simulated (see
     * {@link #traceOutputTokens}); throws when an edge is out of range, the edges form a cycle or a length is
     * negative.
     */
    public static InvocationGraph of(List<Invocation> nodes, List<DataEdge> edges, long[] traceOutputTokens) {
        return new InvocationGraph(nodes, edges, traceOutputTokens);
    }

    /** A graph of one invocation that, simulated, generates up to its cap. */
    public static InvocationGraph single(Invocation invocation) {
        return new InvocationGraph(List.of(invocation), List.of(), null);
    }

    /** A graph of one invocation that, simulated, generates {@code traceOutputTokens} tokens. */
    public static InvocationGraph single(Invocation invocation, long traceOutputTokens) {
        return new InvocationGraph(List.of(invocation), List.of(), new long[] {traceOutputTokens});
    }

    /**
     * The tokens invocation {@code node} generates in the workload being simulated (the trace's output length;
     * for a decode-phase node the first token, which prefill produced, counts): what a simulated engine turns
     * into the end-of-sequence fact at the right iteration. This is the answer, not a request field: the
     * scheduling core never reads it (a test holds this), and a live server has no such thing.
     */
    public long traceOutputTokens(int node) {
        return traceOutputTokens[node];
    }

    private void requireAcyclic() {
        int n = nodes.size();
        int[] indeg = inDegree.clone();
        int[] stack = new int[n];
        int top = 0;
        int seen = 0;
        for (int i = 0; i < n; i++) {
            if (indeg[i] == 0) {
                stack[top++] = i;
            }
        }
        while (top > 0) {
            int v = stack[--top];
            seen++;
            for (int k = outStart[v]; k < outStart[v + 1]; k++) {
                int w = edges.get(outEdges[k]).to();
                if (--indeg[w] == 0) {
                    stack[top++] = w;
                }
            }
        }
        if (seen != n) {
            throw new IllegalArgumentException("invocation graph has a cycle among its " + n + " invocations");
        }
    }

    public int size() {
        return size;
    }

    public Invocation node(int index) {
        return nodes.get(index);
    }

    public List<Invocation> nodes() {
        return nodes;
    }

    public List<DataEdge> edges() {
        return edges;
    }

    public DataEdge edge(int index) {
        return edges.get(index);
    }

    /** Number of edges entering {@code node}. */
    public int inDegree(int node) {
        return inDegree[node];
    }

    /** Number of edges leaving {@code node}. */
    public int outDegree(int node) {
        return outStart[node + 1] - outStart[node];
    }

    /** The {@code k}-th edge index leaving {@code node}, {@code 0 <= k < outDegree(node)}. */
    public int outEdge(int node, int k) {
        return outEdges[outStart[node] + k];
    }

    /** Output tokens the response carries (by the trace): the largest trace output length among output invocations. */
    public long outputTokens() {
        return outputTokens;
    }

    /**
     * The output invocation that generates the response's tokens (the one with the most output tokens; the first
     * such on a tie), whose finish ends the token stream; -1 when the response has no tokens (an image).
     */
    public int tokenStreamNode() {
        return tokenStreamNode;
    }

    /** Whether any edge of the graph is streamed ({@link DataEdge#streamed()}). */
    public boolean streams() {
        return streamChunk != null;
    }

    /**
     * The tokens invocation {@code node} generates before its first streamed chunk is due: the smallest chunk of the
     * streamed edges leaving it, 0 when none does.
     */
    public int streamChunkTokens(int node) {
        return streamChunk == null ? 0 : streamChunk[node];
    }

    /** Whether the response includes speech ({@link #withSpeech}). */
    public boolean hasSpeech() {
        return speechNode >= 0;
    }

    /** The output invocation producing the response's waveform, or -1 without speech. */
    public int speechNode() {
        return speechNode;
    }

    /** The invocation streaming codes into the speech node (its first token is the first audio), or -1. */
    public int speechSourceNode() {
        return speechSourceNode;
    }

    /** Duration of the response's speech in seconds, 0 without speech. */
    public double audioSeconds() {
        return audioSeconds;
    }

    /** Indices of invocations with no inputs, in index order. */
    public List<Integer> roots() {
        List<Integer> roots = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (inDegree[i] == 0) {
                roots.add(i);
            }
        }
        return roots;
    }
}
