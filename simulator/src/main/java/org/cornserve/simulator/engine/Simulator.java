package org.cornserve.simulator.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.cornserve.planner.schedule.Decisions;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.SchedulerCore;
import org.cornserve.planner.schedule.batch.LlmBatcher;
import org.cornserve.planner.schedule.batch.SequenceEnds;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.planner.schedule.dispatch.ActiveRequest;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.scale.Autoscaler;
import org.cornserve.planner.schedule.scale.ScaleSettings;
import org.cornserve.simulator.config.ServedStepCosts;
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
 * and turns its decisions into future events timed by cost models (steps) and by the network (transfers; with the
 * network's {@code fairShare}, sharing a link fairly: {@link SharedLinks}).
 *
 * <p>Each replica runs one step at a time. A multi-iteration step (the decode fast path, or several diffusion
 * steps) is scheduled to end after all its iterations; when the core says the run went stale (new work could
 * join), the engine finds by binary search the first iteration boundary at or after that time, schedules a new
 * end there and keeps that end's queue sequence as the replica's live one, so the superseded end event is skipped
 * when it pops (each replica has one {@link SimEvent.StepEnd} object, pushed again for every end). Requests are
 * pulled from the workload one at a time, so memory does not grow with queued future arrivals. Same inputs give
 * the same outputs: nothing random happens here (randomised routers carry their own seeds).
 *
 * <p>Sequence ends: the core does not know how long a sequence runs; this engine does, from each invocation's
 * trace output length. An {@link EndLookahead} per LLM batcher keeps the iteration of each decoding sequence's
 * last token; a step is stopped at the first such iteration (the same bound the decode fast path had when the core
 * read the length itself) and its end is reported with the sequences that ended ({@link SequenceEnds}).
 *
 * <p>Executors on one host's CPU ({@link org.cornserve.simulator.config.HostSharing}, measured; {@link HostShares}): a step of such a replica is a fixed amount of
 * <em>nominal</em> work (its profiled time) that advances at {@code 1 / factor(k)} while {@code k} executors of the
 * host compute at once. When a step starts or ends there, every other step running on that host is re-timed: its
 * nominal progress so far is booked at the old rate and its end moved (a new live end) to finish the rest at the new
 * one. Only which executors are busy now is read, never what comes later. Without host sharing (every GPU plan)
 * a step takes its profiled time.
 */
public final class Simulator implements Decisions {
    private final SimConfig config;
    private final SchedulerCore core;
    private final EventQueue<SimEvent> queue = new EventQueue<>();
    private final StepTimer[] timers;
    private int[][] nodes;
    private final Step[][] running;
    private final long[][] startNanos;
    private final long[][] planned;
    /**
     * Decode reports the replica made since its last step with a prefill, when its running step started (the
     * after-prefill ratio, {@link StepTimer#nanosAt(Step, long, long, long, long)}); {@link #NO_PREFILL} before any.
     */
    private final long[][] sincePrefill;
    private static final long NO_PREFILL = StepTimer.NO_PREFILL;
    /** Per replica: the queue sequence of its live step end (an end that pops with another is superseded). */
    private final long[][] liveEnd;
    /** Per replica: its one step-end event, pushed for every end. */
    private SimEvent.StepEnd[][] stepEnds;
    private final long[][] busyNanos;
    /**
     * Per replica: when its last step ended, and whether that step held a prefill (a prefill right after it computes
     * at the served costs' after-prefill ratio of prefills, {@link StepTimer#chargesPrefillBefore}).
     */
    private final long[][] lastEndNanos;
    private final boolean[][] lastHadPrefill;
    private final long[][] existsFrom;
    private final long[][] existsTo;
    private final long[][] firstStepNanos;
    private final MetricsCollector metrics;
    private final long[] lengths;
    private final EndLookahead[][][] lookahead;
    private final SimScaling scaling;
    private final Autoscaler autoscaler;
    private final int[] nodeFree;
    private final List<ScalingReport.Change> changes = new ArrayList<>();
    private long firstArrival = -1;
    private long lastEnd = -1;
    private long scaleUps;
    private long scaleDowns;
    private final SequenceEnds ended = new SequenceEnds();
    private final SharedLinks links = new SharedLinks((transfer, epoch, atNanos, payload) -> {
        SimEvent.TransferEnd t = (SimEvent.TransferEnd) payload;
        queue.push(atNanos, 1, new SimEvent.TransferEnd(t.request(), t.edge(), transfer, epoch));
    });
    private final BatcherCounts batcherCounts;
    private long events;
    private long staleEvents;
    private boolean ran;
    /** Inside {@link #run}: {@link #send} is open. */
    private boolean inRun;
    /** The request last taken from the workload iterator: its arrival takes the next one. */
    private SimRequest lastPulled;
    /** A closed-loop client's slots ({@link #withMaxConcurrency}; 0: open loop), those taken, and who waits. */
    private int maxConcurrency;
    private int inFlight;
    private final ArrayDeque<SimRequest> held = new ArrayDeque<>();

    private long requestOverheadNanos;
    /** Request overhead per input token beyond {@link #requestOverheadNanos} ({@link #withRequestOverheadPerToken}). */
    private double requestOverheadNanosPerToken;

    private final boolean asyncScheduling;
    /** Async scheduling: per replica (key {@code d << 32 | r}) the step computing first, then the one sent. */
    private final Map<Long, ArrayDeque<SentStep>> sent = new HashMap<>();

    /**
     * A step sent under async scheduling: when it was decided, the batcher's iteration then, its prompt ends, and
     * the time from which the core asked to cut it while it waited (a decode run sent behind another step).
     */
    private static final class SentStep {
        final Step step;
        final long decidedNanos;
        final long baseIteration;
        final SequenceEnds prefillEnds;
        long cutAtNanos = Long.MAX_VALUE;

        SentStep(Step step, long decidedNanos, long baseIteration, SequenceEnds prefillEnds) {
            this.step = step;
            this.decidedNanos = decidedNanos;
            this.baseIteration = baseIteration;
            this.prefillEnds = prefillEnds;
        }
    }

    /** Executors processor-shared on their host's CPU, or null. */
    private final HostShares shares;

    public Simulator(SimConfig config) {
        this(config, true, null);
    }

    /**
     * @param keepRecords whether the result keeps every request's record; without, memory does not grow with the
     *     number of requests (the summary is complete, per-request files and stage breakdowns are empty)
     * @param onRequestEnd called with each request's record as it completes or is rejected, or null
     */
    public Simulator(SimConfig config, boolean keepRecords, Consumer<RequestRecord> onRequestEnd) {
        this(config, keepRecords, onRequestEnd, null);
    }

    /**
     * @param scaling how replicas start and stop while the trace runs, or null for the plan's replicas throughout
     */
    public Simulator(SimConfig config, boolean keepRecords, Consumer<RequestRecord> onRequestEnd, SimScaling scaling) {
        this(config, keepRecords, onRequestEnd, scaling, false);
    }

    /**
     * @param asyncScheduling the core decides a replica's next step while its current one computes
     *     ({@link SchedulerCore#SchedulerCore(List, org.cornserve.planner.schedule.Decisions, boolean, boolean)}):
     *     a step sent while another computes waits for it and starts at its end, and the round trip it would pay
     *     ({@link StepTimer#withStepOverhead}) is charged only for what is left of it after the time it waited
     */
    public Simulator(SimConfig config, boolean keepRecords, Consumer<RequestRecord> onRequestEnd, SimScaling scaling,
            boolean asyncScheduling) {
        this.config = config;
        this.asyncScheduling = asyncScheduling;
        this.scaling = scaling;
        List<DeploymentConfig> cores = new ArrayList<>();
        for (SimDeployment sd : config.deployments()) {
            cores.add(sd.deployment());
        }
        this.core = new SchedulerCore(cores, this, true, asyncScheduling);
        int n = cores.size();
        timers = new StepTimer[n];
        nodes = new int[n][];
        running = new Step[n][];
        startNanos = new long[n][];
        planned = new long[n][];
        sincePrefill = new long[n][];
        liveEnd = new long[n][];
        stepEnds = new SimEvent.StepEnd[n][];
        busyNanos = new long[n][];
        lastEndNanos = new long[n][];
        lastHadPrefill = new boolean[n][];
        existsFrom = new long[n][];
        existsTo = new long[n][];
        firstStepNanos = new long[n][];
        for (int d = 0; d < n; d++) {
            SimDeployment sd = config.deployments().get(d);
            int replicas = sd.deployment().replicas();
            timers[d] = new StepTimer(sd.costs().toArray(), sd.deployment().name());
            nodes[d] = sd.replicaNodes().stream().mapToInt(Integer::intValue).toArray();
            running[d] = new Step[replicas];
            startNanos[d] = new long[replicas];
            planned[d] = new long[replicas];
            sincePrefill[d] = new long[replicas];
            Arrays.fill(sincePrefill[d], NO_PREFILL);
            liveEnd[d] = new long[replicas];
            Arrays.fill(liveEnd[d], -1);
            stepEnds[d] = new SimEvent.StepEnd[replicas];
            for (int r = 0; r < replicas; r++) {
                stepEnds[d][r] = new SimEvent.StepEnd(d, r);
            }
            busyNanos[d] = new long[replicas];
            lastEndNanos[d] = new long[replicas];
            lastHadPrefill[d] = new boolean[replicas];
            existsFrom[d] = new long[replicas];
            existsTo[d] = new long[replicas];
            Arrays.fill(existsTo[d], -1);
            firstStepNanos[d] = new long[replicas];
            Arrays.fill(firstStepNanos[d], -1);
        }
        shares = config.hostSharing() == null ? null : new HostShares(config.hostSharing(),
                cores.stream().mapToInt(DeploymentConfig::replicas).toArray(),
                (d, r, end) -> pushStepEnd(d, r, end));
        metrics = new MetricsCollector(config, keepRecords, onRequestEnd);
        batcherCounts = new BatcherCounts(core);
        metrics.queues().splitFrom(batcherCounts);
        lengths = new long[n];
        lookahead = new EndLookahead[n][][];
        for (int d = 0; d < n; d++) {
            lookahead[d] = new EndLookahead[running[d].length][config.deployments().get(d).deployment().tasks().size()];
        }
        core.watchSequences((d, r, t) -> {
            grow(d, r);
            EndLookahead watcher = new EndLookahead();
            lookahead[d][r][t] = watcher;
            return watcher;
        });
        if (scaling == null) {
            autoscaler = null;
            nodeFree = null;
        } else {
            if (scaling.settings().size() != n) {
                throw new IllegalArgumentException("scaling has settings for " + scaling.settings().size()
                        + " deployments, the simulation has " + n);
            }
            int[] devices = new int[n];
            for (int d = 0; d < n; d++) {
                devices[d] = config.deployments().get(d).devicesPerReplica();
            }
            autoscaler = new Autoscaler(core, scaling.policy().create(scaling.tolerance()), scaling.settings(), devices,
                    scaling.deploymentPool(), scaling.poolDevices(), scaling.intervalNanos());
            nodeFree = scaling.nodeDevices().clone();
            for (int d = 0; d < n; d++) {
                for (int node : nodes[d]) {
                    if (node >= 0 && node < nodeFree.length) {
                        nodeFree[node] -= devices[d];
                    }
                }
            }
        }
    }

    /** Grows deployment d's per-replica arrays to hold replica r (a replica added while running). */
    private void grow(int d, int r) {
        if (r < running[d].length) {
            return;
        }
        int size = Math.max(r + 1, running[d].length * 2);
        running[d] = Arrays.copyOf(running[d], size);
        startNanos[d] = Arrays.copyOf(startNanos[d], size);
        planned[d] = Arrays.copyOf(planned[d], size);
        int before = sincePrefill[d].length;
        sincePrefill[d] = Arrays.copyOf(sincePrefill[d], size);
        Arrays.fill(sincePrefill[d], before, size, NO_PREFILL);
        busyNanos[d] = Arrays.copyOf(busyNanos[d], size);
        lastEndNanos[d] = Arrays.copyOf(lastEndNanos[d], size);
        lastHadPrefill[d] = Arrays.copyOf(lastHadPrefill[d], size);
        int old = existsFrom[d].length;
        liveEnd[d] = Arrays.copyOf(liveEnd[d], size);
        Arrays.fill(liveEnd[d], old, size, -1);
        stepEnds[d] = Arrays.copyOf(stepEnds[d], size);
        for (int i = old; i < size; i++) {
            stepEnds[d][i] = new SimEvent.StepEnd(d, i);
        }
        existsFrom[d] = Arrays.copyOf(existsFrom[d], size);
        existsTo[d] = Arrays.copyOf(existsTo[d], size);
        Arrays.fill(existsTo[d], old, size, -1);
        firstStepNanos[d] = Arrays.copyOf(firstStepNanos[d], size);
        Arrays.fill(firstStepNanos[d], old, size, -1);
        if (shares != null) {
            shares.grow(d, size);
        }
        nodes[d] = Arrays.copyOf(nodes[d], size);
        lookahead[d] = Arrays.copyOf(lookahead[d], size);
        for (int i = old; i < size; i++) {
            lookahead[d][i] = new EndLookahead[config.deployments().get(d).deployment().tasks().size()];
        }
    }

    /**
     * Charges every LLM step the serving system's round trip around an engine step, {@code nanosPerStep} per step as
     * a live runtime runs them (each prefill or mixed iteration, each started group of {@code iterationsPerReport}
     * decode iterations; see {@link StepTimer}), measured on the real runtime by {@code cornserve validate}. Call
     * before {@link #run}.
     */
    public Simulator withStepOverhead(long nanosPerStep, long iterationsPerReport) {
        for (int d = 0; d < timers.length; d++) {
            timers[d] = timers[d].withStepOverhead(nanosPerStep, iterationsPerReport);
        }
        return this;
    }

    /**
     * Charges every LLM step what serving it cost beyond its profile ({@link ServedStepCosts}, measured by
     * {@code cornserve validate}; see {@link StepTimer#withServedCosts}). Call after {@link #withStepOverhead} and
     * before {@link #run}.
     */
    public Simulator withServedCosts(ServedStepCosts costs) {
        for (int d = 0; d < timers.length; d++) {
            timers[d] = timers[d].withServedCosts(costs);
        }
        return this;
    }

    /**
     * One LLM step as the simulation started it: when, on which replica, what it holds, and how long it was planned
     * to take then (its compute and overhead at that moment's speed, with host sharing; a step that new work cuts short
     * ends sooner).
     */
    public record StepRecord(long startNanos, int deployment, int replica, int task, long prefillTokens,
            long prefillContextTokens, int decodeSequences, long decodeContextTokens, long iterations,
            long plannedNanos) {
    }

    private java.util.function.Consumer<StepRecord> stepLog;

    /**
     * Hands every LLM step to {@code log} as it starts ({@link StepRecord}), in simulated-time order: what a served
     * replay's {@code steps.csv} holds, for the simulated side. Call before {@link #run}.
     */
    public Simulator withStepLog(java.util.function.Consumer<StepRecord> log) {
        this.stepLog = log;
        return this;
    }

    /**
     * Runs every LLM step's compute at the machine's speed when it starts ({@link SpeedTrace}; see {@link
     * StepTimer#withSpeedTrace}). Call before {@link #run}.
     */
    public Simulator withSpeedTrace(org.cornserve.simulator.config.SpeedTrace trace) {
        for (int d = 0; d < timers.length; d++) {
            timers[d] = timers[d].withSpeedTrace(trace);
        }
        return this;
    }

    /**
     * Each request reaches the scheduler {@code nanosPerToken} per input token later, on top of {@link #run(Iterator,
     * long)}'s fixed overhead: the served runtime's per-request cost grows with the prompt (measured by validate's
     * probe at three prompt lengths; see {@code experiments/validation-tails.md}). Call before {@link #run}.
     */
    public Simulator withRequestOverheadPerToken(double nanosPerToken) {
        if (!(nanosPerToken >= 0) || Double.isInfinite(nanosPerToken)) {
            throw new IllegalArgumentException("request overhead per token must be >= 0 ns and finite, got "
                    + nanosPerToken);
        }
        this.requestOverheadNanosPerToken = nanosPerToken;
        return this;
    }

    /** The key of the step replica r of deployment d runs now, for its served-cost draws: who runs it and when. */
    private long drawKey(int d, int r) {
        return startNanos[d][r] ^ ((long) d << 48) ^ ((long) r << 32);
    }

    /**
     * Runs the workload (in non-decreasing arrival order) to the end: until every request has completed or
     * been rejected. A simulator runs once.
     */
    public SimResult run(Iterator<SimRequest> workload) {
        return run(workload, 0);
    }

    /**
     * As {@link #run(Iterator)}, each request reaching the scheduler {@code requestOverheadNanos} after it arrives:
     * a serving system's fixed per-request cost outside its engines (the gateway, building the request, returning
     * the answer), measured on the real runtime by {@code cornserve validate}. Latencies count from arrival.
     */
    public SimResult run(Iterator<SimRequest> workload, long requestOverheadNanos) {
        if (requestOverheadNanos < 0) {
            throw new IllegalArgumentException("request overhead must be >= 0 ns, got " + requestOverheadNanos);
        }
        this.requestOverheadNanos = requestOverheadNanos;
        if (ran) {
            throw new IllegalStateException("a simulator runs once; make a new one");
        }
        ran = true;
        long wallStart = System.nanoTime();
        inRun = true;
        try {
            if (workload.hasNext()) {
                SimRequest first = workload.next();
                lastPulled = first;
                queue.push(first.arrivalNanos(), 3, new SimEvent.Arrival(first));
                firstArrival = first.arrivalNanos();
                for (int d = 0; d < existsFrom.length; d++) {
                    Arrays.fill(existsFrom[d], firstArrival);
                }
                if (autoscaler != null) {
                    queue.push(firstArrival, 2, new SimEvent.ScaleTick());
                }
            }
            while (!queue.isEmpty()) {
                SimEvent event = queue.poll();
                long now = queue.now();
                metrics.queues().advanceTo(now);
                boolean counted = switch (event) {
                    case SimEvent.StepEnd end -> stepEnded(end, now);
                    case SimEvent.TransferEnd t -> transferEnded(t, now);
                    case SimEvent.Wake w -> {
                        core.wake(w.deployment(), w.replica(), now);
                        yield true;
                    }
                    case SimEvent.ReplicaReady ready -> {
                        changes.add(new ScalingReport.Change(now, ready.deployment(), ready.replica(),
                                ScalingReport.Kind.UP));
                        core.replicaUp(ready.deployment(), ready.replica(), now);
                        yield true;
                    }
                    case SimEvent.ScaleTick tick -> {
                        long next = autoscaler.evaluate(now);
                        if (!queue.isEmpty()) {
                            queue.push(Math.max(next, now + 1), 2, new SimEvent.ScaleTick());
                        }
                        yield true;
                    }
                    case SimEvent.Admit admit -> {
                        core.arrive(admit.request().id(), admit.request().graph(), admit.record(), now);
                        yield true;
                    }
                    case SimEvent.Arrival a -> {
                        arrived(a, workload, now);
                        yield true;
                    }
                };
                if (counted) {
                    events++;
                    for (int d = 0; d < lengths.length; d++) {
                        lengths[d] = core.outstanding(d);
                    }
                    metrics.queues().observe(now, lengths);
                }
            }
        } finally {
            inRun = false; // a failed run leaves send() closed too
        }
        return result((System.nanoTime() - wallStart) / 1e9);
    }

    /**
     * A replica's step ended at {@code now}: its time is charged, the sequences it ended are collected and the core
     * told. False for a stale end (the step was replaced), which is not counted as an event.
     */
    private boolean stepEnded(SimEvent.StepEnd end, long now) {
        int d = end.deployment();
        int r = end.replica();
        if (queue.lastSequence() != liveEnd[d][r]) {
            staleEvents++;
            return false;
        }
        busyNanos[d][r] += now - startNanos[d][r];
        lastEndNanos[d][r] = now;
        lastHadPrefill[d][r] = running[d][r] instanceof Step.LlmStep l && l.prefillTokens() > 0;
        Step step = running[d][r];
        running[d][r] = null;
        if (sincePrefill[d][r] < NO_PREFILL) {
            sincePrefill[d][r] = Math.min(NO_PREFILL, sincePrefill[d][r]
                    + timers[d].decodeReports(step, planned[d][r]));
        }
        if (shares != null && shares.shares(d)) {
            shares.end(d, r, now);
        }
        ended.clear();
        if (asyncScheduling) {
            ArrayDeque<SentStep> steps = sent.get(key(d, r));
            SentStep done = steps.pollFirst();
            if (step instanceof Step.LlmStep) {
                lookahead[d][r][step.task()].collectEnds(done.baseIteration + planned[d][r], ended);
                for (int i = 0; i < done.prefillEnds.count(); i++) {
                    ended.add(done.prefillEnds.sequence(i));
                }
            }
            long iterations = planned[d][r];
            if (!steps.isEmpty()) {
                compute(d, r, steps.peekFirst(), now);
            }
            core.stepDone(d, r, iterations, ended, now);
            return true;
        }
        if (step instanceof Step.LlmStep) {
            long after = llm(d, r, step).iteration() + planned[d][r];
            lookahead[d][r][step.task()].collectEnds(after, ended);
        }
        core.stepDone(d, r, planned[d][r], ended, now);
        return true;
    }

    /** A transfer ended; false (not counted) when it was on a shared link and has since been re-timed. */
    private boolean transferEnded(SimEvent.TransferEnd t, long now) {
        if (t.transfer() >= 0) { // on a shared link
            if (!links.isCurrent(t.transfer(), t.epoch())) {
                staleEvents++;
                return false;
            }
            links.end(t.transfer(), now);
        }
        core.transferDone(t.request(), t.edge(), now);
        return true;
    }

    /** A request is issued: sent now (or held for a closed-loop client's slot), and the workload's next is queued. */
    private void arrived(SimEvent.Arrival a, Iterator<SimRequest> workload, long now) {
        SimRequest request = a.request();
        if (maxConcurrency > 0 && !a.granted() && inFlight >= maxConcurrency) {
            held.addLast(request); // the client waits for a slot: sent when one frees
        } else {
            if (maxConcurrency > 0 && !a.granted()) {
                inFlight++;
            }
            RequestRecord record = metrics.arrived(request);
            long overhead = requestOverheadNanos + Math.round(requestOverheadNanosPerToken * request.inputTokens());
            if (overhead > 0) {
                queue.push(now + overhead, 3, new SimEvent.Admit(request, record));
            } else {
                core.arrive(request.id(), request.graph(), record, now);
            }
        }
        if (request == lastPulled && workload.hasNext()) {
            SimRequest next = workload.next();
            lastPulled = next;
            if (next.arrivalNanos() < now) {
                throw new IllegalArgumentException("workload is not in arrival order: request " + next.id()
                        + " arrives at " + next.arrivalNanos() + " ns, before request " + request.id() + " at " + now
                        + " ns");
            }
            queue.push(next.arrivalNanos(), 3, new SimEvent.Arrival(next));
        }
    }

    /** The run's result: each deployment's busy time over the plan's replicas (added replicas count to the first). */
    private SimResult result(double wallSeconds) {
        long[][] busy = new long[busyNanos.length][];
        for (int d = 0; d < busy.length; d++) {
            busy[d] = Arrays.copyOf(busyNanos[d], config.deployments().get(d).deployment().replicas());
            for (int r = busy[d].length; r < core.replicaCount(d); r++) {
                // replicas added while running: their busy time counts towards the plan's replicas' total
                busy[d][0] += busyNanos[d][r];
            }
        }
        batcherCounts.report(metrics);
        return metrics.result(busy, events, staleEvents, wallSeconds);
    }

    /**
     * Sends {@code request} while the simulator runs, beside its workload: a closed-loop client's request, sent from
     * the {@code onRequestEnd} callback when an earlier one ends. It arrives at its own arrival time, at or after
     * now; the workload iterator's order is not checked against it.
     *
     * @throws IllegalStateException outside {@link #run}
     * @throws IllegalArgumentException when the request would arrive before now
     */
    public void send(SimRequest request) {
        if (!inRun) {
            throw new IllegalStateException("requests are sent while the simulator runs (from a request's end)");
        }
        if (request.arrivalNanos() < queue.now()) {
            throw new IllegalArgumentException("request " + request.id() + " sent to arrive at "
                    + request.arrivalNanos() + " ns, before now (" + queue.now() + " ns)");
        }
        queue.push(request.arrivalNanos(), 3, new SimEvent.Arrival(request));
    }

    /**
     * A closed-loop client of {@code slots} slots, as {@code vllm bench serve --max-concurrency}: the workload's
     * arrivals are when the client issues each request; one that finds every slot taken waits (in issue order) until
     * a request ends, completed or rejected, and is sent then. A request's latencies count from its send. 0 (the
     * default) sends every request at its arrival (an open loop). Call before {@link #run}.
     */
    public Simulator withMaxConcurrency(int slots) {
        if (slots < 0) {
            throw new IllegalArgumentException("max concurrency must be >= 0 (0: open loop), got " + slots);
        }
        if (ran) {
            throw new IllegalStateException("set the client's concurrency before the run");
        }
        this.maxConcurrency = slots;
        return this;
    }

    /** A request ended: its slot goes to the longest-waiting issued request, sent now. */
    private void slotFreed(long nowNanos) {
        if (maxConcurrency == 0) {
            return;
        }
        SimRequest next = held.pollFirst();
        if (next == null) {
            inFlight--;
            return;
        }
        // the slot passes straight on (still in flight); the request is sent now, its latencies count from here
        queue.push(nowNanos, 3, new SimEvent.Arrival(new SimRequest(next.id(), nowNanos, next.app(), next.graph(),
                next.inputTokens(), next.traceId()), true));
    }

    /** The simulated time of the event being handled (the last one popped). */
    public long nowNanos() {
        return queue.now();
    }

    /**
     * The run's replicas and device-seconds: each replica's existence (start decision, or the first arrival for the
     * plan's, to its stop, or the last request's end) times its devices. Call after {@link #run}.
     */
    public ScalingReport scalingReport() {
        if (!ran) {
            throw new IllegalStateException("no run yet");
        }
        double[] deviceSeconds = new double[existsFrom.length];
        long end = Math.max(lastEnd, firstArrival);
        for (int d = 0; d < deviceSeconds.length; d++) {
            int devices = config.deployments().get(d).devicesPerReplica();
            for (int r = 0; r < core.replicaCount(d); r++) {
                long to = existsTo[d][r] < 0 ? end : Math.min(existsTo[d][r], end);
                long from = Math.min(existsFrom[d][r], end);
                deviceSeconds[d] += devices * (to - from) / 1e9;
            }
        }
        return new ScalingReport(deviceSeconds, scaleUps, scaleDowns, changes);
    }

    /** When the replica ran its first step, or -1 if it never ran one (for checks). */
    long firstStepNanos(int deployment, int replica) {
        return firstStepNanos[deployment][replica];
    }

    @Override
    public void startReplica(int deployment, int replica, long nowNanos) {
        if (scaling == null) {
            throw new IllegalStateException("deployment " + config.deployments().get(deployment).deployment().name()
                    + ": replica " + replica + " started without scaling settings");
        }
        grow(deployment, replica);
        ScaleSettings s = scaling.settings().get(deployment);
        int devices = config.deployments().get(deployment).devicesPerReplica();
        int pool = scaling.deploymentPool()[deployment];
        int best = -1;
        for (int node = 0; node < nodeFree.length; node++) {
            if (scaling.nodePool()[node] == pool && (best < 0 || nodeFree[node] > nodeFree[best])) {
                best = node;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("deployment " + config.deployments().get(deployment).deployment().name()
                    + ": no node in its device pool " + pool);
        }
        nodeFree[best] -= devices;
        nodes[deployment][replica] = best;
        existsFrom[deployment][replica] = nowNanos;
        existsTo[deployment][replica] = -1;
        scaleUps++;
        changes.add(new ScalingReport.Change(nowNanos, deployment, replica, ScalingReport.Kind.START));
        queue.push(nowNanos + (s == null ? 0 : s.startupNanos()), 2, new SimEvent.ReplicaReady(deployment, replica));
    }

    @Override
    public void stopReplica(int deployment, int replica, long nowNanos) {
        existsTo[deployment][replica] = nowNanos;
        if (nodeFree != null && nodes[deployment][replica] < nodeFree.length) {
            nodeFree[nodes[deployment][replica]] += config.deployments().get(deployment).devicesPerReplica();
        }
        scaleDowns++;
        changes.add(new ScalingReport.Change(nowNanos, deployment, replica, ScalingReport.Kind.STOP));
    }

    @Override
    public void startStep(int deployment, int replica, Step step, long nowNanos) {
        if (!core.replicaStatus(deployment, replica).running()) {
            throw new IllegalStateException("deployment " + config.deployments().get(deployment).deployment().name()
                    + ": a step on replica " + replica + ", which is " + core.replicaStatus(deployment, replica));
        }
        if (firstStepNanos[deployment][replica] < 0) {
            firstStepNanos[deployment][replica] = nowNanos;
        }
        if (asyncScheduling) {
            SequenceEnds prefillEnds = new SequenceEnds();
            long base = 0;
            if (step instanceof Step.LlmStep) {
                lookahead[deployment][replica][step.task()].movePrefillEnds(prefillEnds);
                base = llm(deployment, replica, step).iteration();
            }
            ArrayDeque<SentStep> steps = sent.computeIfAbsent(key(deployment, replica), k -> new ArrayDeque<>());
            steps.addLast(new SentStep(step, nowNanos, base, prefillEnds));
            if (steps.size() == 1) {
                compute(deployment, replica, steps.peekFirst(), nowNanos);
            }
            return;
        }
        long base = step instanceof Step.LlmStep ? llm(deployment, replica, step).iteration() : 0;
        compute(deployment, replica, step, base, 0, nowNanos);
    }

    private static long key(int deployment, int replica) {
        return (long) deployment << 32 | replica;
    }

    /** Async scheduling: the replica starts computing a sent step, its round trip overlapping the time it waited. */
    private void compute(int deployment, int replica, SentStep s, long nowNanos) {
        compute(deployment, replica, s.step, s.baseIteration, nowNanos - s.decidedNanos, nowNanos);
        if (s.cutAtNanos < Long.MAX_VALUE) {
            endRunBy(deployment, replica, Math.max(nowNanos, s.cutAtNanos));
        }
    }

    /**
     * The replica starts computing {@code step}, planned at batcher iteration {@code baseIteration}; {@code
     * hiddenNanos} of its round trip overlapped the previous step's compute.
     */
    private void compute(int deployment, int replica, Step step, long baseIteration, long hiddenNanos,
            long nowNanos) {
        startNanos[deployment][replica] = nowNanos;
        long iterations = step.iterations();
        if (step instanceof Step.LlmStep) {
            long toEnd = lookahead[deployment][replica][step.task()].iterationsToNextEnd(baseIteration);
            iterations = Math.min(iterations, toEnd);
        }
        planned[deployment][replica] = iterations;
        if (step instanceof Step.LlmStep l && l.prefillTokens() > 0) {
            sincePrefill[deployment][replica] = 0;
        }
        boolean before = lastHadPrefill[deployment][replica]
                && nowNanos - lastEndNanos[deployment][replica] <= ServedStepCosts.BACK_TO_BACK_NANOS;
        long nominal = timers[deployment].nanosAt(step, iterations, drawKey(deployment, replica), nowNanos,
                sincePrefill[deployment][replica], before);
        if (hiddenNanos > 0) {
            // async scheduling: the part of the round trip that overlapped the previous step's compute is not paid
            // again (with drawn round trips, served-costs, the fixed term stands in for the drawn one here)
            nominal -= Math.min(hiddenNanos, timers[deployment].overheadNanos(step, iterations));
        }
        long end = nowNanos + nominal;
        if (shares != null && shares.shares(deployment)) {
            end = shares.start(deployment, replica, nodes[deployment][replica], nominal, nowNanos);
        }
        running[deployment][replica] = step;
        if (stepLog != null && step instanceof Step.LlmStep l) {
            stepLog.accept(new StepRecord(nowNanos, deployment, replica, l.task(), l.prefillTokens(),
                    l.prefillContextTokens(), l.decodeSequences(), l.decodeContextTokens(), iterations,
                    end - nowNanos));
        }
        pushStepEnd(deployment, replica, end);
    }

    /** Schedules the replica's step to end at {@code atNanos}; any end scheduled before for it is superseded. */
    private void pushStepEnd(int deployment, int replica, long atNanos) {
        liveEnd[deployment][replica] = queue.push(atNanos, 0, stepEnds[deployment][replica]);
    }

    private LlmBatcher llm(int deployment, int replica, Step step) {
        return (LlmBatcher) core.replica(deployment, replica).batcher(step.task());
    }

    @Override
    public void endRunBy(int deployment, int replica, long atNanos) {
        ArrayDeque<SentStep> steps = asyncScheduling ? sent.get(key(deployment, replica)) : null;
        if (steps != null && steps.size() > 1) {
            SentStep waiting = steps.peekLast(); // the run sent behind the step computing: cut it when it starts
            waiting.cutAtNanos = Math.min(waiting.cutAtNanos, atNanos);
            return;
        }
        Step step = running[deployment][replica];
        long plannedIterations = planned[deployment][replica];
        if (step == null || plannedIterations <= 1) {
            return;
        }
        long start = startNanos[deployment][replica];
        // only a decode run has more than one iteration (Step.LlmStep): no prefill here, none charged right after one
        if (shares != null && shares.shares(deployment)) {
            // wall time to nominal work at the step's current rate, and back
            long since = sincePrefill[deployment][replica];
            long m = timers[deployment].iterationsToReachAt(step, plannedIterations, 0,
                    shares.nominalAt(deployment, replica, atNanos), drawKey(deployment, replica), start, since);
            if (m < plannedIterations) {
                planned[deployment][replica] = m;
                long end = shares.cut(deployment, replica, timers[deployment].nanosAt(step, m,
                        drawKey(deployment, replica), start, since), queue.now());
                pushStepEnd(deployment, replica, end);
            }
            return;
        }
        long since = sincePrefill[deployment][replica];
        long m = timers[deployment].iterationsToReachAt(step, plannedIterations, start, atNanos,
                drawKey(deployment, replica), start, since);
        if (m < plannedIterations) {
            planned[deployment][replica] = m;
            long end = start + timers[deployment].nanosAt(step, m, drawKey(deployment, replica), start, since);
            pushStepEnd(deployment, replica, end);
        }
    }

    @Override
    public void wakeAt(int deployment, int replica, long atNanos) {
        queue.push(atNanos, 2, new SimEvent.Wake(deployment, replica));
    }

    @Override
    public void startTransfer(ActiveRequest request, int edge, int fromDeployment, int fromReplica, int toDeployment,
            int toReplica, long bytes, long nowNanos) {
        int fromNode = nodes[fromDeployment][fromReplica];
        int toNode = nodes[toDeployment][toReplica];
        boolean sameNode = fromNode == toNode;
        if (!config.network().fairShare()) {
            long end = nowNanos + config.network().transferNanos(bytes, sameNode);
            queue.push(end, 1, new SimEvent.TransferEnd(request, edge, -1, 0));
            return;
        }
        links.start(config.network().linkKey(fromDeployment, fromReplica, fromNode, toDeployment, toReplica, toNode),
                config.network().bytesPerSecond(sameNode), config.network().latencyNanos(sameNode), bytes, nowNanos,
                new SimEvent.TransferEnd(request, edge, -1, -1));
    }

    @Override
    public void completed(ActiveRequest request, long nowNanos) {
        lastEnd = Math.max(lastEnd, nowNanos);
        slotFreed(nowNanos);
        metrics.completed((RequestRecord) request.attachment(), nowNanos);
    }

    @Override
    public void rejected(long requestId, InvocationGraph graph, Object attachment, String reason, long nowNanos) {
        lastEnd = Math.max(lastEnd, nowNanos);
        slotFreed(nowNanos);
        metrics.rejected((RequestRecord) attachment, reason, nowNanos);
    }

    @Override
    public void failed(ActiveRequest request, String reason, long nowNanos) {
        lastEnd = Math.max(lastEnd, nowNanos);
        slotFreed(nowNanos);
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
