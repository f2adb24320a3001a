package org.cornserve.planner.schedule;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.planner.schedule.admit.AdmissionControl;
import org.cornserve.planner.schedule.batch.InvocationListener;
import org.cornserve.planner.schedule.batch.LlmBatcher;
import org.cornserve.planner.schedule.batch.SequenceEnds;
import org.cornserve.planner.schedule.batch.SequenceWatcher;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.planner.schedule.batch.StepVisitor;
import org.cornserve.planner.schedule.batch.TaskBatcher;
import org.cornserve.planner.schedule.dispatch.ActiveRequest;
import org.cornserve.planner.schedule.dispatch.ActiveRequests;
import org.cornserve.planner.schedule.graph.DataEdge;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.replica.DeferredStep;
import org.cornserve.planner.schedule.replica.ReplicaScheduler;
import org.cornserve.planner.schedule.route.ReplicaLoads;
import org.cornserve.planner.schedule.route.Router;
import org.cornserve.planner.schedule.route.Routers;

/**
 * The scheduling core shared by the simulator and the runtime: a deterministic, single-threaded state machine
 * that takes facts (a request arrived, a step ended with the sequences that ended in it, a transfer ended, a
 * wake-up came due, a replica came up or went down, an invocation failed, a request was cancelled), each with the
 * time now, and answers with {@link Decisions}. No clocks, threads or queues of its own. It decides only from what
 * a live server knows: prompts, tokens generated so far, {@code max_tokens} caps and named predictions, never
 * the true output length.
 *
 * <p>On arrival a request's invocations are resolved to deployments by task key; the request is rejected
 * whole, with a reason, when a task has no deployment or no replica up, a sequence can never fit a replica's KV
 * cache, or a deployment's admission bound would be passed. Otherwise each deployment it touches picks one of its
 * replicas that are up with its router (all of the request's invocations on that deployment share the replica,
 * so colocated tasks hand data over in device memory), and the invocations without inputs are queued. When an
 * invocation finishes, its outputs move to each consumer (at once on the same replica, else by a transfer
 * decision); a consumer is queued when its last input arrives; the request completes when its last invocation
 * finishes.
 *
 * <p>Failures: when an invocation fails, or a replica holding part of a request goes down, the whole request
 * fails ({@link Decisions#failed}, naming the stage or replica): its other invocations are dropped wherever they
 * are, their KV freed, and nothing else is touched. A request is not retried on another replica by the core (its
 * colocated invocations and the data they exchanged were on the lost replica); a client or gateway may resend it.
 * A cancelled request is dropped the same way without an answer.
 *
 * <p>Re-entry: a fact handed to the core while it is handling another (a decision callback that reports a fact
 * synchronously) is queued and applied when the current one is done, in order, so facts never interleave and
 * the core's scratch state is never shared between two of them.
 */
public final class SchedulerCore implements InvocationListener {
    private final DeploymentConfig[] deployments;
    private final Router[] routers;
    private final Map<String, int[]> taskIndex = new HashMap<>();
    private final AdmissionControl admission;
    private final Decisions out;
    private final Replica[][] replicas;
    private final int[] replicaCount;
    private final Available[] available;
    private final int[] counts;
    private final int[] chosenReplica;
    /** {@link #doArrive}'s scratch: each invocation's deployment, task and replica while the request is routed. */
    private int[] arriveDeployment = new int[4];
    private int[] arriveTask = new int[4];
    private int[] arriveReplica = new int[4];
    private final ActiveRequests active = new ActiveRequests();
    private final ArrayDeque<Runnable> later = new ArrayDeque<>();
    private boolean inFact;
    private boolean draining;
    private WatcherFactory watchers;
    private final boolean asyncScheduling;
    /** Steps a replica has in flight at most under async scheduling: one computing, the next one sent. */
    public static final int PIPELINE_DEPTH = 2;

    /** Makes a {@link SequenceWatcher} for the LLM batcher of a task on a replica (a simulated engine's look-ahead). */
    @FunctionalInterface
    public interface WatcherFactory {
        SequenceWatcher watcher(int deployment, int replica, int task);
    }

    /** One replica: its engine's scheduler, routed work and the core's bookkeeping of its decisions. */
    private static final class Replica {
        ReplicaScheduler scheduler;
        ReplicaStatus status;
        long load;
        /** Invocations routed here and neither finished nor dropped (queued or not yet released). */
        int routed;
        long cutRequestedAt = Long.MAX_VALUE;
        long pendingWake = Long.MAX_VALUE;
        boolean completing;
        long stepStartedAt;
        long busyNanos;
        /** Async scheduling: the steps sent and not yet reported, oldest first (at most {@link #PIPELINE_DEPTH}). */
        final ArrayDeque<DeferredStep> pipeline = new ArrayDeque<>(PIPELINE_DEPTH);

