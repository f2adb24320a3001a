package org.cornserve.runtime.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.cornserve.model.Modality;
import org.cornserve.model.catalog.ModelCatalog;
import org.cornserve.model.graph.CompositeTask;
import org.cornserve.model.hardware.HardwareCatalog;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.model.request.MediaItem;
import org.cornserve.model.request.RequestShape;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.RequestGraphs;
import org.cornserve.runtime.executor.ExecutorCommand;
import org.cornserve.runtime.executor.ExecutorReport;
import org.cornserve.runtime.serve.OutputSink;
import org.cornserve.simulator.config.SimConfig;
import org.cornserve.simulator.config.SimDeployment;
import org.cornserve.planner.Slo;
import org.cornserve.simulator.engine.StepTimer;
import org.cornserve.simulator.engine.Simulator;
import org.cornserve.simulator.event.EventQueue;
import org.cornserve.simulator.event.SimRequest;
import org.cornserve.simulator.metrics.RequestRecord;
import org.cornserve.simulator.plan.PlanSimConfigs;
import org.cornserve.simulator.workload.PoissonWorkload;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The parity test: the same arrivals through the simulator and through the runtime's {@link Dispatcher}, whose
 * executors are fakes that take the profile's time on a fake clock and whose transfers take the simulator's
 * network time, give the same decisions in the same order: every request ends the same way (completed or rejected
 * with the same reason) in the same order, and every invocation is queued, started and finished at the same
 * nanosecond.
 */
class ParityTest {

    /** What one engine observed of one request. */
    record Trace(long id, List<Long> stages, long firstOutput, long end, String reject) {
    }

    @ParameterizedTest(name = "{0} at {1} req/s, seed {2}, async scheduling {3}")
    @CsvSource({"default-omni, 3, 1, false", "default-omni, 8, 2, false", "encoder-split-vl, 40, 3, false",
            "encoder-split-vl, 400, 4, false", "default-omni, 3, 1, true", "default-omni, 8, 2, true",
            "encoder-split-vl, 40, 3, true", "encoder-split-vl, 400, 4, true"})
    void simulatorAndRuntimeDispatcherDecideTheSame(String planName, double rate, long seed, boolean async) {
        ResolvedPlan plan = planName.equals("default-omni") ? Runtimes.defaultPlan()
                : PlanValidator.builtIn().readAndValidate(Path.of("../model/src/test/resources/plans/encoder-split.json"));
        SimConfig config = PlanSimConfigs.of(plan, HardwareCatalog.builtIn(), seed, Slo.NONE, 64);
        Function<SplittableRandom, InvocationGraph> graphs = graphs(plan, planName.equals("default-omni"));
        int count = 300;
        List<Trace> simulated = bothDecideTheSame(config, graphs, count, rate, seed, async);
        assertTrue(simulated.stream().anyMatch(t -> t.reject() == null), "some requests complete");
        if (async) {
            List<Trace> synchronous = new ArrayList<>();
            new Simulator(config, true, r -> synchronous.add(trace(r))).run(new PoissonWorkload(count, rate, seed,
                    "app", graphs));
            org.junit.jupiter.api.Assertions.assertNotEquals(synchronous, simulated,
                    "async scheduling changes the timeline");
        }
    }

