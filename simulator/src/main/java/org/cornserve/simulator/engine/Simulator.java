package org.cornserve.simulator.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.cornserve.planner.schedule.Decisions;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.SchedulerCore;
import org.cornserve.planner.schedule.batch.LlmBatcher;
import org.cornserve.planner.schedule.batch.SequenceEnds;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.planner.schedule.dispatch.ActiveRequest;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.SimDeployment;
import org.cornserve.simulator.event.EventQueue;
import org.cornserve.simulator.event.SimEvent;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.MetricsCollector;
import org.cornserve.simulator.metrics.RequestRecord;
import org.cornserve.simulator.metrics.SimResult;

/**
 * The discrete-event simulator: feeds the shared {@link SchedulerCore} facts from a deterministic event queue
 * and turns its decisions into future events timed by cost models (steps) and by the network (transfers).
 *
 * <p>Each replica runs one step at a time. A multi-iteration step (the decode fast path, or several diffusion
 * steps) is scheduled to end after all its iterations; when the core says the run went stale (new work could
 * join), the engine finds by binary search the first iteration boundary at or after that time, schedules a new
 * end there and bumps the replica's epoch so the superseded end event is skipped when it pops. Requests are
 * pulled from the workload one at a time, so memory does not grow with queued future arrivals. Same inputs give
 * the same outputs: nothing random happens here (randomised routers carry their own seeds).
 *
 * <p>Sequence ends: the core does not know how long a sequence runs; this engine does, from each invocation's
 * trace output length. An {@link EndLookahead} per LLM batcher keeps the iteration of each decoding sequence's
 * last token; a step is stopped at the first such iteration (the same bound the decode fast path had when the core
 * read the length itself) and its end is reported with the sequences that ended ({@link SequenceEnds}).
 */
public final class Simulator implements Decisions {
    private final SimConfig config;
    private final SchedulerCore core;
    private final EventQueue<SimEvent> queue = new EventQueue<>();
    private final StepTimer[] timers;
    private final int[][] nodes;
    private final Step[][] running;
    private final long[][] startNanos;
    private final long[][] planned;
    private final long[][] epoch;
    private final long[][] busyNanos;
    private final MetricsCollector metrics;
    private final long[] lengths;
    private final EndLookahead[][][] lookahead;
    private final SequenceEnds ended = new SequenceEnds();
    private final BatcherCounts batcherCounts;
    private long events;
    private long staleEvents;
    private boolean ran;

    public Simulator(SimConfig config) {
        this(config, true, null);
    }

    /**
     * @param keepRecords whether the result keeps every request's record; without, memory does not grow with the
     *     number of requests (the summary is complete, per-request files and stage breakdowns are empty)
     * @param onRequestEnd called with each request's record as it completes or is rejected, or null
     */
    public Simulator(SimConfig config, boolean keepRecords, Consumer<RequestRecord> onRequestEnd) {
        this.config = config;
        List<DeploymentConfig> cores = new ArrayList<>();
        for (SimDeployment sd : config.deployments()) {
            cores.add(sd.deployment());
        }
        this.core = new SchedulerCore(cores, this);
        int n = cores.size();
        timers = new StepTimer[n];
        nodes = new int[n][];
        running = new Step[n][];
        startNanos = new long[n][];
        planned = new long[n][];
        epoch = new long[n][];
        busyNanos = new long[n][];
        for (int d = 0; d < n; d++) {
            SimDeployment sd = config.deployments().get(d);
            int replicas = sd.deployment().replicas();
            timers[d] = new StepTimer(sd.costs().toArray(), sd.deployment().name());
            nodes[d] = sd.replicaNodes().stream().mapToInt(Integer::intValue).toArray();
            running[d] = new Step[replicas];
            startNanos[d] = new long[replicas];
            planned[d] = new long[replicas];
            epoch[d] = new long[replicas];
            busyNanos[d] = new long[replicas];
        }
        metrics = new MetricsCollector(config, keepRecords, onRequestEnd);
        batcherCounts = new BatcherCounts(core);
        metrics.queues().splitFrom(batcherCounts);
        lengths = new long[n];
        lookahead = new EndLookahead[n][][];
        for (int d = 0; d < n; d++) {
            lookahead[d] = new EndLookahead[running[d].length][config.deployments().get(d).deployment().tasks().size()];
        }
        core.watchSequences((d, r, t) -> lookahead[d][r][t] = new EndLookahead());
    }