        Replica(ReplicaScheduler scheduler, ReplicaStatus status) {
            this.scheduler = scheduler;
            this.status = status;
        }
    }

    /** What a router sees: the replicas that are up, in index order (and the request being routed). */
    private static final class Available implements ReplicaLoads {
        int[] index = new int[4];
        int size;
        Replica[] of;
        int deployment;
        InvocationGraph graph;
        int[] dep;
        int[] task;

        @Override
        public int replicas() {
            return size;
        }

        @Override
        public long outstandingWork(int replica) {
            return of[index[replica]].load;
        }

        @Override
        public long cachedPrefixTokens(int replica) {
            long tokens = 0;
            for (int i = 0; i < graph.size(); i++) {
                if (dep[i] == deployment
                        && of[index[replica]].scheduler.batcher(task[i]) instanceof LlmBatcher llm) {
                    tokens += llm.cachedPrefixTokens(graph.node(i).work());
                }
            }
            return tokens;
        }
    }

    /** A core whose plan's replicas are all up from the start (the simulator). */
    public SchedulerCore(List<DeploymentConfig> deploymentConfigs, Decisions decisions) {
        this(deploymentConfigs, decisions, true);
    }

    /**
     * @param replicasUp whether the plan's replicas serve from the start; when false each starts
     *     {@link ReplicaStatus#STARTING} and gets work only after its {@link #replicaUp} (the runtime, which
     *     starts the plan's replicas itself)
     */
    public SchedulerCore(List<DeploymentConfig> deploymentConfigs, Decisions decisions, boolean replicasUp) {
        this(deploymentConfigs, decisions, replicasUp, false);
    }

