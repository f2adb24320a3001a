package org.cornserve.runtime.control;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.planner.schedule.Decisions;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.SchedulerCore;
import org.cornserve.planner.schedule.batch.SequenceEnds;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.planner.schedule.batch.StepVisitor;
import org.cornserve.planner.schedule.dispatch.ActiveRequest;
import org.cornserve.planner.schedule.graph.DataEdge;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.runtime.executor.ExecutorCommand;
import org.cornserve.runtime.executor.ExecutorReport;
import org.cornserve.runtime.executor.StepTrace;
import org.cornserve.runtime.serve.OutputSink;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorRef;

/**
 * The runtime's task dispatcher: it feeds the shared {@link SchedulerCore} facts (arrivals, steps that ended on
 * executors, tensors that moved, timers) and performs its decisions as I/O: a planned step becomes a
 * {@link ExecutorCommand.RunStep} naming each member (from {@link SchedulerCore#describeRunningStep}), a queued
 * invocation an {@link ExecutorCommand.Open} with the tensors its producers handed on, a wake-up a timer. It runs
 * on one loop thread ({@link LoopServices}) and never re-enters the core: follow-up facts are posted.
 *
 * <p>Invocation ids are {@code requestId << 8 | node} (a graph has fewer than 256 nodes). What an executor sends
 * back is applied before the core hears that the step ended: output tensors are recorded for their consumers (or
 * read, when the client gets them: a WAV, a PNG), tokens of the request's token stream go to the client as text.
 *
 * <p>Retries ({@link #enableRetries}): a request that fails because an executor holding its work died, before any
 * of its output went to the client, arrives again as a new request (new id, inputs built afresh, same client and
 * deadline) when another replica of that deployment is up, at most the configured number of times; the core's
 * router only sees up replicas, so it lands elsewhere. Otherwise it fails with 503 naming the stage that was lost
 * and why it was not retried.
 *
 * <p>Streamed hand-off ({@code DataEdge.streamed()}, a thinker to its talker): the producer is opened with the
 * edge's chunk and hands its hidden states on in chunks as it computes them. Its first chunk is the edge's first
 * transfer, as the core decides it (the consumer is opened with it, {@link ExecutorCommand.Open#streamChunkTokens()}
 * saying more comes); each later chunk goes straight to the consumer's replica through the transport and on to its
 * executor ({@link ExecutorCommand.StreamStates}), held until the consumer is open; the producer's last output is
 * the edge's rest, moved by the core's second transfer of the edge (or, where the core moves nothing, the two
 * sharing a replica, sent the same way as the chunks) and sent as the last states with the codes the answer needs.
 */
public final class Dispatcher implements Decisions {
    private static final int NODE_BITS = 8;
    /** Codec codes a talker speaks per thinker token, and at least (one second at 25 codes/s), as EngineRunner. */
    static final int TALKER_CODES_PER_TOKEN = 4;
    static final int TALKER_MIN_CODES = 25;

    private final SchedulerCore core;
    private final LoopServices loop;
    private final ReplicaPorts ports;
    private final TensorTransport transport;
    private final SharedMemorySidecar sidecar;
    private final DispatchObserver observer;
    private final long requestTimeoutNanos;
    private final ReplicaLifecycle lifecycle;
    private final Map<Long, LiveRequest> requests = new HashMap<>();
    private final List<List<InFlight>> running = new ArrayList<>();
    private final SequenceEnds ended = new SequenceEnds();
    private long nextStep;
    private int failureStatus = 500;
    private int maxRetries;
    private java.util.function.LongSupplier retryIds;
    private final Map<Long, Long> retriedAs = new HashMap<>();
    private int downDeployment = -1;
    private int downReplica = -1;
    /** Requests holding a streaming producer's last output until the core's step report has been applied. */
    private final List<LiveRequest> holdingRest = new ArrayList<>();

    private record Running(long step, String task, List<ExecutorCommand.StepItem> items,
            Map<Long, Integer> sequences, long startNanos) {
    }

    /**
     * A replica's steps sent and not reported, oldest first (two under async scheduling: one computing, the next
     * sent behind it), and when its executor last finished computing one (its host's {@code System.nanoTime()}).
     */
    private static final class InFlight {
        final java.util.ArrayDeque<Running> steps = new java.util.ArrayDeque<>(2);
        long lastComputeEndNanos;
    }

    /** Starting and stopping the executors behind replicas the core adds or removes while serving. */
    public interface ReplicaLifecycle {
        /** Start an executor for replica {@code r} of deployment {@code d}; report it up when ready. */
        void start(int d, int r);

