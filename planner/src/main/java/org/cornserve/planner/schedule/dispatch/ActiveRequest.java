package org.cornserve.planner.schedule.dispatch;

import org.cornserve.planner.schedule.graph.InvocationGraph;

/**
 * A request in flight through its invocation graph: where each invocation was routed, how many of its inputs
 * have arrived, and how many invocations are left. An invocation is released when its last input arrives
 * (branches join there); the request completes when its last invocation finishes.
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