    /**
     * @param asyncScheduling decide a replica's next step while its current one computes, as vLLM's async
     *     scheduling: a single-iteration step is applied to its batcher when it is sent (every sequence in it taken
     *     to produce its token, none to end by end-of-sequence), so the next step can be sent at once and the engine
     *     never waits a round trip between steps; what the step's report says is told when it comes, and a sequence
     *     it names as ended (end-of-sequence, stop string) is ended then, one step late: the step sent meanwhile
     *     computed one more token for it, which the engine drops (its KV room stays reserved until then, so
     *     admission never counts on room the engine still uses). Multi-iteration steps (the decode fast path) are
     *     not overlapped. False: decide each step when the previous one has been reported
     */
    public SchedulerCore(List<DeploymentConfig> deploymentConfigs, Decisions decisions, boolean replicasUp,
            boolean asyncScheduling) {
        this.asyncScheduling = asyncScheduling;
        this.deployments = deploymentConfigs.toArray(new DeploymentConfig[0]);
        if (deployments.length == 0) {
            throw new IllegalArgumentException("scheduler core needs at least one deployment");
        }
        this.out = decisions;
        int n = deployments.length;
        routers = new Router[n];
        replicas = new Replica[n][];
        replicaCount = new int[n];
        available = new Available[n];
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
            replicas[d] = new Replica[Math.max(1, dc.replicas())];
            available[d] = new Available();
            for (int r = 0; r < dc.replicas(); r++) {
                newReplica(d, replicasUp ? ReplicaStatus.UP : ReplicaStatus.STARTING);
            }
            routers[d] = Routers.byName(dc.router()).create(dc.routerSeed());
        }
        admission = new AdmissionControl(names, bounds);
        counts = new int[n];
        chosenReplica = new int[n];
    }

    private int newReplica(int d, ReplicaStatus status) {
        int r = replicaCount[d];
        if (r == replicas[d].length) {
            replicas[d] = Arrays.copyOf(replicas[d], r * 2);
        }
        replicas[d][r] = new Replica(newScheduler(d, r), status);
        replicaCount[d]++;
        refreshAvailable(d);
        return r;
    }

    private ReplicaScheduler newScheduler(int d, int r) {
        List<TaskBatcher> batchers = new ArrayList<>();
        List<TaskConfig> tasks = deployments[d].tasks();
        for (int t = 0; t < tasks.size(); t++) {
            TaskBatcher b = tasks.get(t).newBatcher();
            if (watchers != null && b instanceof LlmBatcher llm) {
                llm.watch(watchers.watcher(d, r, t));
            }
            batchers.add(b);
        }
        return new ReplicaScheduler(batchers);
    }

    private void refreshAvailable(int d) {
        Available a = available[d];
        a.of = replicas[d];
        a.size = 0;
        for (int r = 0; r < replicaCount[d]; r++) {
            if (replicas[d][r].status == ReplicaStatus.UP) {
                if (a.size == a.index.length) {
                    a.index = Arrays.copyOf(a.index, a.size * 2);
                }
                a.index[a.size++] = r;
            }
        }
    }

    /**
     * Has every LLM batcher, present and future, report its sequences to a watcher from {@code factory} (a
     * simulated engine's look-ahead for sequence ends; the core decides nothing from it).
     */
    public void watchSequences(WatcherFactory factory) {
        this.watchers = factory;
        for (int d = 0; d < deployments.length; d++) {
            for (int r = 0; r < replicaCount[d]; r++) {
                for (int t = 0; t < replicas[d][r].scheduler.tasks(); t++) {
                    if (replicas[d][r].scheduler.batcher(t) instanceof LlmBatcher llm) {
                        llm.watch(factory.watcher(d, r, t));
                    }
                }
            }
        }
    }

    /**
     * Starts a fact. A fact method called while another runs (from a decision callback) instead queues itself on
     * {@code later} (allocating only then), to run after the current one.
     */
    private void begin() {
        inFact = true;
    }

    /** Ends a fact and applies those reported meanwhile, each in turn (a loop at the outermost level, not recursion). */
    private void end() {
        inFact = false;
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (!later.isEmpty()) {
                later.pollFirst().run();
            }
        } finally {
            draining = false;
        }
    }

    // ---------------------------------------------------------------- facts

    /** Fact: a request arrived with its invocation graph. */
    public void arrive(long requestId, InvocationGraph graph, Object attachment, long nowNanos) {
        if (inFact) {
            later.addLast(() -> arrive(requestId, graph, attachment, nowNanos));
            return;
        }
        begin();
        try {
            doArrive(requestId, graph, attachment, nowNanos);
        } finally {
            end();
        }
    }

    private void doArrive(long requestId, InvocationGraph graph, Object attachment, long nowNanos) {
        int size = graph.size();
        if (arriveDeployment.length < size) {
            int n = Math.max(size, 2 * arriveDeployment.length);
            arriveDeployment = new int[n];
            arriveTask = new int[n];
            arriveReplica = new int[n];
        }
        // scratch (one arrival at a time: a fact that comes while another is handled waits for it); the request
        // copies what it keeps
        int[] dep = arriveDeployment;
        int[] task = arriveTask;
        Arrays.fill(counts, 0);
        if (active.containsKey(requestId)) {
            out.rejected(requestId, graph, attachment, "request id " + requestId + " is already in flight", nowNanos);
            return;
        }
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
            if (available[where[0]].size == 0) {
                out.rejected(requestId, graph, attachment, "deployment " + deployments[where[0]].name()
                        + " has no replica up", nowNanos);
                return;
            }
        }
        String why = admission.check(counts);
        if (why != null) {
            out.rejected(requestId, graph, attachment, why, nowNanos);
            return;
        }
        admission.admit(counts);
        Arrays.fill(chosenReplica, -1);
        int[] replica = arriveReplica;
        for (int i = 0; i < size; i++) {
            int d = dep[i];
            if (chosenReplica[d] < 0) {
                Available a = available[d];
                a.deployment = d;
                a.graph = graph;
                a.dep = dep;
                a.task = task;
                chosenReplica[d] = a.index[routers[d].choose(a)];
                a.graph = null;
                a.dep = null;
                a.task = null;
            }
            replica[i] = chosenReplica[d];
            replicas[d][replica[i]].load += graph.node(i).work().routingWeight();
            replicas[d][replica[i]].routed++;
        }
        ActiveRequest request = new ActiveRequest(requestId, graph, attachment, dep, task, replica);
        active.put(request);
        for (int i = 0; i < size; i++) {
            if (graph.inDegree(i) == 0) {
                queue(request, i, nowNanos);
            }
        }
        for (int i = 0; i < size; i++) {
            if (graph.inDegree(i) == 0) {
                kick(request.deploymentOf(i), request.replicaOf(i), nowNanos);
            }
        }
    }

    /** Fact: the step running on the replica ended after {@code iterations} iterations; no sequence ended in it. */
    public void stepDone(int deployment, int replica, long iterations, long nowNanos) {
        stepDone(deployment, replica, iterations, SequenceEnds.NONE, nowNanos);
    }

    /**
     * Fact: the step running on the replica ended after {@code iterations} iterations, and the sequences in
     * {@code ended} (ids from the step's description) generated their last token in its last iteration. The core
     * reads {@code ended} before returning; the engine may reuse it afterwards. A step end from a replica that
     * went down meanwhile is ignored.
     */
    public void stepDone(int deployment, int replica, long iterations, SequenceEnds ended, long nowNanos) {
        if (inFact) {
            SequenceEnds copy = new SequenceEnds();
            for (int i = 0; i < ended.count(); i++) {
                copy.add(ended.sequence(i));
            }
            later.addLast(() -> stepDone(deployment, replica, iterations, copy, nowNanos));
            return;
        }
        begin();
        try {
            Replica rep = replica(deployment, replica, "step done");
            if (asyncScheduling) {
                if (rep.status.running() && !rep.pipeline.isEmpty()) {
                    pipelinedStepDone(deployment, replica, rep, iterations, ended, nowNanos);
                }
                return;
            }
            if (!rep.status.running() || !rep.scheduler.busy()) {
                return;
            }
            rep.busyNanos += nowNanos - rep.stepStartedAt;
            rep.completing = true;
            try {
                rep.scheduler.complete(iterations, ended, nowNanos, this);
            } finally {
                rep.completing = false;
            }
            kick(deployment, replica, nowNanos);
        } finally {
            end();
        }
    }

    /** Fact: edge {@code edge}'s data reached its consumer's replica (ignored when the request failed meanwhile). */
    public void transferDone(ActiveRequest request, int edge, long nowNanos) {
        if (inFact) {
            later.addLast(() -> transferDone(request, edge, nowNanos));
            return;
        }
        begin();
        try {
            if (!request.aborted()) {
                arrived(request, edge, nowNanos);
            }
        } finally {
            end();
        }
    }

    /**
     * Fact: a wake-up the core asked for came. Whether it came at, after or before the time asked, the core
     * takes it as delivered and asks again ({@link Decisions#wakeAt}) if the replica still has a batch waiting:
     * an early or spurious wake-up is never swallowed.
     */
    public void wake(int deployment, int replica, long nowNanos) {
        if (inFact) {
            later.addLast(() -> wake(deployment, replica, nowNanos));
            return;
        }
        begin();
        try {
            Replica rep = replica(deployment, replica, "wake");
            rep.pendingWake = Long.MAX_VALUE;
            kick(deployment, replica, nowNanos);
        } finally {
            end();
        }
    }

    /**
     * Fact: the replica serves (it finished loading and warming up after {@link Decisions#startReplica}, or was
     * restarted after {@link #replicaDown}). From now on routers see it. A replica already up is left as is.
     */
    public void replicaUp(int deployment, int replica, long nowNanos) {
        if (inFact) {
            later.addLast(() -> replicaUp(deployment, replica, nowNanos));
            return;
        }
        begin();
        try {
            Replica rep = replica(deployment, replica, "replica up");
            switch (rep.status) {
                case UP, DRAINING -> {
                    return;
                }
                case REMOVED -> throw new IllegalStateException("deployment " + deployments[deployment].name()
                        + " replica " + replica + " was removed and cannot come up");
                case DOWN -> {
                    rep.scheduler = newScheduler(deployment, replica);
                    rep.load = 0;
                    rep.routed = 0;
                    rep.cutRequestedAt = Long.MAX_VALUE;
                    rep.pendingWake = Long.MAX_VALUE;
                    rep.pipeline.clear();
                }
                case STARTING -> {
                }
            }
            rep.status = ReplicaStatus.UP;
            refreshAvailable(deployment);
        } finally {
            end();
        }
    }

    /**
     * Fact: the replica crashed or was lost. It gets no more work, and every request with an unfinished
     * invocation routed to it fails ({@link Decisions#failed}) with a reason naming the replica and {@code reason}:
     * their invocations elsewhere are dropped and KV freed. It may come back with {@link #replicaUp}.
     */
    public void replicaDown(int deployment, int replica, String reason, long nowNanos) {
        if (inFact) {
            later.addLast(() -> replicaDown(deployment, replica, reason, nowNanos));
            return;
        }
        begin();
        try {
            Replica rep = replica(deployment, replica, "replica down");
            if (rep.status == ReplicaStatus.DOWN || rep.status == ReplicaStatus.REMOVED) {
                return;
            }
            boolean wasDraining = rep.status == ReplicaStatus.DRAINING;
            if (rep.status.running() && stepInFlight(rep)) {
                rep.busyNanos += nowNanos - rep.stepStartedAt;
            }
            rep.pipeline.clear();
            rep.status = ReplicaStatus.DOWN;
            refreshAvailable(deployment);
            String why = "deployment " + deployments[deployment].name() + " replica " + replica + " went down: "
                    + reason;
            List<ActiveRequest> touched = new ArrayList<>();
            for (ActiveRequest request : active.inOrder()) {
                for (int i = 0; i < request.graph().size(); i++) {
                    if (!request.finishedNode(i) && request.deploymentOf(i) == deployment
                            && request.replicaOf(i) == replica) {
                        touched.add(request);
                        break;
                    }
                }
            }
            for (ActiveRequest request : touched) {
                drop(request, nowNanos);
                out.failed(request, why, nowNanos);
            }
            rep.load = 0;
            rep.routed = 0;
            if (wasDraining) {
                rep.status = ReplicaStatus.REMOVED;
                out.stopReplica(deployment, replica, nowNanos);
            }
        } finally {
            end();
        }
    }

    /**
     * Fact: invocation {@code node} of the request failed (an exception in its unit task, a bad output). The
     * request fails with a reason naming the stage (its task) and {@code reason}; only this request is touched.
     * Ignored when the request already ended.
     */
    public void invocationFailed(ActiveRequest request, int node, String reason, long nowNanos) {
        if (inFact) {
            later.addLast(() -> invocationFailed(request, node, reason, nowNanos));
            return;
        }
        begin();
        try {
            if (request.aborted() || request.done()) {
                return;
            }
            drop(request, nowNanos);
            out.failed(request, "stage " + request.graph().node(node).taskKey() + " (deployment "
                    + deployments[request.deploymentOf(node)].name() + " replica " + request.replicaOf(node)
                    + ") failed: " + reason, nowNanos);
        } finally {
            end();
        }
    }

    /**
     * Fact: the client of request {@code requestId} went away. Its invocations are dropped, queued or running,
     * and their KV freed; no answer is sent ({@link Decisions#cancelled} observes it). Unknown or ended ids are
     * ignored.
     */
    public void cancel(long requestId, long nowNanos) {
        if (inFact) {
            later.addLast(() -> cancel(requestId, nowNanos));
            return;
        }
        begin();
        try {
            ActiveRequest request = active.get(requestId);
            if (request != null) {
                drop(request, nowNanos);
                out.cancelled(request, nowNanos);
            }
        } finally {
            end();
        }
    }

    // ---------------------------------------------------------------- scaling decisions

    /**
     * Adds a replica to deployment {@code d} (a scaling decision): it starts {@link ReplicaStatus#STARTING}, the
     * engine is told to start it ({@link Decisions#startReplica}), and it gets work after {@link #replicaUp}.
     * Returns its index.
     */
    public int addReplica(int d, long nowNanos) {
        requireDeployment(d);
        int r = newReplica(d, ReplicaStatus.STARTING);
        out.startReplica(d, r, nowNanos);
        return r;
    }

    /**
     * Marks replica {@code r} of deployment {@code d} for removal (a scaling decision): routers stop seeing it at
     * once, it finishes the work it holds, and when it holds none the engine is told to stop it
     * ({@link Decisions#stopReplica}) and it is {@link ReplicaStatus#REMOVED}.
     */
    public void removeReplica(int d, int r, long nowNanos) {
        if (inFact) {
            later.addLast(() -> removeReplica(d, r, nowNanos));
            return;
        }
        begin();
        try {
            doRemoveReplica(d, r, nowNanos);
        } finally {
            end();
        }
    }

    private void doRemoveReplica(int d, int r, long nowNanos) {
        Replica rep = replica(d, r, "remove replica");
        if (rep.status == ReplicaStatus.REMOVED || rep.status == ReplicaStatus.DRAINING) {
            return;
        }
        if (rep.status == ReplicaStatus.DOWN || rep.status == ReplicaStatus.STARTING) {
            rep.status = ReplicaStatus.REMOVED;
            refreshAvailable(d);
            out.stopReplica(d, r, nowNanos);
            return;
        }
        rep.status = ReplicaStatus.DRAINING;
        refreshAvailable(d);
        stopIfDrained(d, r, nowNanos);
    }

    // ---------------------------------------------------------------- internals

    private Replica replica(int d, int r, String fact) {
        requireDeployment(d);
        if (r < 0 || r >= replicaCount[d]) {
            throw new IllegalArgumentException(fact + ": deployment " + deployments[d].name() + " has no replica " + r
                    + " (it has " + replicaCount[d] + ")");
        }
        return replicas[d][r];
    }

    private void requireDeployment(int d) {
        if (d < 0 || d >= deployments.length) {
            throw new IllegalArgumentException("no deployment " + d + " (there are " + deployments.length + ")");
        }
    }

    /** Drops every unfinished invocation of the request wherever it is, and forgets the request. */
    private void drop(ActiveRequest request, long nowNanos) {
        request.abort();
        active.remove(request.requestId());
        InvocationGraph graph = request.graph();
        int size = graph.size();
        for (int i = 0; i < size; i++) {
            if (request.finishedNode(i)) {
                continue;
            }
            int d = request.deploymentOf(i);
            Replica rep = replicas[d][request.replicaOf(i)];
            int h = request.handleOf(i);
            if (h >= 0 && rep.status.running()) {
                rep.scheduler.batcher(request.taskOf(i)).cancel(h);
            }
            rep.load -= graph.node(i).work().routingWeight();
            rep.routed--;
            admission.finished(d);
        }
        for (int i = 0; i < size; i++) {
            if (!request.finishedNode(i)) {
                int d = request.deploymentOf(i);
                int r = request.replicaOf(i);
                if (replicas[d][r].status.running()) {
                    kick(d, r, nowNanos);
                }
            }
        }
    }

    private void queue(ActiveRequest request, int node, long nowNanos) {
        int d = request.deploymentOf(node);
        int r = request.replicaOf(node);
        TaskBatcher batcher = replicas[d][r].scheduler.batcher(request.taskOf(node));
        int h = batcher.enqueue(request, node, request.graph().node(node).work(), nowNanos);
        int chunk = request.graph().streamChunkTokens(node);
        if (chunk > 0 && batcher instanceof LlmBatcher llm) {
            llm.streamAfter(h, chunk);
        }
        request.queued(node, h);
        out.invocationQueued(request, node, nowNanos);
    }

    private void deliver(ActiveRequest request, int node, long nowNanos) {
        if (request.inputArrived(node)) {
            queue(request, node, nowNanos);
            kick(request.deploymentOf(node), request.replicaOf(node), nowNanos);
        }
    }

    private void kick(int d, int r, long nowNanos) {
        Replica rep = replicas[d][r];
        if (rep.completing || !rep.status.running()) {
            return;
        }
        ReplicaScheduler rs = rep.scheduler;
        if (asyncScheduling && !rs.busy()) {
            kickPipelined(d, r, rep, nowNanos);
            return;
        }
        if (rs.busy()) {
            long at = rs.staleFromNanos(nowNanos);
            if (at < rep.cutRequestedAt) {
                rep.cutRequestedAt = at;
                out.endRunBy(d, r, at);
            }
            return;
        }
        Step step = rs.planNext(nowNanos, this);
        if (step != null) {
            rep.cutRequestedAt = Long.MAX_VALUE;
            rep.stepStartedAt = nowNanos;
            out.startStep(d, r, step, nowNanos);
            long at = rs.staleFromNanos(nowNanos);
            if (at < Long.MAX_VALUE) {
                rep.cutRequestedAt = at;
                out.endRunBy(d, r, at);
            }
            return;
        }
        wakeWhenReady(d, r, rep, nowNanos);
        stopIfDrained(d, r, nowNanos);
    }

    private void wakeWhenReady(int d, int r, Replica rep, long nowNanos) {
        long at = rep.scheduler.nextReadyAtNanos(nowNanos);
        if (at < Long.MAX_VALUE && at < rep.pendingWake) {
            rep.pendingWake = at;
            out.wakeAt(d, r, at);
        }
    }

    /** Whether the replica computes a step (sent and not reported). */
    private static boolean stepInFlight(Replica rep) {
        return rep.scheduler.busy() || !rep.pipeline.isEmpty();
    }

    /**
     * Async scheduling: sends steps until {@link #PIPELINE_DEPTH} are in flight or nothing is ready; each
     * single-iteration step is applied to its batcher as soon as it is sent ({@link DeferredStep}).
     */
    private void kickPipelined(int d, int r, Replica rep, long nowNanos) {
        ReplicaScheduler rs = rep.scheduler;
        while (rep.pipeline.size() < PIPELINE_DEPTH) {
            Step step = rs.planNext(nowNanos, this);
            if (step == null) {
                break;
            }
            DeferredStep sent = new DeferredStep(step.task());
            if (rep.pipeline.isEmpty()) {
                rep.stepStartedAt = nowNanos;
            }
            rep.pipeline.addLast(sent);
            rep.cutRequestedAt = Long.MAX_VALUE;
            out.startStep(d, r, step, nowNanos);
            if (step.iterations() > 1) {
                // the decode fast path runs to its report (or a cut) as without async scheduling
                long at = rs.staleFromNanos(nowNanos);
                if (at < Long.MAX_VALUE) {
                    rep.cutRequestedAt = at;
                    out.endRunBy(d, r, at);
                }
                return;
            }
            rs.visitRunningStep(sent);
            rep.completing = true;
            try {
                rs.complete(1, SequenceEnds.NONE, nowNanos, sent);
            } finally {
                rep.completing = false;
            }
            sent.settle();
        }
        if (rep.pipeline.size() < PIPELINE_DEPTH) {
            wakeWhenReady(d, r, rep, nowNanos);
        }
        if (rep.pipeline.isEmpty()) {
            stopIfDrained(d, r, nowNanos);
        }
    }

    /**
     * Async scheduling: the oldest step in flight was reported. What its completion held is told now, then the
     * sequences the report names as ended are ended (one step late; the step sent since computed one more token for
     * each, which the engine drops).
     */
    private void pipelinedStepDone(int d, int r, Replica rep, long iterations, SequenceEnds ended, long nowNanos) {
        DeferredStep done = rep.pipeline.peekFirst();
        if (done.settled()) {
            for (int i = 0; i < ended.count(); i++) {
                if (done.member(ended.sequence(i)) < 0) {
                    throw new IllegalArgumentException("sequence " + ended.sequence(i) + " is reported ended but"
                            + " generated no token in this step");
                }
            }
            if (iterations != 1) {
                throw new IllegalArgumentException("completed " + iterations + " iterations of a step planned for 1");
            }
        }
        rep.pipeline.pollFirst();
        rep.busyNanos += nowNanos - rep.stepStartedAt;
        rep.stepStartedAt = nowNanos;
        rep.completing = true;
        try {
            if (!done.settled()) {
                rep.scheduler.complete(iterations, ended, nowNanos, this);
            } else {
                tellHeld(done, nowNanos);
                endLate(rep, done, ended, nowNanos);
            }
        } finally {
            rep.completing = false;
        }
        kick(d, r, nowNanos);
    }

    /** Tells what a settled step's completion held, skipping requests that failed or left meanwhile. */
    private void tellHeld(DeferredStep done, long nowNanos) {
        for (int i = 0; i < done.events(); i++) {
            ActiveRequest request = done.owner(i);
            int node = done.node(i);
            if (request.aborted() || request.finishedNode(node)) {
                continue;
            }
            switch (done.kind(i)) {
                case DeferredStep.FIRST_OUTPUT -> firstOutput(request, node, nowNanos);
                case DeferredStep.CHUNK_READY -> chunkReady(request, node, nowNanos);
                default -> finished(request, node, nowNanos);
            }
        }
    }

    /** Ends the sequences a settled step's report named as ended, where they still run. */
    private void endLate(Replica rep, DeferredStep done, SequenceEnds ended, long nowNanos) {
        if (ended.isEmpty() || !(rep.scheduler.batcher(done.task()) instanceof LlmBatcher llm)) {
            return;
        }
        for (int i = 0; i < ended.count(); i++) {
            int m = done.member(ended.sequence(i));
            ActiveRequest request = done.memberOwner(m);
            int node = done.memberNode(m);
            if (request.aborted() || request.finishedNode(node)
                    || !llm.endLate(ended.sequence(i), request, node)) {
                continue; // it ended at its cap meanwhile, or its request failed or left
            }
            request.queued(node, -1);
            finished(request, node, nowNanos);
        }
    }

    private void stopIfDrained(int d, int r, long nowNanos) {
        Replica rep = replicas[d][r];
        if (rep.status == ReplicaStatus.DRAINING && !stepInFlight(rep) && rep.scheduler.outstanding() == 0
                && rep.routed == 0) {
            rep.status = ReplicaStatus.REMOVED;
            out.stopReplica(d, r, nowNanos);
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

    /**
     * The first chunk of the streamed edges leaving {@code node} is due: each goes to its consumer (at once on the
     * same replica, else by a transfer of the edge's first-chunk bytes); the consumer is released when it arrives.
     */
    @Override
    public void chunkReady(Object owner, int node, long nowNanos) {
        ActiveRequest request = (ActiveRequest) owner;
        InvocationGraph graph = request.graph();
        for (int k = 0; k < graph.outDegree(node); k++) {
            int e = graph.outEdge(node, k);
            DataEdge edge = graph.edge(e);
            if (edge.streamed() && request.chunksSent(e) == 0) {
                send(request, e, edge.firstChunkBytes(), nowNanos);
            }
        }
    }

    /** Hands one transfer of edge {@code e} to its consumer: at once on the same replica, else by a transfer. */
    private void send(ActiveRequest request, int e, long bytes, long nowNanos) {
        DataEdge edge = request.graph().edge(e);
        if (edge.streamed()) {
            request.chunkSent(e);
        }
        int d = request.deploymentOf(edge.from());
        int r = request.replicaOf(edge.from());
        int td = request.deploymentOf(edge.to());
        int tr = request.replicaOf(edge.to());
        if (td == d && tr == r) {
            arrived(request, e, nowNanos);
        } else {
            out.startTransfer(request, e, d, r, td, tr, bytes, nowNanos);
        }
    }

    /**
     * One transfer of edge {@code e} reached its consumer. A whole edge is the consumer's input; of a streamed one,
     * the first arrival is, and when the edge settles (its producer finished and all it sent arrived) a consumer
     * whose computation already ended finishes now.
     */
    private void arrived(ActiveRequest request, int e, long nowNanos) {
        DataEdge edge = request.graph().edge(e);
        if (!edge.streamed()) {
            deliver(request, edge.to(), nowNanos);
            return;
        }
        if (request.chunkArrived(e) == 1) {
            deliver(request, edge.to(), nowNanos);
        }
        settle(request, e, nowNanos);
    }

    private void settle(ActiveRequest request, int e, long nowNanos) {
        int to = request.graph().edge(e).to();
        if (request.settle(e) && !request.streamsOpen(to) && request.takeDeferredFinish(to)) {
            finishNow(request, to, nowNanos);
        }
    }

    @Override
    public void finished(Object owner, int node, long nowNanos) {
        ActiveRequest request = (ActiveRequest) owner;
        if (request.streamsOpen(node)) {
            // its input is still streaming in: the result cannot be complete before the rest arrives
            request.deferFinish(node);
            return;
        }
        finishNow(request, node, nowNanos);
    }

    private void finishNow(ActiveRequest request, int node, long nowNanos) {
        InvocationGraph graph = request.graph();
        int d = request.deploymentOf(node);
        int r = request.replicaOf(node);
        replicas[d][r].load -= graph.node(node).work().routingWeight();
        replicas[d][r].routed--;
        admission.finished(d);
        boolean last = request.finished(node);
        out.invocationFinished(request, node, nowNanos);
        if (graph.node(node).output() && request.output(nowNanos)) {
            out.firstOutput(request, node, nowNanos);
        }
        for (int k = 0; k < graph.outDegree(node); k++) {
            int e = graph.outEdge(node, k);
            DataEdge edge = graph.edge(e);
            if (!edge.streamed()) {
                int td = request.deploymentOf(edge.to());
                int tr = request.replicaOf(edge.to());
                if (td == d && tr == r) {
                    deliver(request, edge.to(), nowNanos);
                } else {
                    out.startTransfer(request, e, d, r, td, tr, edge.bytes(), nowNanos);
                }
                continue;
            }
            // a streamed edge: the rest after the first chunk, or all of it when no chunk went yet
            long rest = request.chunksSent(e) == 0 ? edge.bytes() : edge.bytes() - edge.firstChunkBytes();
            boolean sends = request.chunksSent(e) == 0 || rest > 0;
            request.closeStream(e);
            if (sends) {
                send(request, e, rest, nowNanos);
            } else {
                settle(request, e, nowNanos);
            }
        }
        if (last) {
            active.remove(request.requestId());
            if (request.output(nowNanos)) {
                // a graph without output invocations answers when it completes
                out.firstOutput(request, node, nowNanos);
            }
            out.completed(request, nowNanos);
        }
        Replica rep = replicas[d][r];
        if (rep.status == ReplicaStatus.DRAINING && !rep.completing) {
            // a finish held for a stream ends outside the replica's step: it may be the replica's last work
            stopIfDrained(d, r, nowNanos);
        }
    }

    // ---------------------------------------------------------------- inspection

    public int deploymentCount() {
        return deployments.length;
    }

    public DeploymentConfig deployment(int d) {
        return deployments[d];
    }

    /** Replicas deployment {@code d} has had (every index ever added, whatever its status). */
    public int replicaCount(int d) {
        requireDeployment(d);
        return replicaCount[d];
    }

    /** Replicas of deployment {@code d} that are up (routers see these). */
    public int replicasUp(int d) {
        requireDeployment(d);
        return available[d].size;
    }

    public ReplicaStatus replicaStatus(int d, int r) {
        return replica(d, r, "status").status;
    }

    /** Work routed to the replica and not finished, in {@code Work.routingWeight} units. */
    public long routedWork(int d, int r) {
        return replica(d, r, "routed work").load;
    }

    /**
     * Time deployment {@code d}'s replicas have spent running steps, summed over its replicas (removed ones
     * included), up to {@code nowNanos} (a step in flight counts up to now): what an engine knows of its busy time.
     * Scaling policies take utilisation from its growth over a window.
     */
    public long busyNanos(int d, long nowNanos) {
        requireDeployment(d);
        long busy = 0;
        for (int r = 0; r < replicaCount[d]; r++) {
            Replica rep = replicas[d][r];
            busy += rep.busyNanos;
            if (rep.status.running() && stepInFlight(rep)) {
                busy += Math.max(0, nowNanos - rep.stepStartedAt);
            }
        }
        return busy;
    }

    /** Invocations admitted to deployment {@code d} and not finished. */
    public long outstanding(int d) {
        return admission.outstanding(d);
    }

    /** Requests admitted and neither completed, failed nor cancelled. */
    public int activeRequests() {
        return active.size();
    }

    /**
     * Describes the step running on a replica invocation by invocation (which items, which prompt chunks, which
     * decodes, with sequence ids), for an engine that computes it for real; the handles passed back are
     * {@link ActiveRequest}s.
     */
    public void describeRunningStep(int deployment, int replica, StepVisitor visitor) {
        replica(deployment, replica, "describe").scheduler.visitRunningStep(visitor);
    }

    /** The replica's scheduler, for inspection (tests, metrics). */
    public ReplicaScheduler replica(int d, int r) {
        return replica(d, r, "inspect").scheduler;
    }
}
