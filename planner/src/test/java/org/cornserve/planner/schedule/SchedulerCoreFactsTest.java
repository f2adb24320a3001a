package org.cornserve.planner.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.model.Modality;
import org.cornserve.planner.schedule.batch.ItemBatching;
import org.cornserve.planner.schedule.batch.LlmBatcher;
import org.cornserve.planner.schedule.batch.LlmBatching;
import org.cornserve.planner.schedule.batch.LlmPhase;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.planner.schedule.batch.SequenceEnds;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.planner.schedule.batch.StepVisitor;
import org.cornserve.planner.schedule.dispatch.ActiveRequest;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.Work;
import org.junit.jupiter.api.Test;

/** The facts a live runtime feeds the core: sequence ends, replicas coming and going, failures, cancellation. */
class SchedulerCoreFactsTest {

    /** Records the new decisions too. */
    static class FullRecorder extends SchedulerCoreTest.Recorder {
        @Override
        public void failed(ActiveRequest request, String reason, long nowNanos) {
            log.add("failed " + request.requestId() + ": " + reason);
        }

        @Override
        public void cancelled(ActiveRequest request, long nowNanos) {
            log.add("cancelled " + request.requestId());
        }

        @Override
        public void startReplica(int deployment, int replica, long nowNanos) {
            log.add("start replica d" + deployment + "r" + replica);
        }

        @Override
        public void stopReplica(int deployment, int replica, long nowNanos) {
            log.add("stop replica d" + deployment + "r" + replica);
        }

        String last() {
            return log.get(log.size() - 1);
        }
    }

    static LlmBatching llm(long kv, Preemption preemption, long maxRun) {
        return new LlmBatching(2048, 16, true, preemption, kv, maxRun);
    }

    static List<DeploymentConfig> llmDeployment(LlmBatching batching, int replicas, String router) {
        return List.of(new DeploymentConfig("llm", List.of(new TaskConfig.Llm("m/llm", LlmPhase.FULL, batching)),
                replicas, router, 0, 0));
    }

    static InvocationGraph text(long prompt, long maxTokens, long traceOutput) {
        return InvocationGraph.single(new Invocation("m/llm", Work.llm(prompt, maxTokens), true), traceOutput);
    }

    /** The ids of the sequences the running step decodes or prefills, as a real engine reads them. */
    static List<Integer> sequences(SchedulerCore core, int d, int r) {
        List<Integer> ids = new ArrayList<>();
        core.describeRunningStep(d, r, new StepVisitor() {
            @Override
            public void decode(Object owner, int node, int sequence, long contextTokens) {
                ids.add(sequence);
            }

            @Override
            public void prefillChunk(Object owner, int node, int sequence, long startToken, long tokens) {
                ids.add(sequence);
            }
        });
        return ids;
    }

    static SequenceEnds ends(int... ids) {
        SequenceEnds e = new SequenceEnds();
        for (int id : ids) {
            e.add(id);
        }
        return e;
    }

    @Test
    void anUncappedSequenceEndsWhenTheEngineSaysSo() {
        FullRecorder rec = new FullRecorder();
        SchedulerCore core = new SchedulerCore(llmDeployment(llm(10_000, Preemption.RECOMPUTE, 1), 1, "round-robin"),
                rec);
        core.arrive(1, text(100, Work.UNCAPPED, 3), null, 0);
        int seq = sequences(core, 0, 0).get(0);
        core.stepDone(0, 0, 1, 10);
        assertEquals("first 1@10", rec.log.get(rec.log.size() - 2), "prefill gives the first token");
        core.stepDone(0, 0, 1, 20);
        assertFalse(rec.log.contains("completed 1@20"), "nothing ends a sequence but a fact or its cap");
        core.stepDone(0, 0, 1, ends(seq), 30);
        assertEquals("completed 1@30", rec.last());
        assertEquals(0, core.outstanding(0));
        assertEquals(0, ((LlmBatcher) core.replica(0, 0).batcher(0)).kvUsedTokens());
    }

    @Test
    void aCappedSequenceEndsAtItsCapWithoutAFact() {
        FullRecorder rec = new FullRecorder();
        SchedulerCore core = new SchedulerCore(llmDeployment(llm(10_000, Preemption.RECOMPUTE, Long.MAX_VALUE), 1,
                "round-robin"), rec);
        core.arrive(1, text(100, 5, 400), null, 0);
        core.stepDone(0, 0, 1, 10);
        assertEquals("step d0r0 LlmStep@10", rec.last());
        core.stepDone(0, 0, 4, 50);
        assertEquals("completed 1@50", rec.last(), "1 token from prefill + 4 decoded = the cap of 5");
    }

