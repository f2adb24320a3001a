package org.cornserve.planner.schedule.dispatch;

import org.cornserve.planner.schedule.graph.InvocationGraph;

/**
 * A request in flight through its invocation graph: where each invocation was routed, how many of its inputs
 * have arrived, and how many invocations are left. An invocation is released when its last input arrives
 * (branches join there); the request completes when its last invocation finishes.
 *
 * <p>Streamed edges ({@code DataEdge.streamed()}, only in graphs that have them): each edge counts the transfers
 * started and arrived and whether its producer has finished (no more to come); its consumer is released by the
 * first arrival and may finish only when every streamed edge into it has settled (closed, all arrived).
 */
public final class ActiveRequest {
    private final long requestId;
    private final InvocationGraph graph;
    private final Object attachment;
    /**
     * Per invocation, {@value #STRIDE} ints from {@code STRIDE * node}: deployment, task, replica, inputs still
     * missing, batcher handle, finished (0 or 1). One array rather than one per column: most requests have one
     * invocation, so this is one small allocation per request instead of six.
     */
    private final int[] nodes;
    private int unfinished;
    private boolean aborted;
    private long firstOutputNanos = Long.MIN_VALUE;
    private final int[] chunksSent;
    private final int[] chunksArrived;
    private final byte[] streamState;
    private final int[] openStreams;
    private final boolean[] finishDeferred;

    /** Neighbours in {@link ActiveRequests}' arrival order while this request is in one; null otherwise. */
    ActiveRequest previousActive;
    ActiveRequest nextActive;

    private static final int STRIDE = 6;
    private static final int DEPLOYMENT = 0;
    private static final int TASK = 1;
    private static final int REPLICA = 2;
    private static final int MISSING = 3;
    private static final int HANDLE = 4;
    private static final int DONE = 5;

    private static final byte OPEN = 0;
    private static final byte CLOSED = 1;
    private static final byte SETTLED = 2;

    /**
     * @param attachment anything the engine wants back with this request (its metrics record)
     * @param deployment deployment index of each invocation
     * @param task task index (within its deployment) of each invocation
     * @param replica replica index of each invocation
     *     (the three arrays are read here, their first {@code graph.size()} entries, and not kept: the caller may
     *     reuse them)
     */
    public ActiveRequest(long requestId, InvocationGraph graph, Object attachment, int[] deployment, int[] task,
            int[] replica) {
        if (deployment.length < graph.size() || task.length < graph.size() || replica.length < graph.size()) {
            throw new IllegalArgumentException("one deployment, task and replica per invocation");
        }
        this.requestId = requestId;
        this.graph = graph;
        this.attachment = attachment;
        int size = graph.size();
        this.nodes = new int[STRIDE * size];
        for (int i = 0; i < size; i++) {
            int at = STRIDE * i;
            nodes[at + DEPLOYMENT] = deployment[i];
            nodes[at + TASK] = task[i];
            nodes[at + REPLICA] = replica[i];
            nodes[at + MISSING] = graph.inDegree(i);
            nodes[at + HANDLE] = -1;
        }
        this.unfinished = size;
        if (graph.streams()) {
            int edges = graph.edges().size();
            chunksSent = new int[edges];
            chunksArrived = new int[edges];
            streamState = new byte[edges];
            openStreams = new int[graph.size()];
            finishDeferred = new boolean[graph.size()];
            for (int e = 0; e < edges; e++) {
                if (graph.edge(e).streamed()) {
                    openStreams[graph.edge(e).to()]++;
                }
            }
        } else {
            chunksSent = null;
            chunksArrived = null;
            streamState = null;
            openStreams = null;
            finishDeferred = null;
        }
    }

    /** Transfers started (or local hand-overs made) on streamed edge {@code edge}. */
    public int chunksSent(int edge) {
        return chunksSent[edge];
    }

    /** Counts one transfer started on streamed edge {@code edge}. */
    public void chunkSent(int edge) {
        chunksSent[edge]++;
    }

