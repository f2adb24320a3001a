package org.cornserve.planner.schedule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.planner.schedule.admit.AdmissionControl;
import org.cornserve.planner.schedule.batch.InvocationListener;
import org.cornserve.planner.schedule.batch.LlmBatcher;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.planner.schedule.batch.StepVisitor;
import org.cornserve.planner.schedule.batch.TaskBatcher;
import org.cornserve.planner.schedule.dispatch.ActiveRequest;
import org.cornserve.planner.schedule.graph.DataEdge;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.replica.ReplicaScheduler;
import org.cornserve.planner.schedule.route.ReplicaLoads;
import org.cornserve.planner.schedule.route.Router;
import org.cornserve.planner.schedule.route.Routers;

/**
 * The scheduling core shared by the simulator and the runtime: a deterministic, single-threaded state machine
 * that takes facts (a request arrived, a step ended, a transfer ended, a wake-up came due), each with the time
 * now, and answers with {@link Decisions}. No clocks, threads or queues of its own.
 *
 * <p>On arrival a request's invocations are resolved to deployments by task key; the request is rejected
 * whole, with a reason, when a task has no deployment, a sequence can never fit a replica's KV cache, or a
 * deployment's admission bound would be passed. Otherwise each deployment it touches picks one replica with
 * its router (all of the request's invocations on that deployment share the replica, so colocated tasks hand
 * data over in device memory), and the invocations without inputs are queued. When an invocation finishes, its
 * outputs move to each consumer (at once on the same replica, else by a transfer decision); a consumer is
 * queued when its last input arrives; the request completes when its last invocation finishes.
 */
public final class SchedulerCore implements InvocationListener {
    private final DeploymentConfig[] deployments;
    private final ReplicaScheduler[][] replicas;
    private final Router[] routers;
    private final long[][] load;
    private final Loads[] loadViews;
    private final Map<String, int[]> taskIndex = new HashMap<>();
    private final AdmissionControl admission;
    private final Decisions out;
    private final long[][] cutRequestedAt;
    private final long[][] pendingWake;
    private final boolean[][] completing;
    private final int[] counts;
    private final int[] chosenReplica;

    public SchedulerCore(List<DeploymentConfig> deploymentConfigs, Decisions decisions) {
        this.deployments = deploymentConfigs.toArray(new DeploymentConfig[0]);
        if (deployments.length == 0) {
            throw new IllegalArgumentException("scheduler core needs at least one deployment");
        }
        this.out = decisions;
        int n = deployments.length;
        replicas = new ReplicaScheduler[n][];
        routers = new Router[n];
        load = new long[n][];
        loadViews = new Loads[n];
        cutRequestedAt = new long[n][];
        pendingWake = new long[n][];
        completing = new boolean[n][];
        String[] names = new String[n];
        int[] bounds = new int[n];
        for (int d = 0; d < n; d++) {
            DeploymentConfig dc = deployments[d];
            names[d] = dc.name();
            bounds[d] = dc.maxOutstandingInvocations();
            for (int t = 0; t < dc.tasks().size(); t++) {
                int[] prior = taskIndex.put(dc.tasks().get(t).taskKey(), new int[] {d, t});
                if (prior != null) {
                    throw new IllegalArgumentException("task " + dc.tasks().get(t).taskKey() + " is served by both "
                            + deployments[prior[0]].name() + " and " + dc.name());
                }
            }
            replicas[d] = new ReplicaScheduler[dc.replicas()];
            for (int r = 0; r < dc.replicas(); r++) {
                List<TaskBatcher> batchers = new ArrayList<>();
                for (TaskConfig tc : dc.tasks()) {
                    batchers.add(tc.newBatcher());
                }
                replicas[d][r] = new ReplicaScheduler(batchers);
            }
            routers[d] = Routers.byName(dc.router()).create(dc.routerSeed());
            load[d] = new long[dc.replicas()];
            loadViews[d] = new Loads(load[d]);
            cutRequestedAt[d] = new long[dc.replicas()];
            Arrays.fill(cutRequestedAt[d], Long.MAX_VALUE);
            pendingWake[d] = new long[dc.replicas()];
            Arrays.fill(pendingWake[d], Long.MAX_VALUE);
            completing[d] = new boolean[dc.replicas()];
        }
        admission = new AdmissionControl(names, bounds);
        counts = new int[n];
        chosenReplica = new int[n];
    }