    @Test
    void aFastPathRunIsBoundedByCapsOnlyAndAnEngineEndsItEarly() {
        FullRecorder rec = new FullRecorder();
        SchedulerCore core = new SchedulerCore(llmDeployment(llm(10_000, Preemption.RECOMPUTE, Long.MAX_VALUE), 1,
                "round-robin"), rec);
        List<Step> steps = new ArrayList<>();
        SchedulerCore probe = new SchedulerCore(llmDeployment(llm(10_000, Preemption.RECOMPUTE, Long.MAX_VALUE), 1,
                "round-robin"), new FullRecorder() {
                    @Override
                    public void startStep(int deployment, int replica, Step step, long nowNanos) {
                        steps.add(step);
                    }
                });
        probe.arrive(1, text(100, 300, 7), null, 0);
        probe.stepDone(0, 0, 1, 10);
        assertEquals(299, steps.get(1).iterations(), "the plan runs to the cap: the true length 7 is not known");
        int seq = sequences(probe, 0, 0).get(0);
        probe.stepDone(0, 0, 6, ends(seq), 70);
        assertEquals(0, probe.outstanding(0), "ended after 1 + 6 tokens by the engine's fact");
        assertTrue(rec.log.isEmpty() && core.outstanding(0) == 0);
    }

    @Test
    void reportingAnEndForASequenceThatGeneratedNothingIsRefused() {
        FullRecorder rec = new FullRecorder();
        SchedulerCore core = new SchedulerCore(llmDeployment(new LlmBatching(64, 16, true, Preemption.RECOMPUTE,
                10_000, 1), 1, "round-robin"), rec);
        core.arrive(1, text(500, 50, 10), null, 0);
        int seq = sequences(core, 0, 0).get(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> core.stepDone(0, 0, 1, ends(seq), 10));
        assertTrue(e.getMessage().contains("generated no token"), e.getMessage());
        core.stepDone(0, 0, 1, 10);
        assertEquals(1, core.outstanding(0), "state unchanged by the refused fact; the chunked prefill goes on");
    }

    @Test
    void routingWeightsAndReservationsIgnoreTheTrueLength() {
        FullRecorder rec = new FullRecorder();
        SchedulerCore core = new SchedulerCore(llmDeployment(llm(1_000, Preemption.NONE, Long.MAX_VALUE), 2,
                "least-outstanding"), rec);
        core.arrive(1, text(100, Work.UNCAPPED, 2), null, 0);
        core.arrive(2, text(100, Work.UNCAPPED, 900), null, 0);
        assertEquals(core.routedWork(0, 0), core.routedWork(0, 1), "same prompt, same weight, whatever the answer");
        assertEquals(100, core.routedWork(0, 0));
        core.arrive(3, text(100, Work.UNCAPPED, 2), null, 0);
        LlmBatcher b = (LlmBatcher) core.replica(0, 0).batcher(0);
        assertEquals(1, b.runningCount(), "without preemption an uncapped sequence reserves all its KV room");
        assertEquals(1, b.waitingCount());
        assertEquals(1_000, b.kvUsedTokens());
        core.arrive(4, InvocationGraph.single(new Invocation("m/llm", Work.llm(100, 50, 20), true)), null, 0);
        assertEquals(100 + 20, core.routedWork(0, 1) - 100, "a named prediction weighs in");
    }

    @Test
    void anEarlyWakeUpIsReArmedNotSwallowed() {
        FullRecorder rec = new FullRecorder();
        SchedulerCore core = new SchedulerCore(List.of(new DeploymentConfig("enc", List.of(
                new TaskConfig.Batch("m/vision", new ItemBatching(8, 100_000, 1_000))), 1, "round-robin", 0, 0)), rec);
        core.arrive(1, InvocationGraph.single(new Invocation("m/vision", Work.batch(Modality.IMAGE, 1, 10), true)),
                null, 0);
        assertEquals(List.of("wake d0r0@1000"), rec.log);
        core.wake(0, 0, 999);
        assertEquals("wake d0r0@1000", rec.last(), "a timer that fired early is asked for again");
        assertEquals(2, rec.log.size());
        core.wake(0, 0, 1000);
        assertEquals("step d0r0 BatchStep@1000", rec.last(), "at the deadline the partial batch runs");
    }