    /** Counts one transfer of streamed edge {@code edge} arrived; returns the arrivals so far. */
    public int chunkArrived(int edge) {
        if (chunksArrived[edge] >= chunksSent[edge]) {
            throw new IllegalStateException("request " + requestId + ": edge " + edge + " got more chunks than were sent");
        }
        return ++chunksArrived[edge];
    }

    /** Marks streamed edge {@code edge} closed: its producer finished and sent its last transfer. */
    public void closeStream(int edge) {
        if (streamState[edge] == OPEN) {
            streamState[edge] = CLOSED;
        }
    }

    /**
     * Settles streamed edge {@code edge} if it is closed and everything sent has arrived; true when it settled just
     * now (once per edge).
     */
    public boolean settle(int edge) {
        if (streamState[edge] != CLOSED || chunksArrived[edge] != chunksSent[edge]) {
            return false;
        }
        streamState[edge] = SETTLED;
        openStreams[graph.edge(edge).to()]--;
        return true;
    }

    /** Whether a streamed edge into {@code node} has not settled yet (the node may not finish before). */
    public boolean streamsOpen(int node) {
        return openStreams != null && openStreams[node] > 0;
    }

    /** Records that {@code node}'s computation ended while a stream into it was open: its finish waits. */
    public void deferFinish(int node) {
        finishDeferred[node] = true;
        nodes[STRIDE * node + HANDLE] = -1;
    }

    /** Whether {@code node}'s finish was deferred; clears the mark. */
    public boolean takeDeferredFinish(int node) {
        boolean was = finishDeferred[node];
        finishDeferred[node] = false;
        return was;
    }

    /** The batcher handle of a queued or running invocation, or -1 when it is not queued (yet) or finished. */
    public int handleOf(int node) {
        return nodes[STRIDE * node + HANDLE];
    }

    /** Records the batcher handle of an invocation just queued. */
    public void queued(int node, int batcherHandle) {
        nodes[STRIDE * node + HANDLE] = batcherHandle;
    }

    /** Whether invocation {@code node} finished. */
    public boolean finishedNode(int node) {
        return nodes[STRIDE * node + DONE] != 0;
    }

    /** Whether the request failed or was cancelled: nothing more of it runs or is reported. */
    public boolean aborted() {
        return aborted;
    }

    /** Marks the request failed or cancelled. */
    public void abort() {
        aborted = true;
    }

    public long requestId() {
        return requestId;
    }

    public InvocationGraph graph() {
        return graph;
    }

    public Object attachment() {
        return attachment;
    }

    public int deploymentOf(int node) {
        return nodes[STRIDE * node + DEPLOYMENT];
    }

    public int taskOf(int node) {
        return nodes[STRIDE * node + TASK];
    }

    public int replicaOf(int node) {
        return nodes[STRIDE * node + REPLICA];
    }

    /** Counts one input of {@code node} as arrived; true when it was the last, so the node is released. */
    public boolean inputArrived(int node) {
        int at = STRIDE * node + MISSING;
        if (nodes[at] <= 0) {
            throw new IllegalStateException("request " + requestId + ": invocation " + node + " got more inputs than it has");
        }
        return --nodes[at] == 0;
    }

    /** Counts {@code node} as finished; true when it was the request's last invocation. */
    public boolean finished(int node) {
        int at = STRIDE * node;
        if (unfinished <= 0 || nodes[at + DONE] != 0) {
            throw new IllegalStateException("request " + requestId + " finished invocation " + node + " twice or"
                    + " more invocations than it has");
        }
        nodes[at + DONE] = 1;
        nodes[at + HANDLE] = -1;
        return --unfinished == 0;
    }

    /** Records an output at {@code nowNanos}; true when it is the request's first. */
    public boolean output(long nowNanos) {
        if (firstOutputNanos != Long.MIN_VALUE) {
            return false;
        }
        firstOutputNanos = nowNanos;
        return true;
    }

    /** Time of the first output, or Long.MIN_VALUE when none yet. */
    public long firstOutputNanos() {
        return firstOutputNanos;
    }

    public boolean done() {
        return unfinished == 0;
    }
}
