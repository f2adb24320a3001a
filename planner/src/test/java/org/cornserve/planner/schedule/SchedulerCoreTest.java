package org.cornserve.planner.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.model.Modality;
import org.cornserve.planner.schedule.batch.ItemBatching;
import org.cornserve.planner.schedule.batch.LlmBatching;
import org.cornserve.planner.schedule.batch.LlmPhase;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.planner.schedule.dispatch.ActiveRequest;
import org.cornserve.planner.schedule.graph.DataEdge;
import org.cornserve.planner.schedule.graph.Invocation;
import org.cornserve.planner.schedule.graph.InvocationGraph;
import org.cornserve.planner.schedule.graph.Work;
import org.junit.jupiter.api.Test;

class SchedulerCoreTest {

    /** Records decisions as strings and keeps the transfers to hand back. */
    static class Recorder implements Decisions {
        final List<String> log = new ArrayList<>();
        final List<ActiveRequest> transferRequests = new ArrayList<>();
        final List<Integer> transferEdges = new ArrayList<>();

        @Override
        public void startStep(int deployment, int replica, Step step, long nowNanos) {
            log.add("step d" + deployment + "r" + replica + " " + step.getClass().getSimpleName() + "@" + nowNanos);
        }

        @Override
        public void endRunBy(int deployment, int replica, long atNanos) {
            log.add("cut d" + deployment + "r" + replica + "@" + atNanos);
        }

        @Override
        public void wakeAt(int deployment, int replica, long atNanos) {
            log.add("wake d" + deployment + "r" + replica + "@" + atNanos);
        }

        @Override
        public void startTransfer(ActiveRequest request, int edge, int fromDeployment, int fromReplica,
                int toDeployment, int toReplica, long bytes, long nowNanos) {
            log.add("transfer e" + edge + " d" + fromDeployment + "->d" + toDeployment + " " + bytes + "B@" + nowNanos);
            transferRequests.add(request);
            transferEdges.add(edge);
        }

        @Override
        public void completed(ActiveRequest request, long nowNanos) {
            log.add("completed " + request.requestId() + "@" + nowNanos);
        }

        @Override
        public void rejected(long requestId, InvocationGraph graph, Object attachment, String reason, long nowNanos) {
            log.add("rejected " + requestId + ": " + reason);
        }

        @Override
        public void firstOutput(ActiveRequest request, int node, long nowNanos) {
            log.add("first " + request.requestId() + "@" + nowNanos);
        }
    }

    private static final LlmBatching LLM = new LlmBatching(2048, 16, true, Preemption.RECOMPUTE, 100_000, Long.MAX_VALUE);

    private static List<DeploymentConfig> encoderSplit(int bound) {
        return List.of(
                new DeploymentConfig("encoders", List.of(new TaskConfig.Batch("m/vision", new ItemBatching(8, 100_000, 0)),
                        new TaskConfig.Batch("m/audio", new ItemBatching(8, 100_000, 0))), 1, "round-robin", 0, bound),
                new DeploymentConfig("llm", List.of(new TaskConfig.Llm("m/llm", LlmPhase.FULL, LLM)), 1,
                        "least-outstanding", 0, 0));
    }

    private static InvocationGraph imageAndAudio() {
        return InvocationGraph.of(List.of(
                new Invocation("m/vision", Work.batch(Modality.IMAGE, 1, 256), false),
                new Invocation("m/audio", Work.batch(Modality.AUDIO, 1, 100), false),
                new Invocation("m/llm", Work.llm(400, 3), true)),
                List.of(new DataEdge(0, 2, 1000), new DataEdge(1, 2, 500)));
    }

    @Test
    void branchesJoinBeforeTheConsumerIsReleased() {
        Recorder rec = new Recorder();
        SchedulerCore core = new SchedulerCore(encoderSplit(0), rec);
        core.arrive(1, imageAndAudio(), null, 0);
        assertEquals(List.of("step d0r0 BatchStep@0"), rec.log, "vision and audio share the encoder engine");
        core.stepDone(0, 0, 1, 10);
        assertEquals("transfer e0 d0->d1 1000B@10", rec.log.get(1));
        assertEquals("step d0r0 BatchStep@10", rec.log.get(2), "the audio batch runs next");
        core.transferDone(rec.transferRequests.get(0), rec.transferEdges.get(0), 12);
        assertEquals(3, rec.log.size(), "the LLM still waits for the audio embeddings");
        core.stepDone(0, 0, 1, 20);
        core.transferDone(rec.transferRequests.get(1), rec.transferEdges.get(1), 25);
        assertEquals("step d1r0 LlmStep@25", rec.log.get(rec.log.size() - 1));
        core.stepDone(1, 0, 1, 30);
        assertTrue(rec.log.contains("first 1@30"), rec.log.toString());
        core.stepDone(1, 0, 2, 40);
        assertEquals("completed 1@40", rec.log.get(rec.log.size() - 1));
        assertEquals(0, core.outstanding(0));
        assertEquals(0, core.outstanding(1));
    }