    @Test
    void aWakeUpAtTheSameInstantAsAnArrivalIsNotLost() {
        FullRecorder rec = new FullRecorder();
        SchedulerCore core = new SchedulerCore(List.of(new DeploymentConfig("enc", List.of(
                new TaskConfig.Batch("m/vision", new ItemBatching(2, 100_000, 1_000))), 1, "round-robin", 0, 0)), rec);
        core.arrive(1, InvocationGraph.single(new Invocation("m/vision", Work.batch(Modality.IMAGE, 1, 10), true)),
                null, 0);
        core.arrive(2, InvocationGraph.single(new Invocation("m/vision", Work.batch(Modality.AUDIO, 1, 10), true)),
                null, 1000);
        assertEquals("step d0r0 BatchStep@1000", rec.last(), "the due image batch runs on the arrival at its deadline");
        core.wake(0, 0, 1000);
        core.stepDone(0, 0, 1, 1100);
        assertEquals("wake d0r0@2000", rec.last(), "the audio batch's own wait is armed after the step");
        core.wake(0, 0, 2000);
        assertEquals("step d0r0 BatchStep@2000", rec.last());
    }

    /** An engine that finishes every step inside startStep, re-entering the core from its callback. */
    static final class InstantEngine extends FullRecorder {
        SchedulerCore core;
        int depth;
        int maxDepth;

        @Override
        public void startStep(int deployment, int replica, Step step, long nowNanos) {
            super.startStep(deployment, replica, step, nowNanos);
            depth++;
            maxDepth = Math.max(maxDepth, depth);
            core.stepDone(deployment, replica, step.iterations(), nowNanos + 1);
            depth--;
        }
    }

    @Test
    void aSynchronousEngineDoesNotRecurseThroughTheCore() {
        InstantEngine engine = new InstantEngine();
        SchedulerCore core = new SchedulerCore(llmDeployment(llm(100_000, Preemption.RECOMPUTE, 1), 1, "round-robin"),
                engine);
        engine.core = core;
        core.arrive(1, text(100, 20_000, 20_000), null, 0);
        assertEquals("completed 1@20000", engine.last(), "20 000 one-iteration steps ran one after another");
        assertEquals(1, engine.maxDepth, "each step end is applied after the fact that started the step");
    }

    @Test
    void factsReportedFromCallbacksAreAppliedInOrderAfterTheCurrentOne() {
        List<DeploymentConfig> two = List.of(
                new DeploymentConfig("a", List.of(new TaskConfig.Batch("m/a", new ItemBatching(8, 100_000, 0))), 2,
                        "least-outstanding", 0, 0),
                new DeploymentConfig("b", List.of(new TaskConfig.Batch("m/b", new ItemBatching(8, 100_000, 0))), 2,
                        "least-outstanding", 0, 0));
        InvocationGraph both = InvocationGraph.of(List.of(
                new Invocation("m/a", Work.batch(Modality.IMAGE, 1, 10), true),
                new Invocation("m/b", Work.batch(Modality.IMAGE, 1, 30), true)), List.of());
        InvocationGraph onlyB = InvocationGraph.single(new Invocation("m/b", Work.batch(Modality.IMAGE, 1, 5), true));
        FullRecorder sequential = new FullRecorder();
        SchedulerCore reference = new SchedulerCore(two, sequential);
        reference.arrive(1, both, null, 0);
        reference.arrive(2, onlyB, null, 0);
        reference.arrive(3, InvocationGraph.single(new Invocation("none", Work.batch(Modality.IMAGE, 1, 1), true)),
                null, 0);
        reference.arrive(4, both, null, 0);

        SchedulerCore[] holder = new SchedulerCore[1];
        FullRecorder reentrant = new FullRecorder() {
            boolean sent;

            @Override
            public void invocationQueued(ActiveRequest request, int node, long nowNanos) {
                if (!sent) {
                    sent = true;
                    holder[0].arrive(2, onlyB, null, 0);
                    holder[0].arrive(3, InvocationGraph.single(new Invocation("none",
                            Work.batch(Modality.IMAGE, 1, 1), true)), null, 0);
                }
            }

            @Override
            public void rejected(long requestId, InvocationGraph graph, Object attachment, String reason, long now) {
                super.rejected(requestId, graph, attachment, reason, now);
                holder[0].arrive(4, both, null, 0);
            }
        };
        holder[0] = new SchedulerCore(two, reentrant);
        holder[0].arrive(1, both, null, 0);
        assertEquals(sequential.log, reentrant.log, "same decisions as facts handed over one after another");
        for (int d = 0; d < 2; d++) {
            for (int r = 0; r < 2; r++) {
                assertEquals(reference.routedWork(d, r), holder[0].routedWork(d, r), "routed work d" + d + "r" + r);
            }
        }
    }