        /** Stop the executor of replica {@code r} of deployment {@code d} (drained, removed). */
        void stop(int d, int r);

        /** Replicas are fixed (the parity test, the simulator's plans). */
        ReplicaLifecycle FIXED = new ReplicaLifecycle() {
            @Override
            public void start(int d, int r) {
                throw new IllegalStateException("replicas of this dispatcher are fixed");
            }

            @Override
            public void stop(int d, int r) {
                throw new IllegalStateException("replicas of this dispatcher are fixed");
            }
        };
    }

    /**
     * @param replicasUp whether the plan's replicas serve at once (fakes) or only after {@link #replicaUp}
     *     (executors that start)
     * @param sidecar where the client's outputs are read (null when no executor writes real tensors)
     * @param requestTimeoutNanos a request not answered in this time fails with 504 (0: no limit)
     */
    public Dispatcher(List<DeploymentConfig> deployments, boolean replicasUp, LoopServices loop, ReplicaPorts ports,
            TensorTransport transport, SharedMemorySidecar sidecar, DispatchObserver observer,
            long requestTimeoutNanos, ReplicaLifecycle lifecycle) {
        this(deployments, replicasUp, loop, ports, transport, sidecar, observer, requestTimeoutNanos, lifecycle, false);
    }

    /**
     * As above; {@code asyncScheduling}: the core decides a replica's next step while its current one computes
     * ({@link SchedulerCore#SchedulerCore(List, Decisions, boolean, boolean)}), so an executor holds the next step
     * when it finishes one and reads it without waiting a round trip; an end it reports is applied one step late
     * (the executor leaves an ended sequence out of the step sent meanwhile).
     */
    public Dispatcher(List<DeploymentConfig> deployments, boolean replicasUp, LoopServices loop, ReplicaPorts ports,
            TensorTransport transport, SharedMemorySidecar sidecar, DispatchObserver observer,
            long requestTimeoutNanos, ReplicaLifecycle lifecycle, boolean asyncScheduling) {
        this.core = new SchedulerCore(deployments, this, replicasUp, asyncScheduling);
        this.lifecycle = lifecycle;
        this.loop = loop;
        this.ports = ports;
        this.transport = transport;
        this.sidecar = sidecar;
        this.observer = observer;
        this.requestTimeoutNanos = requestTimeoutNanos;
        for (int d = 0; d < deployments.size(); d++) {
            running.add(new ArrayList<>());
        }
    }

    private InFlight inFlight(int d, int r) {
        List<InFlight> list = running.get(d);
        while (list.size() <= r) {
            list.add(new InFlight());
        }
        return list.get(r);
    }

    /** The step sent last to a replica and not reported, or null. */
    private Running running(int d, int r) {
        return inFlight(d, r).steps.peekLast();
    }

    /** Forgets the steps in flight on a replica whose executor is gone (they will never report). */
    private void dropRunning(int d, int r) {
        InFlight f = inFlight(d, r);
        Running run;
        while ((run = f.steps.pollFirst()) != null) {
            long now = loop.nowNanos();
            observer.stepEnded(d, r, now - run.startNanos, 0, new long[0], now);
        }
        f.lastComputeEndNanos = 0;
    }

