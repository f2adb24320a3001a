package org.cornserve.planner.schedule;

import static org.cornserve.planner.schedule.SchedulerCoreFactsTest.ends;
import static org.cornserve.planner.schedule.SchedulerCoreFactsTest.llm;
import static org.cornserve.planner.schedule.SchedulerCoreFactsTest.llmDeployment;
import static org.cornserve.planner.schedule.SchedulerCoreFactsTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.cornserve.planner.schedule.batch.LlmBatcher;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.planner.schedule.batch.SequenceEnds;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.planner.schedule.batch.StepVisitor;
import org.cornserve.planner.schedule.dispatch.ActiveRequest;
import org.cornserve.planner.schedule.graph.Work;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Async scheduling: the core sends a replica's next step while its current one computes, and applies the ends a
 * step's report names one step late.
 */
class SchedulerCoreAsyncTest {

    /** Records each step sent with the sequences it computes (request id per sequence), as an engine reads them. */
    static final class StepLog extends SchedulerCoreFactsTest.FullRecorder {
        SchedulerCore core;
        final List<Map<Integer, Long>> steps = new ArrayList<>();
        final List<Long> sentAt = new ArrayList<>();

        @Override
        public void startStep(int deployment, int replica, Step step, long nowNanos) {
            super.startStep(deployment, replica, step, nowNanos);
            Map<Integer, Long> members = new HashMap<>();
            core.describeRunningStep(deployment, replica, new StepVisitor() {
                @Override
                public void decode(Object owner, int node, int sequence, long contextTokens) {
                    members.put(sequence, ((ActiveRequest) owner).requestId());
                }

                @Override
                public void prefillChunk(Object owner, int node, int sequence, long startToken, long tokens) {
                    members.put(sequence, ((ActiveRequest) owner).requestId());
                }
            });
            steps.add(members);
            sentAt.add(nowNanos);
        }
    }

    private static SchedulerCore asyncCore(StepLog log, long kv, Preemption preemption) {
        SchedulerCore core = new SchedulerCore(llmDeployment(llm(kv, preemption, 1), 1, "round-robin"), log, true,
                true);
        log.core = core;
        return core;
    }

    /** An async core with one uncapped request arrived at 0 whose answer is {@code traceLength} tokens. */
    private static SchedulerCore oneRequest(StepLog log, long traceLength) {
        SchedulerCore core = asyncCore(log, 10_000, Preemption.RECOMPUTE);
        core.arrive(1, text(100, Work.UNCAPPED, traceLength), null, 0);
        return core;
    }

    private static int onlySequence(Map<Integer, Long> members) {
        assertEquals(1, members.size(), "one sequence in the step: " + members);
        return members.keySet().iterator().next();
    }

    @Test
    void theNextStepIsSentWhileThePreviousOneComputes() {
        StepLog log = new StepLog();
        SchedulerCore core = oneRequest(log, 5);
        assertEquals(List.of(0L, 0L), log.sentAt, "prefill and the first decode are both sent at once");
        core.stepDone(0, 0, 1, 10);
        assertTrue(log.log.contains("first 1@10"), "the first token shows at its report");
        assertEquals(3, log.steps.size(), "a report sends the step after the one in flight");
        assertEquals(10L, log.sentAt.get(2));
    }

    @Test
    void anEndOfSequenceIsAppliedOneStepLateAndItsExtraTokenIsWasted() {
        StepLog log = new StepLog();
        SchedulerCore core = oneRequest(log, 2);
        int seq = onlySequence(log.steps.get(1));
        core.stepDone(0, 0, 1, 10); // prefill: first token
        assertEquals(3, log.steps.size());
        assertEquals(seq, onlySequence(log.steps.get(2)), "the third step decodes it again: its end is not known");
        core.stepDone(0, 0, 1, ends(seq), 20); // first decode: end of sequence
        assertEquals("completed 1@20", log.last(), "it completes at the report that names its end, as in sync mode");
        assertEquals(0, core.outstanding(0));
        assertEquals(0, ((LlmBatcher) core.replica(0, 0).batcher(0)).kvUsedTokens(), "its KV room is free now");
        assertEquals(3, log.steps.size(), "nothing more is sent for it");
        core.stepDone(0, 0, 1, 30); // the wasted step's report: nothing to apply
        assertEquals("completed 1@20", log.last());
        assertEquals(3, log.steps.size());
    }

    @Test
    void aSequenceAtItsCapIsNeverSentPastIt() {
        StepLog log = new StepLog();
        SchedulerCore core = asyncCore(log, 10_000, Preemption.RECOMPUTE);
        core.arrive(1, text(100, 3, 400), null, 0); // 1 token from prefill + 2 decodes
        core.stepDone(0, 0, 1, 10);
        core.stepDone(0, 0, 1, 20);
        assertTrue(log.log.stream().noneMatch(l -> l.startsWith("completed")), "the cap's token is computing");
        core.stepDone(0, 0, 1, 30);
        assertEquals("completed 1@30", log.last());
        assertEquals(3, log.steps.size(), "prefill and two decodes: no step past the cap");
    }