    /**
     * Runs the workload (in non-decreasing arrival order) to the end: until every request has completed or
     * been rejected. A simulator runs once.
     */
    public SimResult run(Iterator<SimRequest> workload) {
        if (ran) {
            throw new IllegalStateException("a simulator runs once; make a new one");
        }
        ran = true;
        long wallStart = System.nanoTime();
        if (workload.hasNext()) {
            SimRequest first = workload.next();
            queue.push(first.arrivalNanos(), 3, new SimEvent.Arrival(first));
        }
        while (!queue.isEmpty()) {
            SimEvent event = queue.poll();
            long now = queue.now();
            metrics.queues().advanceTo(now);
            switch (event) {
                case SimEvent.StepEnd end -> {
                    int d = end.deployment();
                    int r = end.replica();
                    if (end.epoch() != epoch[d][r]) {
                        staleEvents++;
                        continue;
                    }
                    busyNanos[d][r] += now - startNanos[d][r];
                    Step step = running[d][r];
                    running[d][r] = null;
                    ended.clear();
                    if (step instanceof Step.LlmStep) {
                        long after = llm(d, r, step).iteration() + planned[d][r];
                        lookahead[d][r][step.task()].collectEnds(after, ended);
                    }
                    core.stepDone(d, r, planned[d][r], ended, now);
                }
                case SimEvent.TransferEnd t -> core.transferDone(t.request(), t.edge(), now);
                case SimEvent.Wake w -> core.wake(w.deployment(), w.replica(), now);
                case SimEvent.Arrival a -> {
                    SimRequest request = a.request();
                    RequestRecord record = metrics.arrived(request);
                    core.arrive(request.id(), request.graph(), record, now);
                    if (workload.hasNext()) {
                        SimRequest next = workload.next();
                        if (next.arrivalNanos() < now) {
                            throw new IllegalArgumentException("workload is not in arrival order: request " + next.id()
                                    + " arrives at " + next.arrivalNanos() + " ns, before request " + request.id()
                                    + " at " + now + " ns");
                        }
                        queue.push(next.arrivalNanos(), 3, new SimEvent.Arrival(next));
                    }
                }
            }
            events++;
            for (int d = 0; d < lengths.length; d++) {
                lengths[d] = core.outstanding(d);
            }
            metrics.queues().observe(now, lengths);
        }
        double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
        batcherCounts.report(metrics);
        return metrics.result(busyNanos, events, staleEvents, wallSeconds);
    }

    @Override
    public void startStep(int deployment, int replica, Step step, long nowNanos) {
        running[deployment][replica] = step;
        startNanos[deployment][replica] = nowNanos;
        long iterations = step.iterations();
        if (step instanceof Step.LlmStep) {
            long toEnd = lookahead[deployment][replica][step.task()]
                    .iterationsToNextEnd(llm(deployment, replica, step).iteration());
            iterations = Math.min(iterations, toEnd);
        }
        planned[deployment][replica] = iterations;
        long end = nowNanos + timers[deployment].nanos(step, iterations);
        queue.push(end, 0, new SimEvent.StepEnd(deployment, replica, ++epoch[deployment][replica]));
    }

    private LlmBatcher llm(int deployment, int replica, Step step) {
        return (LlmBatcher) core.replica(deployment, replica).batcher(step.task());
    }

    @Override
    public void endRunBy(int deployment, int replica, long atNanos) {
        Step step = running[deployment][replica];
        long plannedIterations = planned[deployment][replica];
        if (step == null || plannedIterations <= 1) {
            return;
        }
        long start = startNanos[deployment][replica];
        long m = timers[deployment].iterationsToReach(step, plannedIterations, start, atNanos);
        if (m < plannedIterations) {
            planned[deployment][replica] = m;
            long end = start + timers[deployment].nanos(step, m);
            queue.push(end, 0, new SimEvent.StepEnd(deployment, replica, ++epoch[deployment][replica]));
        }
    }

    @Override
    public void wakeAt(int deployment, int replica, long atNanos) {
        queue.push(atNanos, 2, new SimEvent.Wake(deployment, replica));
    }

    @Override
    public void startTransfer(ActiveRequest request, int edge, int fromDeployment, int fromReplica, int toDeployment,
            int toReplica, long bytes, long nowNanos) {
        boolean sameNode = nodes[fromDeployment][fromReplica] == nodes[toDeployment][toReplica];
        long end = nowNanos + config.network().transferNanos(bytes, sameNode);
        queue.push(end, 1, new SimEvent.TransferEnd(request, edge));
    }

    @Override
    public void completed(ActiveRequest request, long nowNanos) {
        metrics.completed((RequestRecord) request.attachment(), nowNanos);
    }

    @Override
    public void rejected(long requestId, InvocationGraph graph, Object attachment, String reason, long nowNanos) {
        metrics.rejected((RequestRecord) attachment, reason, nowNanos);
    }

    @Override
    public void failed(ActiveRequest request, String reason, long nowNanos) {
        metrics.rejected((RequestRecord) request.attachment(), reason, nowNanos);
    }

    @Override
    public void invocationQueued(ActiveRequest request, int node, long nowNanos) {
        MetricsCollector.queued((RequestRecord) request.attachment(), node, nowNanos);
    }

    @Override
    public void invocationStarted(ActiveRequest request, int node, long nowNanos) {
        MetricsCollector.started((RequestRecord) request.attachment(), node, nowNanos);
    }

    @Override
    public void firstOutput(ActiveRequest request, int node, long nowNanos) {
        MetricsCollector.firstOutput((RequestRecord) request.attachment(), nowNanos);
    }

    @Override
    public void invocationFirstToken(ActiveRequest request, int node, long nowNanos) {
        if (node == request.graph().speechSourceNode()) {
            MetricsCollector.speechStreamStarted((RequestRecord) request.attachment(), nowNanos);
        }
    }

    @Override
    public void invocationFinished(ActiveRequest request, int node, long nowNanos) {
        MetricsCollector.finished((RequestRecord) request.attachment(), node, nowNanos);
    }

    /** The core, for inspection after a run. */
    public SchedulerCore core() {
        return core;
    }
}