    /**
     * The streamed hand-off (an Omni thinker's hidden states to its talker in chunks): the first chunk's transfer,
     * the talker released on it, the rest's transfer and the talker's finish held for it are decided the same in
     * both engines; the arrivals handed off whole end differently (the graphs really stream).
     */
    @ParameterizedTest(name = "chunks of {0} tokens at {1} req/s, seed {2}")
    @CsvSource({"1, 3, 5", "4, 8, 6"})
    void aStreamedHandOffIsDecidedTheSame(int chunk, double rate, long seed) {
        ResolvedPlan plan = Runtimes.defaultPlan();
        SimConfig config = PlanSimConfigs.of(plan, HardwareCatalog.builtIn(), seed, Slo.NONE, 64);
        int count = 300;
        List<Trace> simulated = new ArrayList<>();
        new Simulator(config, true, r -> simulated.add(trace(r))).run(new PoissonWorkload(count, rate, seed, "app",
                graphs(plan, true, chunk)));
        List<Trace> whole = new ArrayList<>();
        new Simulator(config, true, r -> whole.add(trace(r))).run(new PoissonWorkload(count, rate, seed, "app",
                graphs(plan, true, 0)));
        List<Trace> dispatched = new FakeRuntime(config).run(new PoissonWorkload(count, rate, seed, "app",
                graphs(plan, true, chunk)));

        assertTrue(simulated.stream().anyMatch(t -> t.reject() == null), "some requests complete");
        org.junit.jupiter.api.Assertions.assertNotEquals(whole, simulated, "streaming changes the timeline");
        assertSameEndings(simulated, dispatched);
    }

    /**
     * A prefill/decode split (tiny-omni's LLM as a prefill deployment with the encoders and a decode deployment with
     * the talker and vocoder): the prefill's end, the KV cache's transfer, the decode's admission by its own batcher
     * and the rest are decided the same in both engines, with the hidden states handed to the talker whole or
     * streamed.
     */
    @ParameterizedTest(name = "pd-split at {0} req/s, seed {1}, chunks of {2}, async scheduling {3}")
    @CsvSource({"3, 7, 0, false", "8, 8, 1, false", "8, 9, 1, true"})
    void aPrefillDecodeSplitIsDecidedTheSame(double rate, long seed, int chunk, boolean async) {
        ResolvedPlan plan = PlanValidator.builtIn().readAndValidate(
                Path.of("src/test/resources/plans/tiny-omni-pd-split-cpu.json"));
        SimConfig config = PlanSimConfigs.of(plan, HardwareCatalog.builtIn(), seed, Slo.NONE, 64);
        List<Trace> simulated = bothDecideTheSame(config, graphs(plan, true, chunk, true), 300, rate, seed, async);
        assertTrue(simulated.stream().anyMatch(t -> t.reject() == null && t.stages().size() >= 6),
                "some requests complete through prefill and decode");
    }

    /**
     * Runs {@code count} Poisson arrivals through the simulator and the fake runtime and checks that both end them
     * the same; returns the simulator's endings.
     */
    private static List<Trace> bothDecideTheSame(SimConfig config, Function<SplittableRandom, InvocationGraph> graphs,
            int count, double rate, long seed, boolean async) {
        List<Trace> simulated = new ArrayList<>();
        new Simulator(config, true, r -> simulated.add(trace(r)), null, async).run(new PoissonWorkload(count, rate,
                seed, "app", graphs));
        List<Trace> dispatched = new FakeRuntime(config, null, async).run(new PoissonWorkload(count, rate, seed, "app",
                graphs));
        assertEquals(count, simulated.size());
        assertSameEndings(simulated, dispatched);
        return simulated;
    }

    /** Both engines ended the same requests the same way, in the same order. */
    static void assertSameEndings(List<Trace> simulated, List<Trace> dispatched) {
        assertEquals(simulated.size(), dispatched.size());
        for (int i = 0; i < simulated.size(); i++) {
            assertEquals(simulated.get(i), dispatched.get(i), "request ending #" + i);
        }
    }

    /**
     * Request graphs of the plan's (first) model: text prompts, images on 60%, for Omni audio on 40% and speech out
     * on 30%.
     */
    static Function<SplittableRandom, InvocationGraph> graphs(ResolvedPlan plan, boolean omni) {
        return graphs(plan, omni, 0);
    }

    /** As above, an Omni thinker streaming its hidden states to the talker in chunks of {@code chunk} tokens. */
    static Function<SplittableRandom, InvocationGraph> graphs(ResolvedPlan plan, boolean omni, int chunk) {
        return graphs(plan, omni, chunk, false);
    }