    @Test
    void admissionWaitsForTheLateEndBeforeReusingItsRoom() {
        StepLog log = new StepLog();
        // without preemption admission reserves prompt + cap: one request at a time fits
        SchedulerCore core = asyncCore(log, 300, Preemption.NONE);
        core.arrive(1, text(100, 150, 2), null, 0);
        core.arrive(2, text(100, 150, 2), null, 1);
        int seq = onlySequence(log.steps.get(1));
        core.stepDone(0, 0, 1, 10);
        core.stepDone(0, 0, 1, ends(seq), 20);
        for (int s = 0; s < log.steps.size(); s++) {
            if (log.steps.get(s).containsValue(2L)) {
                assertTrue(log.sentAt.get(s) >= 20, "request 2 is planned only once request 1's end was reported");
            }
        }
        assertTrue(log.steps.stream().anyMatch(m -> m.containsValue(2L)), "request 2 runs after the end");
    }

    @Test
    void anEndNamingASequenceTheStepDidNotComputeIsRefused() {
        StepLog log = new StepLog();
        SchedulerCore core = oneRequest(log, 5);
        int seq = onlySequence(log.steps.get(0));
        assertThrows(IllegalArgumentException.class, () -> core.stepDone(0, 0, 1, ends(seq + 7), 10));
        core.stepDone(0, 0, 1, 10); // the refused report changed nothing: the same step reports normally
        assertTrue(log.log.contains("first 1@10"));
    }

    /**
     * Against sync scheduling on seeded random workloads with an engine that ends each sequence at its trace length:
     * every request completes in both modes, and every step async mode sends computes a sequence at most one step
     * past its end (the wasted token), never two.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void everyRequestCompletesAndNoSequenceRunsTwoStepsPastItsEnd(long seed) {
        for (boolean async : new boolean[] {false, true}) {
            SplittableRandom rnd = new SplittableRandom(seed);
            StepLog log = new StepLog();
            SchedulerCore core = new SchedulerCore(llmDeployment(llm(4_000, Preemption.RECOMPUTE, 1), 1,
                    "round-robin"), log, true, async);
            log.core = core;
            Map<Long, Integer> lengths = new HashMap<>();
            Map<Long, Integer> generated = new HashMap<>();
            Map<Long, Integer> endedAtStep = new HashMap<>();
            int requests = 40;
            long now = 0;
            int reported = 0;
            for (long id = 1; id <= requests; id++) {
                int length = 1 + rnd.nextInt(20);
                lengths.put(id, length);
                generated.put(id, 0);
                core.arrive(id, text(10 + rnd.nextInt(200), Work.UNCAPPED, length), null, now);
                // a few steps between arrivals
                for (int k = rnd.nextInt(3); k > 0 && reported < log.steps.size(); k--) {
                    now += 10;
                    report(core, log, reported++, lengths, generated, endedAtStep, now);
                }
            }
            while (reported < log.steps.size()) {
                now += 10;
                report(core, log, reported++, lengths, generated, endedAtStep, now);
            }
            long completed = log.log.stream().filter(l -> l.startsWith("completed")).count();
            assertEquals(requests, completed, "async " + async + ": every request completes");
            for (int s = 0; s < log.steps.size(); s++) {
                for (long id : log.steps.get(s).values()) {
                    Integer end = endedAtStep.get(id);
                    assertTrue(end == null || s <= end + (async ? 1 : 0), "async " + async + ": request " + id
                            + " ended at step " + end + " but step " + s + " computes it");
                }
            }
        }
    }

    /**
     * The fake engine reports step {@code s}: every decoding sequence (and prompt that completes; here each prefill
     * completes in one step) generates a token, and the one reaching its trace length is named as ended.
     */
    private static void report(SchedulerCore core, StepLog log, int s, Map<Long, Integer> lengths,
            Map<Long, Integer> generated, Map<Long, Integer> endedAtStep, long now) {
        SequenceEnds ended = new SequenceEnds();
        for (Map.Entry<Integer, Long> m : log.steps.get(s).entrySet()) {
            long id = m.getValue();
            if (endedAtStep.containsKey(id)) {
                continue; // the wasted token of a sequence that already ended: the engine drops it
            }
            int g = generated.merge(id, 1, Integer::sum);
            if (g >= lengths.get(id)) {
                ended.add(m.getKey());
                endedAtStep.put(id, s);
            }
        }
        core.stepDone(0, 0, 1, ended, now);
    }
}