    @Test
    void aReplicaGoingDownFailsOnlyTheRequestsItHeldAndGetsNoMoreWork() {
        FullRecorder rec = new FullRecorder();
        SchedulerCore core = new SchedulerCore(llmDeployment(llm(10_000, Preemption.RECOMPUTE, 1), 2, "round-robin"),
                rec);
        core.arrive(1, text(100, 5, 5), null, 0);
        core.arrive(2, text(100, 5, 5), null, 0);
        core.replicaDown(0, 0, "executor exited with code 137", 5);
        assertEquals("failed 1: deployment llm replica 0 went down: executor exited with code 137", rec.last());
        assertEquals(ReplicaStatus.DOWN, core.replicaStatus(0, 0));
        assertEquals(1, core.outstanding(0), "request 2 goes on");
        core.stepDone(0, 0, 1, 6);
        assertEquals(1, core.activeRequests(), "a late step end from the dead replica is ignored");
        core.arrive(3, text(100, 5, 5), null, 7);
        core.arrive(4, text(100, 5, 5), null, 7);
        assertEquals(0, core.routedWork(0, 0));
        assertEquals(300, core.routedWork(0, 1), "only the replica up is routed to");
        for (long t = 10; core.activeRequests() > 0; t += 10) {
            core.stepDone(0, 1, 1, t);
        }
        assertTrue(rec.log.contains("completed 2@50") || rec.log.stream().anyMatch(s -> s.startsWith("completed 2@")));
        core.replicaUp(0, 0, 1000);
        core.arrive(5, text(100, 5, 5), null, 1000);
        core.arrive(6, text(100, 5, 5), null, 1000);
        assertEquals(100, core.routedWork(0, 0), "restarted, it is routed to again");
        assertEquals(100, core.routedWork(0, 1));
    }

    @Test
    void aFailedInvocationFailsItsRequestNamingTheStageAndFreesItsKv() {
        FullRecorder rec = new FullRecorder();
        ActiveRequest[] first = new ActiveRequest[1];
        FullRecorder capture = new FullRecorder() {
            @Override
            public void invocationQueued(ActiveRequest request, int node, long nowNanos) {
                if (first[0] == null) {
                    first[0] = request;
                }
            }
        };
        SchedulerCore core = new SchedulerCore(llmDeployment(llm(10_000, Preemption.RECOMPUTE, 1), 1, "round-robin"),
                capture);
        core.arrive(1, text(100, 50, 50), null, 0);
        core.arrive(2, text(200, 50, 50), null, 0);
        core.stepDone(0, 0, 1, 10);
        LlmBatcher b = (LlmBatcher) core.replica(0, 0).batcher(0);
        assertEquals(2, b.runningCount());
        core.invocationFailed(first[0], 0, "CUDA error: illegal memory access", 12);
        assertEquals("failed 1: stage m/llm (deployment llm replica 0) failed: CUDA error: illegal memory access",
                capture.last());
        assertEquals(2, b.runningCount(), "the step in flight still computes it");
        core.stepDone(0, 0, 1, 20);
        assertEquals(1, b.runningCount(), "dropped when its step ended");
        assertEquals(200, b.kvUsedTokens(), "only request 2's prompt stays cached");
        core.invocationFailed(first[0], 0, "again", 21);
        assertEquals(1, capture.log.stream().filter(s -> s.startsWith("failed")).count(), "a second report is ignored");
        assertTrue(rec.log.isEmpty());
    }

    @Test
    void aCancelledRequestIsDroppedQueuedOrRunning() {
        FullRecorder rec = new FullRecorder();
        SchedulerCore core = new SchedulerCore(llmDeployment(new LlmBatching(2048, 1, true, Preemption.RECOMPUTE,
                10_000, 1), 1, "round-robin"), rec);
        core.arrive(1, text(100, 50, 50), null, 0);
        core.arrive(2, text(100, 50, 50), null, 0);
        LlmBatcher b = (LlmBatcher) core.replica(0, 0).batcher(0);
        assertEquals(1, b.waitingCount());
        core.cancel(2, 1);
        assertEquals("cancelled 2", rec.last());
        assertEquals(0, b.waitingCount(), "a queued invocation leaves at once");
        core.cancel(1, 2);
        core.stepDone(0, 0, 1, 10);
        assertEquals(0, b.outstanding());
        assertEquals(0, b.kvUsedTokens(), "the running one is freed when its step ends");
        assertEquals(0, core.outstanding(0));
        assertEquals(0, core.routedWork(0, 0));
        assertTrue(rec.log.stream().noneMatch(s -> s.startsWith("completed") || s.startsWith("first")), rec.log.toString());
        core.cancel(99, 11);
        assertEquals("cancelled 1", rec.last(), "an unknown id is ignored");
    }