    private record Loads(long[] work) implements ReplicaLoads {
        @Override
        public int replicas() {
            return work.length;
        }

        @Override
        public long outstandingWork(int replica) {
            return work[replica];
        }
    }

    /** Fact: a request arrived with its invocation graph. */
    public void arrive(long requestId, InvocationGraph graph, Object attachment, long nowNanos) {
        int size = graph.size();
        int[] dep = new int[size];
        int[] task = new int[size];
        Arrays.fill(counts, 0);
        for (int i = 0; i < size; i++) {
            Invocation inv = graph.node(i);
            int[] where = taskIndex.get(inv.taskKey());
            if (where == null) {
                out.rejected(requestId, graph, attachment, "no deployment serves task " + inv.taskKey(), nowNanos);
                return;
            }
            dep[i] = where[0];
            task[i] = where[1];
            counts[where[0]]++;
            if (deployments[where[0]].tasks().get(where[1]) instanceof TaskConfig.Llm llm) {
                String why = LlmBatcher.rejectReason(inv.work(), llm.batching(), llm.phase());
                if (why != null) {
                    out.rejected(requestId, graph, attachment, "deployment " + deployments[where[0]].name()
                            + ", task " + inv.taskKey() + ": " + why, nowNanos);
                    return;
                }
            }
        }
        String why = admission.check(counts);
        if (why != null) {
            out.rejected(requestId, graph, attachment, why, nowNanos);
            return;
        }
        admission.admit(counts);
        Arrays.fill(chosenReplica, -1);
        int[] replica = new int[size];
        for (int i = 0; i < size; i++) {
            int d = dep[i];
            if (chosenReplica[d] < 0) {
                chosenReplica[d] = routers[d].choose(loadViews[d]);
            }
            replica[i] = chosenReplica[d];
            load[d][replica[i]] += graph.node(i).work().routingWeight();
        }
        ActiveRequest request = new ActiveRequest(requestId, graph, attachment, dep, task, replica);
        for (int i = 0; i < size; i++) {
            if (graph.inDegree(i) == 0) {
                queue(request, i, nowNanos);
            }
        }
        for (int i = 0; i < size; i++) {
            if (graph.inDegree(i) == 0) {
                kick(dep[i], replica[i], nowNanos);
            }
        }
    }

    /** Fact: the step running on the replica ended after {@code iterations} iterations. */
    public void stepDone(int deployment, int replica, long iterations, long nowNanos) {
        completing[deployment][replica] = true;
        try {
            replicas[deployment][replica].complete(iterations, nowNanos, this);
        } finally {
            completing[deployment][replica] = false;
        }
        kick(deployment, replica, nowNanos);
    }

    /** Fact: edge {@code edge}'s data reached its consumer's replica. */
    public void transferDone(ActiveRequest request, int edge, long nowNanos) {
        deliver(request, request.graph().edge(edge).to(), nowNanos);
    }

    /** Fact: a wake-up the core asked for came due. */
    public void wake(int deployment, int replica, long nowNanos) {
        if (pendingWake[deployment][replica] <= nowNanos) {
            pendingWake[deployment][replica] = Long.MAX_VALUE;
        }
        kick(deployment, replica, nowNanos);
    }

    private void queue(ActiveRequest request, int node, long nowNanos) {
        int d = request.deploymentOf(node);
        int r = request.replicaOf(node);
        replicas[d][r].batcher(request.taskOf(node)).enqueue(request, node, request.graph().node(node).work(), nowNanos);
        out.invocationQueued(request, node, nowNanos);
    }