    /** As above; {@code splitLlm}: the LLM as prefill and decode invocations, as a prefill/decode plan runs it. */
    static Function<SplittableRandom, InvocationGraph> graphs(ResolvedPlan plan, boolean omni, int chunk,
            boolean splitLlm) {
        CompositeTask task = new CompositeTask(plan.models().get(0));
        return rnd -> {
            List<MediaItem> media = new ArrayList<>();
            if (rnd.nextDouble() < 0.6) {
                media.add(MediaItem.imageTokens(1 + rnd.nextInt(omni ? 64 : 1024)));
            }
            if (omni && rnd.nextDouble() < 0.4) {
                media.add(MediaItem.audioSeconds(0.5 + rnd.nextDouble() * 3));
            }
            Set<Modality> out = omni && rnd.nextDouble() < 0.3 ? Set.of(Modality.TEXT, Modality.AUDIO)
                    : Set.of(Modality.TEXT);
            RequestShape shape = new RequestShape(1 + rnd.nextInt(200), media, 1 + rnd.nextInt(omni ? 40 : 300), out);
            return RequestGraphs.toInvocations(task.requestGraph(shape, splitLlm), 0,
                    org.cornserve.planner.schedule.graph.Work.UNCAPPED, chunk);
        };
    }

    static Trace trace(RequestRecord r) {
        List<Long> stages = new ArrayList<>();
        for (int n = 0; n < r.request().graph().size(); n++) {
            stages.add(r.queuedNanos(n));
            stages.add(r.startedNanos(n));
            stages.add(r.finishedNanos(n));
        }
        return new Trace(r.request().id(), stages, r.firstOutputNanos(), r.rejected() ? -1 : r.completionNanos(),
                r.rejectReason());
    }

