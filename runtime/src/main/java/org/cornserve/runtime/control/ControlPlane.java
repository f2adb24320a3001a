package org.cornserve.runtime.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.catalog.ModelSpec;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.runtime.executor.ExecutorReport;
import org.cornserve.runtime.launch.ExecutorLauncher;
import org.cornserve.runtime.launch.ExecutorSpec;
import org.cornserve.runtime.serve.InvocationHandle;
import org.cornserve.runtime.serve.ModelInvoker;
import org.cornserve.runtime.serve.ModelRequest;
import org.cornserve.runtime.serve.OutputSink;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;

/**
 * The runtime's back end: resource placement, one task manager per deployment, the executors' hub, the sidecar and
 * the dispatcher on a single event-loop thread. {@link #invoke} builds a request's graph on the caller's thread and
 * posts its arrival; executors' reports and their deaths are posted too, so the scheduling core sees one fact at a
 * time. {@link #close} stops every executor and deletes every shared-memory segment of the session; a shutdown hook
 * does the same if the JVM exits first.
 *
 * <p>As the app manager's resource manager ({@link org.cornserve.runtime.app.AppDeployer}) it deploys what a
 * registered app needs and removes what no app uses ({@link AppDeployments}), when started with
 * {@link RuntimeOptions#deployOnRegister()}; otherwise the whole plan runs from the start. A request that lost work
 * with a dead executor runs again on another replica when it can ({@link Dispatcher#enableRetries}).
 */