    private void deliver(ActiveRequest request, int node, long nowNanos) {
        if (request.inputArrived(node)) {
            queue(request, node, nowNanos);
            kick(request.deploymentOf(node), request.replicaOf(node), nowNanos);
        }
    }

    private void kick(int d, int r, long nowNanos) {
        if (completing[d][r]) {
            return;
        }
        ReplicaScheduler rs = replicas[d][r];
        if (rs.busy()) {
            long at = rs.staleFromNanos(nowNanos);
            if (at < cutRequestedAt[d][r]) {
                cutRequestedAt[d][r] = at;
                out.endRunBy(d, r, at);
            }
            return;
        }
        Step step = rs.planNext(nowNanos, this);
        if (step != null) {
            cutRequestedAt[d][r] = Long.MAX_VALUE;
            out.startStep(d, r, step, nowNanos);
            long at = rs.staleFromNanos(nowNanos);
            if (at < Long.MAX_VALUE) {
                cutRequestedAt[d][r] = at;
                out.endRunBy(d, r, at);
            }
            return;
        }
        long at = rs.nextReadyAtNanos(nowNanos);
        if (at < Long.MAX_VALUE && at < pendingWake[d][r]) {
            pendingWake[d][r] = at;
            out.wakeAt(d, r, at);
        }
    }

    @Override
    public void started(Object owner, int node, long nowNanos) {
        out.invocationStarted((ActiveRequest) owner, node, nowNanos);
    }

    @Override
    public void firstOutput(Object owner, int node, long nowNanos) {
        ActiveRequest request = (ActiveRequest) owner;
        out.invocationFirstToken(request, node, nowNanos);
        if (request.graph().node(node).output() && request.output(nowNanos)) {
            out.firstOutput(request, node, nowNanos);
        }
    }

    @Override
    public void finished(Object owner, int node, long nowNanos) {
        ActiveRequest request = (ActiveRequest) owner;
        InvocationGraph graph = request.graph();
        int d = request.deploymentOf(node);
        int r = request.replicaOf(node);
        load[d][r] -= graph.node(node).work().routingWeight();
        admission.finished(d);
        out.invocationFinished(request, node, nowNanos);
        if (graph.node(node).output() && request.output(nowNanos)) {
            out.firstOutput(request, node, nowNanos);
        }
        for (int k = 0; k < graph.outDegree(node); k++) {
            int e = graph.outEdge(node, k);
            DataEdge edge = graph.edge(e);
            int td = request.deploymentOf(edge.to());
            int tr = request.replicaOf(edge.to());
            if (td == d && tr == r) {
                deliver(request, edge.to(), nowNanos);
            } else {
                out.startTransfer(request, e, d, r, td, tr, edge.bytes(), nowNanos);
            }
        }
        if (request.finished(node)) {
            if (request.output(nowNanos)) {
                // a graph without output invocations answers when it completes
                out.firstOutput(request, node, nowNanos);
            }
            out.completed(request, nowNanos);
        }
    }

    public int deploymentCount() {
        return deployments.length;
    }

    public DeploymentConfig deployment(int d) {
        return deployments[d];
    }

    /** Invocations admitted to deployment {@code d} and not finished. */
    public long outstanding(int d) {
        return admission.outstanding(d);
    }

    /**
     * Describes the step running on a replica invocation by invocation (which items, which prompt chunks, which
     * decodes), for an engine that computes it for real; the handles passed back are {@link ActiveRequest}s.
     */
    public void describeRunningStep(int deployment, int replica, StepVisitor visitor) {
        replicas[deployment][replica].visitRunningStep(visitor);
    }

    /** The replica's scheduler, for inspection (tests, metrics). */
    public ReplicaScheduler replica(int d, int r) {
        return replicas[d][r];
    }
}