    @Test
    void replicasAreAddedAndRemovedWhileServing() {
        FullRecorder rec = new FullRecorder();
        SchedulerCore core = new SchedulerCore(llmDeployment(llm(10_000, Preemption.RECOMPUTE, 1), 1, "round-robin"),
                rec);
        int added = core.addReplica(0, 0);
        assertEquals(1, added);
        assertEquals("start replica d0r1", rec.last());
        assertEquals(ReplicaStatus.STARTING, core.replicaStatus(0, 1));
        core.arrive(1, text(100, 3, 3), null, 1);
        core.arrive(2, text(100, 3, 3), null, 1);
        assertEquals(0, core.routedWork(0, 1), "a starting replica gets no work");
        core.replicaUp(0, 1, 5);
        core.arrive(3, text(100, 3, 3), null, 6);
        core.arrive(4, text(100, 3, 3), null, 6);
        assertEquals(100, core.routedWork(0, 1), "up, it is routed to");
        core.removeReplica(0, 1, 7);
        assertEquals(ReplicaStatus.DRAINING, core.replicaStatus(0, 1));
        core.arrive(5, text(100, 3, 3), null, 8);
        assertEquals(100, core.routedWork(0, 1), "a draining replica gets no new work");
        core.stepDone(0, 1, 1, 10);
        core.stepDone(0, 1, 1, 20);
        assertTrue(rec.log.contains("stop replica d0r1") == false);
        core.stepDone(0, 1, 1, 30);
        assertEquals("stop replica d0r1", rec.last(), "stopped once drained");
        assertEquals(ReplicaStatus.REMOVED, core.replicaStatus(0, 1));
        assertEquals(1, core.replicasUp(0));
        assertThrows(IllegalStateException.class, () -> core.replicaUp(0, 1, 40));
    }

    @Test
    void aDrainingReplicaWaitsForWorkRoutedToItThatIsNotQueuedYet() {
        FullRecorder rec = new FullRecorder();
        SchedulerCore core = new SchedulerCore(List.of(
                new DeploymentConfig("llm", List.of(new TaskConfig.Llm("m/llm", LlmPhase.FULL,
                        llm(10_000, Preemption.RECOMPUTE, 1))), 1, "round-robin", 0, 0),
                new DeploymentConfig("post", List.of(new TaskConfig.Batch("m/post",
                        new org.cornserve.planner.schedule.batch.ItemBatching(8, 100_000, 0))), 1, "round-robin", 0, 0)),
                rec);
        InvocationGraph g = InvocationGraph.of(List.of(new Invocation("m/llm", Work.llm(100, 2), false),
                new Invocation("m/post", Work.batch(org.cornserve.model.Modality.AUDIO, 1, 10), true)),
                List.of(new org.cornserve.planner.schedule.graph.DataEdge(0, 1, 1000)), new long[] {2, 0});
        core.arrive(1, g, null, 0);
        core.removeReplica(1, 0, 1);
        assertEquals(ReplicaStatus.DRAINING, core.replicaStatus(1, 0));
        assertFalse(rec.log.contains("stop replica d1r0"), "the request's second stage is routed to it");
        core.stepDone(0, 0, 1, 10);
        core.stepDone(0, 0, 1, 20);
        core.transferDone(rec.transferRequests.get(0), 0, 25);
        assertFalse(rec.log.contains("stop replica d1r0"));
        core.stepDone(1, 0, 1, 30);
        assertTrue(rec.log.contains("completed 1@30"), rec.log.toString());
        assertEquals("stop replica d1r0", rec.last(), "stopped once its last routed invocation finished");
        assertEquals(ReplicaStatus.REMOVED, core.replicaStatus(1, 0));
    }

    @Test
    void withoutAReplicaUpRequestsAreRejected() {
        FullRecorder rec = new FullRecorder();
        SchedulerCore core = new SchedulerCore(llmDeployment(llm(10_000, Preemption.RECOMPUTE, 1), 1, "round-robin"),
                rec, false);
        core.arrive(1, text(100, 3, 3), null, 0);
        assertEquals("rejected 1: deployment llm has no replica up", rec.last());
        core.replicaUp(0, 0, 1);
        core.arrive(2, text(100, 3, 3), null, 2);
        assertEquals("step d0r0 LlmStep@2", rec.last());
    }
}