public final class ControlPlane implements ModelInvoker, org.cornserve.runtime.serve.ServingStats,
        org.cornserve.runtime.gateway.ResourceAdmin, org.cornserve.runtime.app.AppDeployer,
        org.cornserve.runtime.serve.ScalingStats {
    private final ResolvedPlan plan;
    private final AutoCloseable owned;
    private final RuntimeOptions options;
    private final String session;
    private final SharedMemorySidecar sidecar;
    private final ControlLoop loop;
    private final Dispatcher dispatcher;
    private final SidecarTensorTransport transport;
    private final RuntimeScaler scaler;
    private final ExecutorHub hub;
    private final List<TaskManager> managers = new ArrayList<>();
    private final RequestBuilder builder;
    private final List<String> models;
    private final AtomicLong nextRequest = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread hook;
    private final Counters counters;
    private final CountDownLatch initialReady;
    private final List<String> startProblems = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AppDeployments apps;
    private final java.util.Set<java.util.concurrent.CompletableFuture<Void>> deploysUnderWay =
            java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Request and deployment counters, kept by the dispatcher's observations. */
    private static final class Counters implements DispatchObserver {
        final AtomicLong arrived = new AtomicLong();
        final AtomicLong completed = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLongArray busy;
        final AtomicLongArray queued;
        final AtomicLongArray running;
        final AtomicLongArray retried;
        final List<DispatchObserver> extra = new java.util.concurrent.CopyOnWriteArrayList<>();

        Counters(int deployments) {
            busy = new AtomicLongArray(deployments);
            queued = new AtomicLongArray(deployments);
            running = new AtomicLongArray(deployments);
            retried = new AtomicLongArray(deployments);
        }

        @Override
        public void retried(long requestId, int deployment, long nowNanos) {
            retried.incrementAndGet(deployment);
        }

        @Override
        public void arrived(long requestId, long nowNanos) {
            arrived.incrementAndGet();
            for (DispatchObserver o : extra) {
                o.arrived(requestId, nowNanos);
            }
        }

        @Override
        public void completed(long requestId, long nowNanos) {
            completed.incrementAndGet();
            for (DispatchObserver o : extra) {
                o.completed(requestId, nowNanos);
            }
        }

        @Override
        public void rejected(long requestId, String reason, long nowNanos) {
            rejected.incrementAndGet();
        }

        @Override
        public void failed(long requestId, String stage, String reason, long nowNanos) {
            failed.incrementAndGet();
        }

        @Override
        public void queued(long requestId, int node, int deployment, long nowNanos) {
            queued.incrementAndGet(deployment);
        }

        @Override
        public void finished(long requestId, int node, int deployment, long nowNanos) {
            queued.decrementAndGet(deployment);
        }

        @Override
        public void stepStarted(int deployment, int replica, org.cornserve.planner.schedule.batch.Step step,
                long nowNanos) {
            running.incrementAndGet(deployment);
            for (DispatchObserver o : extra) {
                o.stepStarted(deployment, replica, step, nowNanos);
            }
        }

        @Override
        public void stepEnded(int deployment, int replica, long busyNanos, long computeNanos, long[] requestIds,
                long nowNanos) {
            running.decrementAndGet(deployment);
            busy.addAndGet(deployment, computeNanos);
            for (DispatchObserver o : extra) {
                o.stepEnded(deployment, replica, busyNanos, computeNanos, requestIds, nowNanos);
            }
        }

        @Override
        public void stepOverheadSplit(int deployment, int replica, long idleNanos, long reportBackNanos,
                boolean nextInFlight, long[] requestIds, long nowNanos) {
            for (DispatchObserver o : extra) {
                o.stepOverheadSplit(deployment, replica, idleNanos, reportBackNanos, nextInFlight, requestIds,
                        nowNanos);
            }
        }
    }

    /**
     * Places the plan's replicas on {@code devices}, starts every executor through {@code launcher} and waits until
     * all are ready; with {@link RuntimeOptions#deployOnRegister()} it starts none, and registered apps deploy what
     * they need ({@link #deploy}).
     *
     * @throws IllegalArgumentException when the plan does not fit the devices or names what the runtime cannot run
     * @throws IllegalStateException when executors do not become ready in time (everything started is stopped)
     */
    public ControlPlane(ResolvedPlan plan, DeviceSlots devices, RuntimeOptions options, ExecutorLauncher launcher) {
        this(plan, devices, options, launcher, null);
    }

    /** As above; {@code owned} (the launcher, say) is closed last when this closes. */
    public ControlPlane(ResolvedPlan plan, DeviceSlots devices, RuntimeOptions options, ExecutorLauncher launcher,
            AutoCloseable owned) {
        ServablePlans.require(plan); // before anything starts: a plan the executors cannot run is refused by name
        this.owned = owned;
        this.plan = plan;
        this.options = options;
        this.session = "s" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        List<DeploymentConfig> configs = PlanDeployments.of(plan, options);
        org.cornserve.planner.schedule.scale.PlanAutoscale scaling =
                org.cornserve.planner.schedule.scale.PlanAutoscale.of(plan);
        int[] threads = ResourcePlacement.threadsPerReplica(plan, devices);
        this.models = plan.models().stream().map(ModelSpec::name).toList();
        this.sidecar = new SharedMemorySidecar(options.shmDir(), session, "cp", options.tensorTimeoutMillis(),
                SharedMemorySidecar.DEFAULT_RETAIN_IDLE_MB << 20, System::currentTimeMillis);
        this.hook = new Thread(this::close, "cornserve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        this.loop = new ControlLoop("cornserve-control", System::nanoTime);
        this.counters = new Counters(configs.size());
        try {
            this.transport = new SidecarTensorTransport(options.tensorTransport(), loop,
                    (d, r) -> d < managers.size() ? managers.get(d).executor(r) : null, sidecar, options.shmDir(),
                    SidecarTensorTransport.bindBeside(launcher.listenAddress()), options.tensorTimeoutMillis());
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("control plane: cannot listen for tensors: " + e.getMessage(), e);
        }
        this.dispatcher = new Dispatcher(configs, false, loop, this::send, transport, sidecar,
                counters, options.requestTimeoutMillis() * 1_000_000L, new Lifecycle(),
                plan.plan().asyncSchedulingOrDefault());
        this.scaler = new RuntimeScaler(dispatcher.core(), loop, scaling,
                org.cornserve.planner.schedule.scale.PlanAutoscale.devicesPerReplica(plan),
                Math.min(devices.count(), plan.plan().cluster().totalDevices()),
                org.cornserve.planner.schedule.scale.ScalingPolicies.DEFAULT_TOLERANCE, options.scaleIntervalNanos());
        this.builder = new RequestBuilder(ModelCatalog.builtIn(), sidecar, plan.plan().streamChunkTokensOrDefault(),
                RequestBuilder.splitModels(plan));
        dispatcher.enableRetries(options.maxRetries(), nextRequest::incrementAndGet);
        int total = options.deployOnRegister() ? 0 : configs.stream().mapToInt(DeploymentConfig::replicas).sum();
        this.initialReady = new CountDownLatch(total);
        try {
            this.hub = new ExecutorHub(launcher, new Events(), options.startupTimeoutMillis());
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("control plane: cannot listen for executors: " + e.getMessage(), e);
        }
        for (int d = 0; d < configs.size(); d++) {
            DeploymentConfig dc = configs.get(d);
            int maxSeqs = plan.deployments().get(d).deployment().batching().llm().maxNumSeqs();
            long kv = dc.tasks().stream().filter(t -> t instanceof org.cornserve.planner.schedule.TaskConfig.Llm)
                    .mapToLong(t -> ((org.cornserve.planner.schedule.TaskConfig.Llm) t).batching().kvCapacityTokens())
                    .max().orElse(1);
            TaskManager tm = new TaskManager(d, dc.name(), dc.tasks().stream().map(t -> t.taskKey()).toList(),
                    dc.replicas(), threads[d], draft -> {
                        // twice the scheduler's KV figure: a recomputed sequence's old blocks are freed only when it
                        // is prefilled again
                        ExecutorHandle h = hub.start(new ExecutorSpec(draft.id(), draft.tasks(), draft.threads(),
                                options.weightSeed(), 2 * kv, maxSeqs, hub.address(), session, options.shmDir(),
                                options.tensorTimeoutMillis(), options.ignoreEos()));
                        return h;
                    });
            managers.add(tm);
        }
        this.apps = new AppDeployments(dispatcher.core(), new AppNeeds(plan, ModelCatalog.builtIn()),
                configs.stream().mapToInt(DeploymentConfig::replicas).toArray(),
                configs.stream().map(DeploymentConfig::name).toArray(String[]::new), loop::nowNanos,
                !options.deployOnRegister());
        // the autoscaler scales only what an app uses: a deployment whose last app left stays down
        scaler.activeWhen(apps::inUse);
        if (options.deployOnRegister()) {
            loop.post(apps::startEmpty);
        } else {
            for (TaskManager tm : managers) {
                tm.startAll();
            }
        }
        try {
            if (!initialReady.await(options.startupTimeoutMillis() + 5_000, TimeUnit.MILLISECONDS)
                    || !startProblems.isEmpty()) {
                close();
                throw new IllegalStateException("control plane: executors did not start: " + startProblems);
            }
            loop.post(() -> scaler.start(loop.nowNanos()));
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("control plane: interrupted while executors started", e);
        }
    }

    private TaskManager managerFor(ExecutorHandle h) {
        String id = h.id();
        int d = Integer.parseInt(id.substring(1, id.indexOf('r')));
        return d < managers.size() ? managers.get(d) : null;
    }

    /** Starts and stops executors for replicas the core adds or removes (slots moved between deployments). */
    private final class Lifecycle implements Dispatcher.ReplicaLifecycle {
        @Override
        public void start(int d, int r) {
            scaler.started(d, r);
            managers.get(d).startReplica(r);
        }

        @Override
        public void stop(int d, int r) {
            scaler.stopped(d, r);
            Thread.ofVirtual().start(() -> managers.get(d).stopReplica(r, 2000));
        }
    }

    /**
     * Moves one device slot's replica from deployment {@code from} to deployment {@code to} while serving: the
     * core drains the last up replica of {@code from} (it finishes what it holds, then its executor stops) and adds a
     * replica to {@code to}, whose executor starts now and takes work once ready. Both deployments must use the same
     * slots per replica, and {@code from} keeps at least one replica.
     *
     * @return a description of the move, once the core has applied it
     */
    public java.util.concurrent.CompletableFuture<String> moveSlot(String from, String to) {
        java.util.concurrent.CompletableFuture<String> result = new java.util.concurrent.CompletableFuture<>();
        loop.post(() -> {
            try {
                int f = deploymentIndex(from);
                result.complete(moveReplicas(f, deploymentIndex(to), 1));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * Moves {@code slots} device slots, whole replicas of {@code from}, to {@code to} (see {@link #moveSlot}); all
     * checks come before any change, so a refused move changes nothing.
     */
    @Override
    public java.util.concurrent.CompletableFuture<String> moveSlots(String from, String to, int slots) {
        java.util.concurrent.CompletableFuture<String> result = new java.util.concurrent.CompletableFuture<>();
        loop.post(() -> {
            try {
                int f = deploymentIndex(from);
                int t = deploymentIndex(to);
                int per = plan.deployments().get(f).deployment().devicesPerReplica();
                if (slots <= 0 || slots % per != 0) {
                    throw new org.cornserve.runtime.gateway.ApiError(400, "slots must be a positive multiple of " + per + " (the slots one replica "
                            + "of " + from + " holds); got " + slots);
                }
                result.complete(moveReplicas(f, t, slots / per));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** On the loop thread: drains {@code count} up replicas of {@code f} and adds as many to {@code t}. */
    private String moveReplicas(int f, int t, int count) {
        String from = managers.get(f).name();
        String to = managers.get(t).name();
        if (f == t) {
            throw new org.cornserve.runtime.gateway.ApiError(400, "cannot move a slot from " + from + " to itself");
        }
        int fromSlots = plan.deployments().get(f).deployment().devicesPerReplica();
        int toSlots = plan.deployments().get(t).deployment().devicesPerReplica();
        if (!apps.inUse(t)) {
            throw new org.cornserve.runtime.gateway.ApiError(409, "deployment " + to + " is not deployed: no registered"
                    + " app uses it (register one that does first)");
        }
        if (fromSlots != toSlots) {
            throw new org.cornserve.runtime.gateway.ApiError(409, "deployment " + from + " uses " + fromSlots + " slots per "
                    + "replica and " + to + " uses " + toSlots + "; a move hands over one replica's slots");
        }
        org.cornserve.planner.schedule.SchedulerCore core = dispatcher.core();
        if (core.replicasUp(f) - count < 1) {
            throw new org.cornserve.runtime.gateway.ApiError(409, "deployment " + from + " has " + core.replicasUp(f)
                    + " replica(s) up; it keeps at least one, so it has no " + count * fromSlots
                    + " free slot(s) to give");
        }
        StringBuilder done = new StringBuilder("moved " + count * fromSlots + " slot(s):");
        for (int i = 0; i < count; i++) {
            int victim = -1;
            for (int r = core.replicaCount(f) - 1; r >= 0 && victim < 0; r--) {
                if (core.replicaStatus(f, r) == org.cornserve.planner.schedule.ReplicaStatus.UP) {
                    victim = r;
                }
            }
            core.removeReplica(f, victim, loop.nowNanos());
            int added = core.addReplica(t, loop.nowNanos());
            done.append(i == 0 ? " " : ", ").append(from).append(" replica ").append(victim)
                    .append(" drains and stops, ").append(to).append(" replica ").append(added).append(" starts");
        }
        return done.toString();
    }

    @Override
    public List<org.cornserve.runtime.gateway.ResourceAdmin.Deployment> deploymentsNow() {
        java.util.concurrent.CompletableFuture<List<org.cornserve.runtime.gateway.ResourceAdmin.Deployment>> f =
                new java.util.concurrent.CompletableFuture<>();
        loop.post(() -> {
            org.cornserve.planner.schedule.SchedulerCore core = dispatcher.core();
            List<org.cornserve.runtime.gateway.ResourceAdmin.Deployment> out = new ArrayList<>();
            for (TaskManager tm : managers) {
                int d = tm.index();
                List<Replica> rs = new ArrayList<>();
                for (int r = 0; r < core.replicaCount(d); r++) {
                    rs.add(new Replica(r, core.replicaStatus(d, r).name()));
                }
                out.add(new org.cornserve.runtime.gateway.ResourceAdmin.Deployment(tm.name(),
                        plan.deployments().get(d).deployment().devicesPerReplica(), List.copyOf(rs), apps.users(d),
                        apps.pinned()));
            }
            f.complete(List.copyOf(out));
        });
        try {
            return f.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the control loop did not answer within 5 s: " + e, e);
        }
    }

    private int deploymentIndex(String name) {
        for (TaskManager tm : managers) {
            if (tm.name().equals(name)) {
                return tm.index();
            }
        }
        throw new org.cornserve.runtime.gateway.ApiError(404, "no deployment named '" + name + "'; deployments: "
                + managers.stream().map(TaskManager::name).toList());
    }

    private final class Events implements ExecutorEvents {
        @Override
        public void ready(ExecutorHandle executor, ExecutorReport.Ready ready, long startupNanos) {
            TaskManager tm = managerFor(executor);
            if (tm != null) {
                tm.ready(executor, ready, startupNanos);
                int r = tm.replicaOf(executor);
                if (r >= 0) {
                    loop.post(() -> {
                        if (tm.replicaOf(executor) == r) {
                            dispatcher.replicaUp(tm.index(), r);
                            apps.replicaUp(tm.index(), r);
                            scaler.up(tm.index(), r, startupNanos);
                        }
                    });
                    if (initialReady.getCount() > 0) {
                        initialReady.countDown();
                    }
                }
            }
        }

        @Override
        public void report(ExecutorHandle executor, ExecutorReport report) {
            TaskManager tm = managerFor(executor);
            if (tm == null) {
                return;
            }
            // on the executor's reader thread when the loop is free: no hand-off to the loop thread per step
            if (report instanceof ExecutorReport.Forwarded f) {
                loop.runHere(() -> transport.forwarded(f));
                return;
            }
            loop.runHere(() -> {
                int r = tm.replicaOf(executor);
                if (r >= 0) {
                    dispatcher.report(tm.index(), r, report);
                }
            });
        }

        @Override
        public void down(ExecutorHandle executor, String why) {
            TaskManager tm = managerFor(executor);
            if (tm == null || closed.get()) {
                return;
            }
            if (!executor.ready() && initialReady.getCount() > 0 && tm.replicaOf(executor) >= 0) {
                startProblems.add(executor + ": " + why);
                initialReady.countDown();
            }
            int r = tm.replicaOf(executor);
            boolean wasReady = executor.ready();
            tm.down(executor);
            if (r >= 0) {
                loop.post(() -> {
                    dispatcher.replicaDown(tm.index(), r, why);
                    apps.executorDown(tm.index(), r, wasReady, why);
                });
            }
        }
    }

    /**
     * A command from a fact of the loop is written to the executor's connection and sent when the fact ends, with
     * the fact's other commands to the same executor (an open and its first step: one write, one wake-up); from
     * elsewhere it is sent at once.
     */
    private void send(int d, int r, org.cornserve.runtime.executor.ExecutorCommand command) {
        ExecutorHandle h = managers.get(d).executor(r);
        if (h != null) {
            if (loop.atFactEnd(h.flusher())) {
                h.queue(command);
            } else {
                h.send(command);
            }
        }
    }

    @Override
    public List<String> models() {
        return models;
    }

    /**
     * The models with a deployment that has a replica up now (read on the loop; the last answer when the loop does
     * not answer within a second).
     */
    @Override
    public List<String> servedModels() {
        java.util.concurrent.CompletableFuture<List<String>> f = new java.util.concurrent.CompletableFuture<>();
        loop.post(() -> f.complete(PlanDeployments.modelsServed(plan, d -> dispatcher.core().replicasUp(d) > 0)));
        try {
            lastServed = f.get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the loop is busy or closing: the last answer
        }
        return lastServed;
    }

    private volatile List<String> lastServed = List.of();

    @Override
    public InvocationHandle invoke(ModelRequest request, OutputSink sink) {
        long id = nextRequest.incrementAndGet();
        InvocationHandle handle = new InvocationHandle() {
            private final AtomicBoolean cancelled = new AtomicBoolean();

            @Override
            public long requestId() {
                return id;
            }

            @Override
            public void cancel() {
                if (cancelled.compareAndSet(false, true)) {
                    loop.post(() -> dispatcher.cancel(id));
                }
            }
        };
        if (closed.get()) {
            sink.failed(new OutputSink.Failure(503, "runtime", "the runtime is shutting down"));
            return handle;
        }
        if (!models.contains(request.model())) {
            sink.failed(new OutputSink.Failure(404, "runtime", "model '" + request.model() + "' is not served here; "
                    + "served: " + models));
            return handle;
        }
        RequestBuilder.Built built;
        try {
            built = builder.build(request);
        } catch (IllegalArgumentException e) {
            sink.failed(new OutputSink.Failure(400, "input", e.getMessage()));
            return handle;
        }
        // on the caller's thread when the loop is free (the caller holds no lock a fact needs): the arrival and the
        // steps it starts go out without waking the loop thread first
        loop.runHere(() -> dispatcher.arrive(id, built.graph(), built.inputs(), built.promptTokens(),
                request.temperature(), request.seed(), sink, built.placed(), () -> builder.build(request)));
        return handle;
    }

    /** The id the next {@link #invoke} will give its request (for benchmarks that follow requests by id). */
    long peekNextRequestId() {
        return nextRequest.get() + 1;
    }

    /** How tensors cross between executors (counts of what was streamed). */
    public SidecarTensorTransport tensorTransport() {
        return transport;
    }

    /** The session's id (its shared-memory files are {@code cornserve-<session>-*}). */
    public String session() {
        return session;
    }

    /** The task managers, in plan order. */
    public List<TaskManager> taskManagers() {
        return List.copyOf(managers);
    }

    /** Adds an observer of the dispatcher (arrivals, completions, steps), called on the loop thread. */
    public void observe(DispatchObserver observer) {
        counters.extra.add(observer);
    }

    /**
     * KV-cache tokens the scheduling core holds for deployment {@code d}'s autoregressive tasks over all replicas
     * (read on the loop thread).
     */
    public long kvUsedTokens(int d) {
        java.util.concurrent.CompletableFuture<Long> f = new java.util.concurrent.CompletableFuture<>();
        loop.post(() -> {
            org.cornserve.planner.schedule.SchedulerCore core = dispatcher.core();
            long used = 0;
            for (int r = 0; r < core.replicaCount(d); r++) {
                org.cornserve.planner.schedule.replica.ReplicaScheduler rs = core.replica(d, r);
                for (int t = 0; t < rs.tasks(); t++) {
                    if (rs.batcher(t) instanceof org.cornserve.planner.schedule.batch.LlmBatcher llm) {
                        used += llm.kvUsedTokens();
                    }
                }
            }
            f.complete(used);
        });
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("control plane: the loop did not answer: " + e, e);
        }
    }

    /**
     * Deploys what app {@code appId} needs that is not deployed (shared with the apps already using it), starting
     * the plan's replicas of each on their device slots; completes once they all serve, or fails with a 503
     * naming the deployment whose executor did not start (then nothing is held for the app).
     */
    @Override
    public java.util.concurrent.CompletableFuture<Void> deploy(String appId, org.cornserve.runtime.app.AppConfig config) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        if (closed.get()) {
            done.completeExceptionally(new org.cornserve.runtime.app.AppRejectedException(503,
                    "the runtime is shutting down", List.of()));
            return done;
        }
        deploysUnderWay.add(done);
        done.whenComplete((ok, failure) -> deploysUnderWay.remove(done));
        loop.post(() -> apps.deploy(appId, config.tasks().values(), done));
        if (closed.get()) {
            endDeploysUnderWay(); // closed meanwhile: the loop may never run it
        }
        return done;
    }

    /** Registrations still waiting when the runtime closes are refused (their executors are gone). */
    private void endDeploysUnderWay() {
        for (java.util.concurrent.CompletableFuture<Void> f : List.copyOf(deploysUnderWay)) {
            f.completeExceptionally(new org.cornserve.runtime.app.AppRejectedException(503,
                    "the runtime is shutting down", List.of()));
        }
    }

    /** App {@code appId} is gone: the deployments no remaining app uses drain and their executors stop. */
    @Override
    public void release(String appId) {
        loop.post(() -> apps.release(appId));
    }

    /** Executors are killed when not ready within the start-up timeout, so a deploy ends within about that. */
    @Override
    public long deployTimeoutMillis() {
        return options.startupTimeoutMillis() + 10_000;
    }

    private final long[] lastBusy = new long[64];
    private final long[] lastScrapeNanos = new long[64];

    /**
     * Per deployment for the gateway's {@code /metrics}: invocations admitted and not finished (queued), replicas
     * computing a step now (running), the share of the time since the last scrape its executors computed
     * (utilisation) and executor restarts.
     */
    @Override
    public synchronized List<org.cornserve.runtime.serve.ServingStats.Deployment> deployments() {
        long[] outstanding = new long[managers.size()];
        java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
        loop.post(() -> {
            for (int d = 0; d < outstanding.length; d++) {
                outstanding[d] = dispatcher.core().outstanding(d);
            }
            f.complete(null);
        });
        try {
            f.get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            for (int d = 0; d < outstanding.length; d++) {
                outstanding[d] = Math.max(0, counters.queued.get(d));
            }
        }
        long now = System.nanoTime();
        List<org.cornserve.runtime.serve.ServingStats.Deployment> out = new ArrayList<>();
        for (TaskManager tm : managers) {
            int d = tm.index();
            long busy = counters.busy.get(d);
            int replicas = Math.max(1, tm.liveReplicaCount());
            double util = 0;
            if (d < lastBusy.length) {
                long wall = now - lastScrapeNanos[d];
                util = lastScrapeNanos[d] == 0 || wall <= 0 ? 0
                        : Math.min(1, Math.max(0, (busy - lastBusy[d]) / (double) wall / replicas));
                lastBusy[d] = busy;
                lastScrapeNanos[d] = now;
            }
            int running = (int) Math.max(0, counters.running.get(d));
            out.add(new org.cornserve.runtime.serve.ServingStats.Deployment(tm.name(),
                    (int) Math.max(0, outstanding[d] - running), running, util, tm.restarts(), counters.retried.get(d)));
        }
        return out;
    }

    /** A snapshot for metrics. */
    public RuntimeStats stats() {
        List<RuntimeStats.Deployment> ds = new ArrayList<>();
        for (TaskManager tm : managers) {
            int ready = 0;
            for (int r = 0; r < tm.replicaCount(); r++) {
                ExecutorHandle h = tm.executor(r);
                if (h != null && h.ready()) {
                    ready++;
                }
            }
            ds.add(new RuntimeStats.Deployment(tm.name(), tm.replicaCount(), ready, counters.queued.get(tm.index()),
                    counters.busy.get(tm.index()), tm.restarts(), tm.lastStartupNanos()));
        }
        return new RuntimeStats(counters.arrived.get(), counters.completed.get(), counters.rejected.get(),
                counters.failed.get(), ds);
    }

    /**
     * Every deployment's replicas by state, the autoscaler's decisions and each replica's measured start-up (read
     * on the loop; the last answer when the loop is busy for more than a second).
     */
    @Override
    public List<org.cornserve.runtime.serve.ScalingStats.Deployment> scaling() {
        java.util.concurrent.CompletableFuture<List<org.cornserve.runtime.serve.ScalingStats.Deployment>> f =
                new java.util.concurrent.CompletableFuture<>();
        loop.post(() -> f.complete(scaler.snapshot()));
        try {
            lastScaling = f.get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the loop is busy or closing: the last snapshot
        }
        return lastScaling;
    }

    private volatile List<org.cornserve.runtime.serve.ScalingStats.Deployment> lastScaling = List.of();

    /** The plan being served. */
    public ResolvedPlan plan() {
        return plan;
    }

    /** Stops the autoscaler on the loop before executors stop (waits up to 2 s for an evaluation in progress). */
    private void stopScaling() {
        if (scaler == null || loop == null) {
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        loop.post(() -> {
            scaler.stop();
            done.countDown();
        });
        try {
            done.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopScaling();
        for (TaskManager tm : managers) {
            tm.stop(2000);
        }
        if (hub != null) {
            hub.close();
        }
        if (loop != null) {
            loop.close();
        }
        if (transport != null) {
            transport.close();
        }
        endDeploysUnderWay();
        sidecar.close();
        SharedMemorySidecar.deleteSession(options.shmDir(), session);
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                System.err.println("control plane: closing " + owned + " failed: " + e);
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: this is the hook
        }
    }
}