    @Test
    void aGraphWithoutOutputInvocationsAnswersWhenItCompletes() {
        Recorder rec = new Recorder();
        SchedulerCore core = new SchedulerCore(encoderSplit(0), rec);
        core.arrive(7, InvocationGraph.single(new Invocation("m/vision", Work.batch(Modality.IMAGE, 1, 5), false)),
                null, 0);
        core.stepDone(0, 0, 1, 9);
        assertEquals(List.of("step d0r0 BatchStep@0", "first 7@9", "completed 7@9"), rec.log);
    }

    @Test
    void rejectsWithReasons() {
        Recorder rec = new Recorder();
        SchedulerCore core = new SchedulerCore(encoderSplit(2), rec);
        core.arrive(1, InvocationGraph.single(new Invocation("other/llm", Work.llm(1, 1), true)), null, 0);
        assertEquals("rejected 1: no deployment serves task other/llm", rec.log.get(0));
        core.arrive(2, InvocationGraph.single(new Invocation("m/llm", Work.llm(99_990, 20), true)), null, 0);
        assertTrue(rec.log.get(1).startsWith("rejected 2: deployment llm, task m/llm: sequence of 99990 prompt"),
                rec.log.get(1));
        core.arrive(3, imageAndAudio(), null, 0);
        core.arrive(4, imageAndAudio(), null, 0);
        assertEquals("rejected 4: deployment encoders is full: 2 outstanding invocations + 2 would pass its bound of 2",
                rec.log.get(rec.log.size() - 1));
    }

    @Test
    void colocatedTasksOfOneRequestShareAReplicaAndHandOverWithoutTransfer() {
        Recorder rec = new Recorder();
        List<DeploymentConfig> mono = List.of(new DeploymentConfig("mono", List.of(
                new TaskConfig.Batch("m/vision", new ItemBatching(8, 100_000, 0)),
                new TaskConfig.Batch("m/audio", new ItemBatching(8, 100_000, 0)),
                new TaskConfig.Llm("m/llm", LlmPhase.FULL, LLM)), 3, "round-robin", 0, 0));
        SchedulerCore core = new SchedulerCore(mono, rec);
        core.arrive(1, imageAndAudio(), null, 0);
        core.arrive(2, imageAndAudio(), null, 0);
        assertEquals(List.of("step d0r0 BatchStep@0", "step d0r1 BatchStep@0"), rec.log);
        core.stepDone(0, 1, 1, 5);
        core.stepDone(0, 1, 1, 6);
        assertEquals("step d0r1 LlmStep@6", rec.log.get(rec.log.size() - 1));
        assertTrue(rec.log.stream().noneMatch(s -> s.startsWith("transfer")), rec.log.toString());
    }

    @Test
    void aPartialBatchAsksForAWakeUpAndArrivalsCutADecodeRun() {
        Recorder rec = new Recorder();
        List<DeploymentConfig> mono = List.of(new DeploymentConfig("mono", List.of(
                new TaskConfig.Batch("m/vision", new ItemBatching(8, 100_000, 1_000)),
                new TaskConfig.Llm("m/llm", LlmPhase.FULL, LLM)), 1, "round-robin", 0, 0));
        SchedulerCore core = new SchedulerCore(mono, rec);
        core.arrive(1, InvocationGraph.single(new Invocation("m/llm", Work.llm(10, 100), true)), null, 0);
        core.stepDone(0, 0, 1, 100);
        assertEquals("step d0r0 LlmStep@100", rec.log.get(rec.log.size() - 1), "a 99-iteration decode run");
        core.arrive(2, InvocationGraph.single(new Invocation("m/vision", Work.batch(Modality.IMAGE, 1, 10), true)),
                null, 150);
        assertEquals("cut d0r0@1150", rec.log.get(rec.log.size() - 1), "the encoder batch is due after its wait");
        core.arrive(3, InvocationGraph.single(new Invocation("m/llm", Work.llm(10, 5), true)), null, 160);
        assertEquals("cut d0r0@160", rec.log.get(rec.log.size() - 1), "a sequence that can join cuts the run now");
        core.stepDone(0, 0, 1, 170);
        assertEquals("step d0r0 LlmStep@170", rec.log.get(rec.log.size() - 1));
    }
}
