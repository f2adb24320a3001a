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
    private final int[] deployment;
    private final int[] task;
    private final int[] replica;
    private final int[] missingInputs;
    private final int[] handle;
    private final boolean[] nodeDone;
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

    private static final byte OPEN = 0;
    private static final byte CLOSED = 1;
    private static final byte SETTLED = 2;

    /**
     * @param attachment anything the engine wants back with this request (its metrics record)
     * @param deployment deployment index of each invocation
     * @param task task index (within its deployment) of each invocation
     * @param replica replica index of each invocation
     */
    public ActiveRequest(long requestId, InvocationGraph graph, Object attachment, int[] deployment, int[] task,
            int[] replica) {
        if (deployment.length != graph.size() || task.length != graph.size() || replica.length != graph.size()) {
            throw new IllegalArgumentException("one deployment, task and replica per invocation");
        }
        this.task = task;
        this.requestId = requestId;
        this.graph = graph;
        this.attachment = attachment;
        this.deployment = deployment;
        this.replica = replica;
        this.missingInputs = new int[graph.size()];
        for (int i = 0; i < graph.size(); i++) {
            missingInputs[i] = graph.inDegree(i);
        }
        this.unfinished = graph.size();
        this.handle = new int[graph.size()];
        java.util.Arrays.fill(handle, -1);
        this.nodeDone = new boolean[graph.size()];
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
        handle[node] = -1;
    }

    /** Whether {@code node}'s finish was deferred; clears the mark. */
    public boolean takeDeferredFinish(int node) {
        boolean was = finishDeferred[node];
        finishDeferred[node] = false;
        return was;
    }

    /** The batcher handle of a queued or running invocation, or -1 when it is not queued (yet) or finished. */
    public int handleOf(int node) {
        return handle[node];
    }

    /** Records the batcher handle of an invocation just queued. */
    public void queued(int node, int batcherHandle) {
        handle[node] = batcherHandle;
    }

    /** Whether invocation {@code node} finished. */
    public boolean finishedNode(int node) {
        return nodeDone[node];
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
        return deployment[node];
    }

    public int taskOf(int node) {
        return task[node];
    }

    public int replicaOf(int node) {
        return replica[node];
    }

    /** Counts one input of {@code node} as arrived; true when it was the last, so the node is released. */
    public boolean inputArrived(int node) {
        if (missingInputs[node] <= 0) {
            throw new IllegalStateException("request " + requestId + ": invocation " + node + " got more inputs than it has");
        }
        return --missingInputs[node] == 0;
    }

    /** Counts {@code node} as finished; true when it was the request's last invocation. */
    public boolean finished(int node) {
        if (unfinished <= 0 || nodeDone[node]) {
            throw new IllegalStateException("request " + requestId + " finished invocation " + node + " twice or"
                    + " more invocations than it has");
        }
        nodeDone[node] = true;
        handle[node] = -1;
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