    /**
     * Lets requests lost with their executor run again, at most {@code maxRetries} times each, with new ids from
     * {@code ids} (the same sequence the caller's first ids come from).
     */
    public void enableRetries(int maxRetries, java.util.function.LongSupplier ids) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, got " + maxRetries);
        }
        this.maxRetries = maxRetries;
        this.retryIds = ids;
    }

    /** The core, for inspection (queue lengths, tests). */
    public SchedulerCore core() {
        return core;
    }

    /** Requests in flight. */
    public int inFlight() {
        return requests.size();
    }

    static long invocationId(long requestId, int node) {
        return requestId << NODE_BITS | node;
    }

    // ---- facts, on the loop thread ----

    /** Fact: a request arrived with its graph and each node's own inputs. */
    public void arrive(long requestId, InvocationGraph graph, List<NodeInput> inputs, int promptTokens,
            double temperature, long seed, OutputSink sink, List<TensorRef> placed) {
        arrive(requestId, graph, inputs, promptTokens, temperature, seed, sink, placed, null);
    }

    /**
     * As above; {@code rebuild} builds the request's inputs afresh (off the loop thread) should it run again after
     * an executor holding its work died (null: it is never retried).
     */
    public void arrive(long requestId, InvocationGraph graph, List<NodeInput> inputs, int promptTokens,
            double temperature, long seed, OutputSink sink, List<TensorRef> placed,
            java.util.function.Supplier<RequestBuilder.Built> rebuild) {
        LiveRequest lr = new LiveRequest(requestId, graph, inputs, promptTokens, temperature, seed, sink, placed);
        lr.rebuild = rebuild;
        admit(lr);
    }

    private void admit(LiveRequest lr) {
        if (lr.graph.size() >= 1 << NODE_BITS) {
            throw new IllegalArgumentException("request " + lr.id + ": a graph of " + lr.graph.size()
                    + " invocations exceeds " + ((1 << NODE_BITS) - 1));
        }
        requests.put(lr.id, lr);
        long now = loop.nowNanos();
        if (lr.attempt == 0) {
            observer.arrived(lr.id, now);
            if (requestTimeoutNanos > 0) {
                lr.deadlineNanos = now + requestTimeoutNanos;
            }
        }
        if (lr.deadlineNanos != Long.MAX_VALUE) {
            loop.at(lr.deadlineNanos, () -> {
                if (!lr.done) {
                    core.cancel(lr.id, loop.nowNanos());
                    fail(lr, 504, "dispatcher", "no answer within " + requestTimeoutNanos / 1_000_000 + " ms"
                            + (lr.attempt > 0 ? " (" + lr.attempt + " retries)" : ""));
                }
            });
        }
        core.arrive(lr.id, lr.graph, lr, now);
    }

    /**
     * Fact: the client left. The core drops the request's invocations (its KV reservations freed) and the executors
     * close theirs (their KV blocks freed).
     */
    public void cancel(long requestId) {
        Long current = retriedAs.remove(requestId);
        LiveRequest lr = requests.get(current != null ? current : requestId);
        if (lr != null && !lr.done) {
            core.cancel(requestId, loop.nowNanos());
            if (!lr.done) {
                finishWithoutAnswer(lr);
                observer.failed(requestId, "client", "cancelled", loop.nowNanos());
            }
        }
    }

    /** Fact: replica ({@code d}, {@code r})'s executor loaded and warmed up. */
    public void replicaUp(int d, int r) {
        InFlight f = inFlight(d, r);
        f.steps.clear();
        f.lastComputeEndNanos = 0;
        core.replicaUp(d, r, loop.nowNanos());
    }

    /** Fact: replica ({@code d}, {@code r})'s executor reported. */
    public void report(int d, int r, ExecutorReport report) {
        switch (report) {
            case ExecutorReport.StepDone done -> stepDone(d, r, done);
            case ExecutorReport.OpenFailed f -> {
                LiveRequest lr = requests.get(f.invocation() >>> NODE_BITS);
                if (lr != null && lr.active != null && !lr.done) {
                    failureStatus = 500;
                    core.invocationFailed(lr.active, (int) (f.invocation() & ((1 << NODE_BITS) - 1)),
                            f.failure().message(), loop.nowNanos());
                }
            }
            default -> {
            }
        }
    }

    /**
     * Fact: replica ({@code d}, {@code r})'s executor is gone. The core fails every request with work there (503:
     * the client may retry) and routes no more to it; the task manager starts a new executor, which reports up.
     */
    public void replicaDown(int d, int r, String why) {
        dropRunning(d, r);
        failureStatus = 503;
        downDeployment = d;
        downReplica = r;
        try {
            core.replicaDown(d, r, why, loop.nowNanos());
        } finally {
            failureStatus = 500;
            downDeployment = -1;
            downReplica = -1;
        }
    }

    private void stepDone(int d, int r, ExecutorReport.StepDone done) {
        InFlight f = inFlight(d, r);
        Running run = f.steps.peekFirst();
        if (run == null || run.step != done.step()) {
            return;
        }
        f.steps.pollFirst();
        long now = loop.nowNanos();
        StepTrace.mark(StepTrace.APPLIED, done.step(), now);
        long[] members = new long[run.items.size()];
        for (int i = 0; i < members.length; i++) {
            members[i] = run.items.get(i).invocation() >>> NODE_BITS;
        }
        // a step sent while the one before it computed waited in its executor for that compute: queueing behind
        // executor work, not time outside executors (0 unless async scheduling sent it early)
        long waited = 0;
        long previousComputeEnd = f.lastComputeEndNanos;
        if (done.computeStartNanos() > 0 && previousComputeEnd > run.startNanos) {
            waited = Math.min(done.computeStartNanos(), previousComputeEnd) - run.startNanos;
        }
        if (done.computeStartNanos() > 0) {
            f.lastComputeEndNanos = done.computeStartNanos() + done.computeNanos();
        }
        observer.stepEnded(d, r, now - run.startNanos - Math.max(0, waited), done.computeNanos(), members, now);
        if (done.computeStartNanos() > 0) {
            observer.stepOverheadSplit(d, r, Math.max(0, done.computeStartNanos() - Math.max(run.startNanos,
                    previousComputeEnd)), Math.max(0, now - f.lastComputeEndNanos), !f.steps.isEmpty(), members, now);
        }
        ended.clear();
        if (done.failure() != null) {
            failureStatus = 500;
            for (ExecutorCommand.StepItem item : run.items) {
                LiveRequest lr = requests.get(item.invocation() >>> NODE_BITS);
                if (lr != null && lr.active != null && !lr.done) {
                    lr.open[(int) (item.invocation() & ((1 << NODE_BITS) - 1))] = false;
                    core.invocationFailed(lr.active, (int) (item.invocation() & ((1 << NODE_BITS) - 1)),
                            done.failure().message(), now);
                }
            }
        } else {
            for (ExecutorReport.Output o : done.outputs()) {
                output(o.invocation(), o.tensor(), o.controlCopy(), o.partial());
            }
            for (ExecutorReport.Emitted e : done.emitted()) {
                emitted(e.invocation(), e.tokens());
            }
            for (ExecutorReport.Ended e : done.ended()) {
                Integer sequence = run.sequences.get(e.invocation());
                if (sequence != null) {
                    ended.add(sequence);
                }
                LiveRequest lr = requests.get(e.invocation() >>> NODE_BITS);
                if (lr != null) {
                    int node = (int) (e.invocation() & ((1 << NODE_BITS) - 1));
                    lr.generated[node] = e.generated();
                    lr.open[node] = false;
                }
            }
        }
        core.stepDone(d, r, done.iterations(), ended, now);
        sendHeldRests();
    }

    /**
     * The last outputs of streaming producers that the core's step report did not move as an edge's rest (the
     * producer and consumer share a replica, or the core found nothing left to move) go as the chunks do.
     */
    private void sendHeldRests() {
        for (LiveRequest lr : holdingRest) {
            for (int e = 0; e < lr.restHeld.length; e++) {
                if (lr.restHeld[e]) {
                    lr.restHeld[e] = false;
                    TensorRef rest = lr.heldRest[e];
                    lr.heldRest[e] = null;
                    streamChunk(lr, e, rest, true);
                }
            }
        }
        holdingRest.clear();
    }

    private void output(long invocation, TensorRef ref, TensorRef controlCopy, boolean partial) {
        LiveRequest lr = requests.get(invocation >>> NODE_BITS);
        int node = (int) (invocation & ((1 << NODE_BITS) - 1));
        if (lr == null || lr.done) {
            return; // its consumers never open; the segment is reclaimed after the sidecar's timeout
        }
        if (lr.streaming[node]) {
            // a later chunk, or the rest, of a streaming producer: straight to its consumers
            for (int k = 0; k < lr.graph.outDegree(node); k++) {
                int e = lr.graph.outEdge(node, k);
                if (!partial) {
                    lr.restHeld[e] = true;
                    lr.heldRest[e] = ref;
                    if (holdingRest.isEmpty() || holdingRest.get(holdingRest.size() - 1) != lr) {
                        holdingRest.add(lr);
                    }
                } else {
                    streamChunk(lr, e, ref, false);
                }
            }
            return;
        }
        if (partial) {
            for (int k = 0; k < lr.graph.outDegree(node); k++) {
                if (!lr.graph.edge(lr.graph.outEdge(node, k)).streamed()) {
                    throw new IllegalStateException("request " + lr.id + ": invocation " + node + " streams its"
                            + " output, but edge " + lr.graph.outEdge(node, k) + " takes it whole");
                }
            }
            lr.streaming[node] = true;
        }
        for (int k = 0; k < lr.graph.outDegree(node); k++) {
            lr.handedOn.get(lr.graph.edge(lr.graph.outEdge(node, k)).to()).put(node, ref);
        }
        if (lr.input(node).controlPlaneReads() && sidecar != null) {
            TensorRef local = controlCopy != null ? controlCopy : ref;
            byte[] bytes = sidecar.readBytes(local);
            sidecar.release(local);
            String key = lr.graph.node(node).taskKey();
            lr.delivered = true;
            if (key.endsWith("/vocoder")) {
                lr.sink.audio(bytes);
            } else {
                lr.sink.image(bytes);
            }
        }
    }

    private void emitted(long invocation, int[] tokens) {
        LiveRequest lr = requests.get(invocation >>> NODE_BITS);
        if (lr == null || lr.done) {
            return;
        }
        int node = (int) (invocation & ((1 << NODE_BITS) - 1));
        lr.generated[node] += tokens.length;
        if (node == lr.graph.tokenStreamNode() || prefillOfTokenStream(lr.graph, node)) {
            if (lr.completionTokens == 0 && tokens.length > 0) {
                lr.sink.firstToken(); // the first token may make no text yet; the client hears of it now
            }
            lr.completionTokens += tokens.length;
            String text = lr.decode(tokens);
            if (!text.isEmpty()) {
                lr.delivered = true;
                lr.sink.text(text);
            }
        }
    }

    /**
     * Whether {@code node} is the prefill half of a prefill/decode split whose decode half streams the response's
     * tokens: its one token, the first of the answer, goes to the client as soon as prefill has it.
     */
    static boolean prefillOfTokenStream(InvocationGraph graph, int node) {
        int stream = graph.tokenStreamNode();
        if (stream < 0 || !graph.node(node).taskKey().endsWith(org.cornserve.model.task.LlmPhase.PREFILL.suffix())) {
            return false;
        }
        for (int k = 0; k < graph.outDegree(node); k++) {
            if (graph.edge(graph.outEdge(node, k)).to() == stream) {
                return true;
            }
        }
        return false;
    }

    private void fail(LiveRequest lr, int status, String stage, String message) {
        if (lr.done) {
            return;
        }
        finishWithoutAnswer(lr);
        observer.failed(lr.id, stage, message, loop.nowNanos());
        lr.sink.failed(new OutputSink.Failure(status, stage, message));
    }

    private void finishWithoutAnswer(LiveRequest lr) {
        lr.done = true;
        requests.remove(lr.id);
        retriedAs.remove(lr.firstId);
        if (lr.active != null) {
            for (int n = 0; n < lr.graph.size(); n++) {
                if (lr.open[n]) {
                    ports.send(lr.active.deploymentOf(n), lr.active.replicaOf(n),
                            new ExecutorCommand.Close(List.of(invocationId(lr.id, n))));
                    lr.open[n] = false;
                }
            }
        }
    }

    // ---- decisions, called by the core ----

    @Override
    public void startStep(int deployment, int replica, Step step, long nowNanos) {
        List<ExecutorCommand.StepItem> items = new ArrayList<>();
        Map<Long, Integer> sequences = new HashMap<>();
        core.describeRunningStep(deployment, replica, new StepVisitor() {
            @Override
            public void batchItem(Object owner, int node) {
                items.add(item(owner, node, ExecutorCommand.ItemKind.BATCH, 0, 0));
            }

            @Override
            public void prefillChunk(Object owner, int node, int sequence, long startToken, long tokens) {
                sequences.put(invocationId(((ActiveRequest) owner).requestId(), node), sequence);
                items.add(item(owner, node, ExecutorCommand.ItemKind.PREFILL, startToken, tokens));
            }

            @Override
            public void decode(Object owner, int node, int sequence, long contextTokens) {
                sequences.put(invocationId(((ActiveRequest) owner).requestId(), node), sequence);
                items.add(item(owner, node, ExecutorCommand.ItemKind.DECODE, contextTokens, 1));
            }

            @Override
            public void diffusionJob(Object owner, int node) {
                items.add(item(owner, node, ExecutorCommand.ItemKind.DIFFUSE, 0, 0));
            }
        });
        items.removeIf(java.util.Objects::isNull);
        String task = core.deployment(deployment).tasks().get(step.task()).taskKey();
        long id = ++nextStep;
        StepTrace.mark(StepTrace.DECIDED, id, nowNanos);
        inFlight(deployment, replica).steps.addLast(new Running(id, task, items, sequences, nowNanos));
        observer.stepStarted(deployment, replica, step, nowNanos);
        ports.send(deployment, replica, new ExecutorCommand.RunStep(id, task, items, step.iterations()));
        StepTrace.mark(StepTrace.SENT, id);
    }

    /** A member of a request that already failed or was cancelled is left out: its executor state is gone. */
    private ExecutorCommand.StepItem item(Object owner, int node, ExecutorCommand.ItemKind kind, long start,
            long tokens) {
        long id = ((ActiveRequest) owner).requestId();
        return requests.containsKey(id) ? new ExecutorCommand.StepItem(invocationId(id, node), kind, start, tokens)
                : null;
    }

    @Override
    public void endRunBy(int deployment, int replica, long atNanos) {
        Running run = running(deployment, replica);
        if (run == null) {
            return;
        }
        Runnable cut = () -> {
            Running now = running(deployment, replica);
            if (now != null && now.step == run.step) {
                ports.send(deployment, replica, new ExecutorCommand.Cut(run.step));
            }
        };
        if (atNanos <= loop.nowNanos()) {
            cut.run();
        } else {
            loop.at(atNanos, cut);
        }
    }

    @Override
    public void wakeAt(int deployment, int replica, long atNanos) {
        loop.at(atNanos, () -> core.wake(deployment, replica, loop.nowNanos()));
    }

    @Override
    public void startTransfer(ActiveRequest request, int edge, int fromDeployment, int fromReplica, int toDeployment,
            int toReplica, long bytes, long nowNanos) {
        LiveRequest lr = (LiveRequest) request.attachment();
        int from = lr.graph.edge(edge).from();
        int to = lr.graph.edge(edge).to();
        if (lr.graph.edge(edge).streamed() && request.chunksSent(edge) > 1) {
            restTransfer(request, lr, edge, fromDeployment, fromReplica, toDeployment, toReplica, bytes);
            return;
        }
        Map<Integer, TensorRef> handed = lr.handedOn == null ? null : lr.handedOn.get(to);
        TensorRef tensor = handed == null ? null : handed.get(from);
        transport.move(fromDeployment, fromReplica, toDeployment, toReplica, tensor, bytes, new TensorTransport.Moved() {
            @Override
            public void moved(TensorRef there) {
                if (there != null && handed != null) {
                    handed.put(from, there);
                }
                core.transferDone(request, edge, loop.nowNanos());
            }

            @Override
            public void failed(String reason) {
                if (!lr.done) {
                    failureStatus = 500;
                    core.invocationFailed(request, to, reason, loop.nowNanos());
                }
            }
        });
    }

    /**
     * The core's second transfer of a streamed edge: the producer's last output (null when it handed everything on
     * whole, or a fake executor reported none) goes to the consumer as its last states, then the core hears it
     * arrived.
     */
    private void restTransfer(ActiveRequest request, LiveRequest lr, int edge, int fromDeployment, int fromReplica,
            int toDeployment, int toReplica, long bytes) {
        TensorRef rest = null;
        boolean streamed = lr.restHeld != null && lr.restHeld[edge];
        if (streamed) {
            rest = lr.heldRest[edge];
            lr.restHeld[edge] = false;
            lr.heldRest[edge] = null;
        }
        int to = lr.graph.edge(edge).to();
        moveStates(request, lr, to, fromDeployment, fromReplica, toDeployment, toReplica, rest, bytes,
                there -> {
                    if (streamed) {
                        streamInput(lr, to, there, true);
                    }
                    core.transferDone(request, edge, loop.nowNanos());
                });
    }

    /** Moves a chunk (or, {@code last}, the rest) of streamed edge {@code e} to its consumer's replica and on. */
    private void streamChunk(LiveRequest lr, int e, TensorRef chunk, boolean last) {
        ActiveRequest a = lr.active;
        int from = lr.graph.edge(e).from();
        int to = lr.graph.edge(e).to();
        moveStates(a, lr, to, a.deploymentOf(from), a.replicaOf(from), a.deploymentOf(to), a.replicaOf(to), chunk,
                chunk == null ? 0 : chunk.bytes(), there -> streamInput(lr, to, there, last));
    }

    /** Moves streamed states towards consumer {@code to}; a failed move fails the consumer. */
    private void moveStates(ActiveRequest a, LiveRequest lr, int to, int fromDeployment, int fromReplica,
            int toDeployment, int toReplica, TensorRef states, long bytes,
            java.util.function.Consumer<TensorRef> moved) {
        transport.move(fromDeployment, fromReplica, toDeployment, toReplica, states, bytes, new TensorTransport.Moved() {
            @Override
            public void moved(TensorRef there) {
                moved.accept(there);
            }

            @Override
            public void failed(String reason) {
                if (!lr.done) {
                    failureStatus = 500;
                    core.invocationFailed(a, to, reason, loop.nowNanos());
                }
            }
        });
    }

    /** Sends streamed input states to the consumer's executor, or holds them until the consumer is opened. */
    private void streamInput(LiveRequest lr, int node, TensorRef states, boolean last) {
        if (lr.done) {
            return; // the segment is reclaimed after the sidecar's timeout, as an unread output's
        }
        ExecutorCommand.StreamStates more = new ExecutorCommand.StreamStates(invocationId(lr.id, node), states, last,
                last ? talkerCodes(lr, node, lr.input(node).maxTokens()) : 0);
        if (lr.opened[node]) {
            ports.send(lr.active.deploymentOf(node), lr.active.replicaOf(node), more);
        } else {
            if (lr.waitingInput == null) {
                lr.waitingInput = new HashMap<>();
            }
            lr.waitingInput.computeIfAbsent(node, k -> new ArrayList<>()).add(more);
        }
    }

    /**
     * Codes a talker generates for its thinker's answer: four per thinker token, 25 at least (one second of speech),
     * within its cap.
     */
    private static int talkerCodes(LiveRequest lr, int talker, int cap) {
        int thinker = 0;
        for (DataEdge e : lr.graph.edges()) {
            if (e.to() == talker) {
                thinker = Math.max(thinker, lr.generated[e.from()]);
            }
        }
        return (int) Math.min(cap, Math.max(TALKER_MIN_CODES, TALKER_CODES_PER_TOKEN * (long) thinker));
    }

    @Override
    public void completed(ActiveRequest request, long nowNanos) {
        LiveRequest lr = (LiveRequest) request.attachment();
        requests.remove(lr.id);
        retriedAs.remove(lr.firstId);
        if (lr.done) {
            return;
        }
        lr.done = true;
        observer.completed(lr.id, nowNanos);
        lr.sink.completed(new OutputSink.Usage(lr.promptTokens, lr.completionTokens));
    }

    @Override
    public void rejected(long requestId, InvocationGraph graph, Object attachment, String reason, long nowNanos) {
        LiveRequest lr = (LiveRequest) attachment;
        requests.remove(requestId);
        retriedAs.remove(lr.firstId);
        if (lr.done) {
            return;
        }
        lr.done = true;
        if (sidecar != null) {
            for (TensorRef ref : lr.placed) {
                sidecar.release(ref);
            }
        }
        observer.rejected(requestId, reason, nowNanos);
        boolean overload = reason.contains("admission") || reason.contains("outstanding");
        boolean noReplica = reason.contains("no replica up");
        lr.sink.failed(new OutputSink.Failure(overload ? 429 : noReplica ? 503 : 400,
                overload || noReplica ? "admission" : "dispatcher", reason));
    }

    @Override
    public void failed(ActiveRequest request, String reason, long nowNanos) {
        LiveRequest lr = (LiveRequest) request.attachment();
        lr.active = request;
        if (downDeployment >= 0 && !lr.done) {
            lostWithExecutor(lr, request, reason);
            return;
        }
        String stage = failureStatus == 503 ? "executor" : "dispatcher";
        int at = reason.indexOf("stage ");
        if (at >= 0) {
            int end = reason.indexOf(' ', at + 6);
            stage = reason.substring(at + 6, end < 0 ? reason.length() : end);
        }
        fail(lr, failureStatus, stage, reason);
    }

    /**
     * The request's work on the replica that went down is lost: it runs again elsewhere when nothing of it reached
     * the client, it may be retried and another replica is up; else it fails with 503 naming the stage lost.
     */
    private void lostWithExecutor(LiveRequest lr, ActiveRequest request, String reason) {
        String stage = "executor";
        for (int n = 0; n < lr.graph.size(); n++) {
            if (!request.finishedNode(n) && request.deploymentOf(n) == downDeployment
                    && request.replicaOf(n) == downReplica) {
                stage = lr.graph.node(n).taskKey();
                break;
            }
        }
        String deployment = core.deployment(downDeployment).name();
        String why = lr.delivered ? "part of its output had already gone to the client"
                : lr.rebuild == null || retryIds == null || maxRetries == 0 ? "retries are off"
                : lr.attempt >= maxRetries ? "it was retried " + lr.attempt + " time(s) already"
                : core.replicasUp(downDeployment) == 0 ? "no other replica of " + deployment + " is up" : null;
        String message = "stage " + stage + " (deployment " + deployment + " replica " + downReplica + ") failed: "
                + reason;
        if (why != null) {
            fail(lr, 503, stage, message + "; not retried: " + why);
            return;
        }
        finishWithoutAnswer(lr);
        observer.retried(lr.firstId, downDeployment, loop.nowNanos());
        long id = retryIds.getAsLong();
        retriedAs.put(lr.firstId, id);
        String stageLost = stage;
        Thread.ofVirtual().name("cornserve-retry-" + id).start(() -> {
            RequestBuilder.Built built;
            try {
                built = lr.rebuild.get();
            } catch (RuntimeException e) {
                loop.post(() -> {
                    retriedAs.remove(lr.firstId);
                    observer.failed(lr.firstId, stageLost, message, loop.nowNanos());
                    lr.sink.failed(new OutputSink.Failure(503, stageLost, message + "; the retry could not rebuild "
                            + "its inputs: " + e.getMessage()));
                });
                return;
            }
            loop.post(() -> {
                if (!retriedAs.containsKey(lr.firstId)) {
                    if (sidecar != null) {
                        built.placed().forEach(sidecar::release); // the client left meanwhile
                    }
                    return;
                }
                LiveRequest again = new LiveRequest(id, built.graph(), built.inputs(), built.promptTokens(),
                        lr.temperature, lr.seed, lr.sink, built.placed());
                again.rebuild = lr.rebuild;
                again.firstId = lr.firstId;
                again.attempt = lr.attempt + 1;
                again.deadlineNanos = lr.deadlineNanos;
                admit(again);
            });
        });
    }

    @Override
    public void cancelled(ActiveRequest request, long nowNanos) {
        LiveRequest lr = (LiveRequest) request.attachment();
        lr.active = request;
    }

    @Override
    public void startReplica(int deployment, int replica, long nowNanos) {
        dropRunning(deployment, replica);
        lifecycle.start(deployment, replica);
    }

    @Override
    public void stopReplica(int deployment, int replica, long nowNanos) {
        dropRunning(deployment, replica);
        lifecycle.stop(deployment, replica);
    }

    @Override
    public void invocationQueued(ActiveRequest request, int node, long nowNanos) {
        LiveRequest lr = (LiveRequest) request.attachment();
        lr.active = request;
        observer.queued(lr.id, node, request.deploymentOf(node), nowNanos);
        if (lr.done) {
            return;
        }
        NodeInput in = lr.input(node);
        int d = request.deploymentOf(node);
        int r = request.replicaOf(node);
        List<TensorRef> tensors = new ArrayList<>(in.media());
        String controlSidecar = transport.controlSidecarFor(d, r);
        tensors.addAll(lr.handedOn.get(node).values());
        InvocationGraph g = lr.graph;
        int consumers = g.outDegree(node) + (in.controlPlaneReads() ? 1 : 0);
        int[] dims = in.dims();
        int maxTokens = in.maxTokens();
        // a producer of streamed edges hands its states on in chunks; a consumer of one whose producer did takes
        // the rest as it comes
        int stream = in.keepHidden() ? g.streamChunkTokens(node) : 0;
        if (g.node(node).taskKey().endsWith("/talker")) {
            // the core planned the talker's prefill over its positions; the executor pads the thinker's states to
            // that length when the thinker ended early (whole) or the rows have not come yet (streamed). Codes: as
            // the thinker's answer needs, known now when it came whole, else with its last states (the cap till then)
            dims = new int[] {(int) g.node(node).work().tokens()};
            stream = streamingInto(lr, node);
            if (stream == 0) {
                maxTokens = talkerCodes(lr, node, maxTokens);
            }
        }
        lr.open[node] = true;
        lr.opened[node] = true;
        ports.send(d, r, new ExecutorCommand.Open(invocationId(lr.id, node), g.node(node).taskKey(), in.tokens(),
                tensors, dims, maxTokens, lr.temperature, lr.seed, in.keepHidden(), consumers,
                in.controlPlaneReads() ? controlSidecar : null, in.media().isEmpty() ? null : controlSidecar,
                controlSidecar == null ? 0 : in.media().size(), stream));
        List<ExecutorCommand.StreamStates> waiting = lr.waitingInput == null ? null : lr.waitingInput.remove(node);
        if (waiting != null) {
            waiting.forEach(m -> ports.send(d, r, m));
        }
    }

    /** The chunk of a streamed edge into {@code node} whose producer streamed its first chunk, else 0. */
    private static int streamingInto(LiveRequest lr, int node) {
        for (DataEdge e : lr.graph.edges()) {
            if (e.to() == node && e.streamed() && lr.streaming[e.from()]) {
                return e.streamChunkTokens();
            }
        }
        return 0;
    }

    @Override
    public void invocationStarted(ActiveRequest request, int node, long nowNanos) {
        observer.started(request.requestId(), node, nowNanos);
    }

    @Override
    public void firstOutput(ActiveRequest request, int node, long nowNanos) {
        observer.firstOutput(request.requestId(), nowNanos);
    }

    @Override
    public void invocationFinished(ActiveRequest request, int node, long nowNanos) {
        observer.finished(request.requestId(), node, request.deploymentOf(node), nowNanos);
    }
}