    /**
     * The runtime's dispatcher on a fake clock: an event queue with the simulator's tie-breaks (step ends, transfers,
     * timers, arrivals) drives it; fake executors time each step with the deployment's cost models and report it
     * done, cut short at an iteration boundary when told.
     */
    static final class FakeRuntime implements LoopServices, ReplicaPorts, DispatchObserver,
            Dispatcher.ReplicaLifecycle {
        private final SimConfig config;
        private final EventQueue<Runnable> queue = new EventQueue<>();
        private final Dispatcher dispatcher;
        private final StepTimer[] timers;
        private final Map<Long, long[]> stages = new HashMap<>();
        private final Map<Long, long[]> endTimes = new HashMap<>();
        private final Map<Long, String> rejects = new HashMap<>();
        private final Map<Long, Integer> sizes = new HashMap<>();
        private final List<Trace> out = new ArrayList<>();
        private final FakeReplica[][] replicas;
        private final org.cornserve.planner.schedule.batch.Step[][] lastStarted;

        /**
         * One fake executor: the step it runs, when it started, its planned iterations, a generation for cuts; under
         * async scheduling the batcher's iteration when the step was decided, the prompts it ends, and the step sent
         * behind it (it starts when this one ends).
         */
        private static final class FakeReplica {
            org.cornserve.planner.schedule.batch.Step step;
            long stepId;
            long start;
            long planned;
            long epoch;
            long base;
            List<Long> prefillEnds = List.of();
            final java.util.ArrayDeque<Sent> waiting = new java.util.ArrayDeque<>();
        }

        /** A step sent to a busy fake executor under async scheduling; {@code cutAt}: a cut asked while it waited. */
        private static final class Sent {
            final org.cornserve.planner.schedule.batch.Step step;
            final long stepId;
            final long iterations;
            final long base;
            final List<Long> prefillEnds;
            long cutAt = Long.MAX_VALUE;

            Sent(org.cornserve.planner.schedule.batch.Step step, long stepId, long iterations, long base,
                    List<Long> prefillEnds) {
                this.step = step;
                this.stepId = stepId;
                this.iterations = iterations;
                this.base = base;
                this.prefillEnds = prefillEnds;
            }
        }

        private final boolean async;

        FakeRuntime(SimConfig config) {
            this(config, null);
        }

        FakeRuntime(SimConfig config, org.cornserve.simulator.engine.SimScaling scaling) {
            this(config, scaling, false);
        }

        /**
         * With {@code scaling} (null: fixed replicas), a {@link RuntimeScaler} drives the core's autoscaler on the
         * fake clock; a started replica's fake executor is ready after its settings' start-up. The cluster must be
         * one node (every added replica lands on it, as in the simulator).
         */
        FakeRuntime(SimConfig config, org.cornserve.simulator.engine.SimScaling scaling, boolean async) {
            this.config = config;
            this.async = async;
            this.scaling = scaling;
            this.ends = new TraceEnds[config.deployments().size()][][];
            List<DeploymentConfig> configs = config.deployments().stream().map(SimDeployment::deployment).toList();
            TensorTransport transport = (fd, fr, td, tr, bytes, done) -> {
                boolean sameNode = node(fd, fr) == node(td, tr);
                queue.push(nowNanos() + config.network().transferNanos(bytes, sameNode), 1, done);
            };
            this.dispatcher = new Dispatcher(configs, true, this, this, transport, null, this, 0,
                    scaling == null ? Dispatcher.ReplicaLifecycle.FIXED : this, async);
            timers = new StepTimer[configs.size()];
            replicas = new FakeReplica[configs.size()][];
            lastStarted = new org.cornserve.planner.schedule.batch.Step[configs.size()][];
            for (int d = 0; d < configs.size(); d++) {
                SimDeployment sd = config.deployments().get(d);
                timers[d] = new StepTimer(sd.costs().toArray(), sd.deployment().name());
                replicas[d] = new FakeReplica[configs.get(d).replicas()];
                lastStarted[d] = new org.cornserve.planner.schedule.batch.Step[configs.get(d).replicas()];
                for (int r = 0; r < replicas[d].length; r++) {
                    replicas[d][r] = new FakeReplica();
                }
                ends[d] = new TraceEnds[replicas[d].length][configs.get(d).tasks().size()];
            }
            dispatcher.core().watchSequences((d, r, t) -> {
                grow(d, r);
                return ends[d][r][t] = new TraceEnds();
            });
            if (scaling == null) {
                scaler = null;
            } else {
                if (scaling.nodeDevices().length != 1) {
                    throw new IllegalArgumentException("the fake places added replicas on a one-node cluster only");
                }
                int[] devices = config.deployments().stream().mapToInt(SimDeployment::devicesPerReplica).toArray();
                LoopServices ticks = new LoopServices() {
                    @Override
                    public long nowNanos() {
                        return queue.now();
                    }

                    @Override
                    public void post(Runnable fact) {
                        FakeRuntime.this.post(fact);
                    }

                    @Override
                    public void at(long atNanos, Runnable fact) {
                        if (!queue.isEmpty()) { // as the simulator: no evaluation once nothing else is pending
                            FakeRuntime.this.at(atNanos, fact);
                        }
                    }
                };
                scaler = new RuntimeScaler(dispatcher.core(), ticks,
                        new org.cornserve.planner.schedule.scale.PlanAutoscale(scaling.policy(), scaling.settings()),
                        devices, scaling.poolDevices()[0], scaling.tolerance(), scaling.intervalNanos());
            }
        }

        private final TraceEnds[][][] ends;
        private final org.cornserve.simulator.engine.SimScaling scaling;
        private final RuntimeScaler scaler;

        /** The scaler's log of replica starts, ups and stops (with scaling). */
        List<RuntimeScaler.Change> changes() {
            return scaler.changes();
        }

        /** The scaler (with scaling). */
        RuntimeScaler scaler() {
            return scaler;
        }

        private int node(int d, int r) {
            List<Integer> nodes = config.deployments().get(d).replicaNodes();
            return r < nodes.size() ? nodes.get(r) : 0;
        }

        /** Grows deployment d's fake replicas to hold replica r (added while running). */
        private void grow(int d, int r) {
            int old = replicas[d].length;
            if (r < old) {
                return;
            }
            replicas[d] = java.util.Arrays.copyOf(replicas[d], r + 1);
            lastStarted[d] = java.util.Arrays.copyOf(lastStarted[d], r + 1);
            ends[d] = java.util.Arrays.copyOf(ends[d], r + 1);
            for (int i = old; i <= r; i++) {
                replicas[d][i] = new FakeReplica();
                ends[d][i] = new TraceEnds[config.deployments().get(d).deployment().tasks().size()];
            }
        }

        @Override
        public void start(int d, int r) {
            scaler.started(d, r);
            grow(d, r);
            long startup = scaling.settings().get(d).startupNanos();
            at(nowNanos() + startup, () -> {
                dispatcher.replicaUp(d, r);
                scaler.up(d, r, startup);
            });
        }

        @Override
        public void stop(int d, int r) {
            scaler.stopped(d, r);
        }

        List<Trace> run(java.util.Iterator<SimRequest> workload) {
            pushNext(workload);
            if (scaler != null && !queue.isEmpty()) {
                // the first arrival's time opens the first window, as the simulator's first ScaleTick
                scaler.start(queue.peekTime());
            }
            while (!queue.isEmpty()) {
                queue.poll().run();
            }
            return out;
        }

        private void pushNext(java.util.Iterator<SimRequest> workload) {
            if (!workload.hasNext()) {
                return;
            }
            SimRequest req = workload.next();
            queue.push(req.arrivalNanos(), 3, () -> {
                sizes.put(req.id(), req.graph().size());
                long[] s = new long[3 * req.graph().size()];
                java.util.Arrays.fill(s, -1);
                stages.put(req.id(), s);
                endTimes.put(req.id(), new long[] {-1, -1});
                dispatcher.arrive(req.id(), req.graph(), List.of(), 0, 0, 0, SILENT, List.of());
                pushNext(workload);
            });
        }

        @Override
        public long nowNanos() {
            return queue.now();
        }

        @Override
        public void post(Runnable fact) {
            queue.push(nowNanos(), 0, fact);
        }

        @Override
        public void at(long atNanos, Runnable fact) {
            queue.push(Math.max(atNanos, nowNanos()), 2, fact);
        }

        @Override
        public void send(int d, int r, ExecutorCommand command) {
            FakeReplica rep = replicas[d][r];
            switch (command) {
                case ExecutorCommand.RunStep step -> {
                    org.cornserve.planner.schedule.batch.Step planned = runningStep(d, r);
                    boolean llmStep = planned instanceof org.cornserve.planner.schedule.batch.Step.LlmStep;
                    long base = llmStep ? llm(d, r, planned).iteration() : 0;
                    List<Long> prefillEnds = async && llmStep ? ends[d][r][planned.task()].takePrefillEnds()
                            : List.of();
                    Sent sent = new Sent(planned, step.step(), step.iterations(), base, prefillEnds);
                    if (rep.step != null) {
                        rep.waiting.addLast(sent); // async scheduling: it runs when the step computing ends
                    } else {
                        begin(d, r, rep, sent);
                    }
                }
                case ExecutorCommand.Cut cut -> {
                    Sent queued = rep.waiting.peekLast();
                    if (queued != null && queued.stepId == cut.step()) {
                        queued.cutAt = Math.min(queued.cutAt, nowNanos());
                    } else if (rep.step != null && rep.stepId == cut.step() && rep.planned > 1) {
                        long m = timers[d].iterationsToReach(rep.step, rep.planned, rep.start, nowNanos());
                        if (m < rep.planned) {
                            rep.planned = m;
                            scheduleEnd(d, r, rep, m);
                        }
                    }
                }
                default -> {
                }
            }
        }

        /** The fake executor starts computing a step sent to it (a cut asked while it waited applies at once). */
        private void begin(int d, int r, FakeReplica rep, Sent sent) {
            rep.step = sent.step;
            rep.stepId = sent.stepId;
            rep.start = nowNanos();
            rep.planned = sent.iterations;
            rep.base = sent.base;
            rep.prefillEnds = sent.prefillEnds;
            if (rep.step instanceof org.cornserve.planner.schedule.batch.Step.LlmStep) {
                rep.planned = Math.min(rep.planned, ends[d][r][rep.step.task()].iterationsToNextEnd(sent.base));
            }
            if (sent.cutAt < Long.MAX_VALUE && rep.planned > 1) {
                rep.planned = timers[d].iterationsToReach(rep.step, rep.planned, rep.start,
                        Math.max(rep.start, sent.cutAt));
            }
            scheduleEnd(d, r, rep, rep.planned);
        }

        private org.cornserve.planner.schedule.batch.LlmBatcher llm(int d, int r,
                org.cornserve.planner.schedule.batch.Step step) {
            return (org.cornserve.planner.schedule.batch.LlmBatcher) dispatcher.core().replica(d, r)
                    .batcher(step.task());
        }

        private org.cornserve.planner.schedule.batch.Step runningStep(int d, int r) {
            return lastStarted[d][r];
        }

        private void scheduleEnd(int d, int r, FakeReplica rep, long iterations) {
            long epoch = ++rep.epoch;
            long stepId = rep.stepId;
            queue.push(rep.start + timers[d].nanos(rep.step, iterations), 0, () -> {
                if (rep.epoch != epoch) {
                    return;
                }
                List<ExecutorReport.Ended> ended = new ArrayList<>();
                if (rep.step instanceof org.cornserve.planner.schedule.batch.Step.LlmStep) {
                    long after = (async ? rep.base : llm(d, r, rep.step).iteration()) + rep.planned;
                    for (long inv : ends[d][r][rep.step.task()].collectEnds(after)) {
                        ended.add(new ExecutorReport.Ended(inv, "stop", 0));
                    }
                    for (long inv : rep.prefillEnds) {
                        ended.add(new ExecutorReport.Ended(inv, "stop", 0));
                    }
                }
                rep.step = null;
                long performed = rep.planned;
                Sent next = rep.waiting.pollFirst();
                if (next != null) {
                    begin(d, r, rep, next);
                }
                dispatcher.report(d, r, new ExecutorReport.StepDone(stepId, performed, List.of(), ended,
                        List.of(), null, 0));
            });
        }

        @Override
        public void stepStarted(int deployment, int replica, org.cornserve.planner.schedule.batch.Step step,
                long nowNanos) {
            lastStarted[deployment][replica] = step;
        }

        @Override
        public void queued(long requestId, int node, int deployment, long nowNanos) {
            stages.get(requestId)[3 * node] = nowNanos;
        }

        @Override
        public void started(long requestId, int node, long nowNanos) {
            stages.get(requestId)[3 * node + 1] = nowNanos;
        }

        @Override
        public void finished(long requestId, int node, int deployment, long nowNanos) {
            stages.get(requestId)[3 * node + 2] = nowNanos;
        }

        @Override
        public void firstOutput(long requestId, long nowNanos) {
            endTimes.get(requestId)[0] = nowNanos;
        }

        @Override
        public void completed(long requestId, long nowNanos) {
            endTimes.get(requestId)[1] = nowNanos;
            end(requestId, null);
        }

        @Override
        public void rejected(long requestId, String reason, long nowNanos) {
            end(requestId, reason);
        }

        private void end(long id, String reason) {
            List<Long> s = new ArrayList<>();
            for (long v : stages.get(id)) {
                s.add(v);
            }
            out.add(new Trace(id, s, endTimes.get(id)[0], reason == null ? endTimes.get(id)[1] : -1, reason));
        }
    }

    private static final OutputSink SILENT = new OutputSink() {
        @Override
        public void text(String delta) {
        }

        @Override
        public void audio(byte[] wav) {
        }

        @Override
        public void image(byte[] png) {
        }

        @Override
        public void completed(Usage usage) {
        }

        @Override
        public void failed(Failure failure) {
        }
    };
}
