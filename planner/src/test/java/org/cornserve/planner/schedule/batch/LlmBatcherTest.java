package org.cornserve.planner.schedule.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cornserve.planner.schedule.graph.Work;
import org.junit.jupiter.api.Test;

class LlmBatcherTest {
    private final RecordingListener listener = new RecordingListener();

    private static LlmBatching batching(int budget, int seqs, boolean chunked, Preemption p, long kv) {
        return new LlmBatching(budget, seqs, chunked, p, kv, Long.MAX_VALUE);
    }

    @Test
    void prefillThenOneDecodeRunToTheEnd() {
        LlmBatcher b = new LlmBatcher(batching(2048, 8, true, Preemption.RECOMPUTE, 10_000), LlmPhase.FULL);
        b.enqueue("a", 0, Work.llm(100, 5), 0);
        Step.LlmStep s1 = (Step.LlmStep) b.plan(0, 0, listener);
        assertEquals(new Step.LlmStep(0, 100, 100 * 101 / 2, 0, 0, 1), s1);
        b.complete(1, 10, listener);
        Step.LlmStep s2 = (Step.LlmStep) b.plan(0, 10, listener);
        assertEquals(new Step.LlmStep(0, 0, 0, 1, 100, 4), s2, "four more tokens in one run from context 100");
        b.complete(4, 50, listener);
        assertEquals(List.of("start:a@0", "first:a@10", "done:a@50"), listener.calls);
        assertEquals(0, b.kvUsedTokens());
        assertTrue(!b.hasWork());
    }

    @Test
    void aStreamedSequenceStopsItsDecodeRunAtTheChunkAndReportsIt() {
        LlmBatcher b = new LlmBatcher(batching(2048, 8, true, Preemption.RECOMPUTE, 10_000), LlmPhase.FULL);
        b.streamAfter(b.enqueue("a", 0, Work.llm(100, 20), 0), 8);
        b.plan(0, 0, listener);
        b.complete(1, 10, listener);
        Step.LlmStep run = (Step.LlmStep) b.plan(0, 10, listener);
        assertEquals(7, run.iterations(), "the run stops at the 8th token");
        b.complete(7, 80, listener);
        Step.LlmStep rest = (Step.LlmStep) b.plan(0, 80, listener);
        assertEquals(12, rest.iterations(), "then runs to the cap of 20");
        b.complete(12, 200, listener);
        assertEquals(List.of("start:a@0", "first:a@10", "chunk:a@80", "done:a@200"), listener.calls);
    }

    @Test
    void aChunkOfOneComesWithTheFirstTokenAndAChunkPastTheEndNever() {
        LlmBatcher b = new LlmBatcher(batching(2048, 8, true, Preemption.RECOMPUTE, 10_000), LlmPhase.FULL);
        b.streamAfter(b.enqueue("a", 0, Work.llm(100, 5), 0), 1);
        b.streamAfter(b.enqueue("b", 0, Work.llm(100, 5), 0), 6);
        b.plan(0, 0, listener);
        b.complete(1, 10, listener);
        assertEquals(4, ((Step.LlmStep) b.plan(0, 10, listener)).iterations());
        b.complete(4, 50, listener);
        assertEquals(List.of("start:a@0", "start:b@0", "first:a@10", "chunk:a@10", "first:b@10", "done:a@50",
                "done:b@50"), listener.calls);
    }

    @Test
    void aDecodePhaseSequenceReportsAChunkItAlreadyHasAfterItsFirstIteration() {
        LlmBatcher b = new LlmBatcher(batching(2048, 8, true, Preemption.RECOMPUTE, 10_000), LlmPhase.DECODE);
        b.streamAfter(b.enqueue("a", 0, Work.llm(100, 10), 0), 1);
        assertEquals(1, ((Step.LlmStep) b.plan(0, 0, listener)).iterations());
        b.complete(1, 5, listener);
        assertEquals(8, ((Step.LlmStep) b.plan(0, 5, listener)).iterations());
        assertEquals(List.of("start:a@0", "chunk:a@5"), listener.calls);
        assertThrows(IllegalArgumentException.class, () -> b.streamAfter(0, 1), "only a waiting sequence");
    }

    @Test
    void aPlannedStepDescribesItsMembersForARealEngine() {
        LlmBatcher b = new LlmBatcher(batching(100, 8, true, Preemption.RECOMPUTE, 100_000), LlmPhase.FULL);
        b.enqueue("a", 0, Work.llm(10, 50), 0);
        b.plan(0, 0, listener);
        b.complete(1, 1, listener);
        b.enqueue("b", 3, Work.llm(500, 2), 1);
        b.plan(0, 1, listener);
        List<String> members = new java.util.ArrayList<>();
        b.visitStep(new StepVisitor() {
            @Override
            public void prefillChunk(Object owner, int node, long startToken, long tokens) {
                members.add("prefill " + owner + "/" + node + " [" + startToken + ", +" + tokens + ")");
            }

            @Override
            public void decode(Object owner, int node, long contextTokens) {
                members.add("decode " + owner + "/" + node + " at " + contextTokens);
            }
        });
        assertEquals(List.of("prefill b/3 [0, +99)", "decode a/0 at 10"), members);
        b.complete(1, 2, listener);
        members.clear();
        b.plan(0, 2, listener);
        b.visitStep(new StepVisitor() {
            @Override
            public void prefillChunk(Object owner, int node, long startToken, long tokens) {
                members.add("prefill " + owner + " [" + startToken + ", +" + tokens + ")");
            }

            @Override
            public void decode(Object owner, int node, long contextTokens) {
                members.add("decode " + owner + " at " + contextTokens);
            }
        });
        assertEquals(List.of("prefill b [99, +99)", "decode a at 11"), members);
    }

    @Test
    void chunkedPrefillSplitsAPromptAcrossIterationsAndCountsContext() {
        LlmBatcher b = new LlmBatcher(batching(2048, 8, true, Preemption.RECOMPUTE, 100_000), LlmPhase.FULL);
        b.enqueue("a", 0, Work.llm(5000, 2), 0);
        Step.LlmStep s1 = (Step.LlmStep) b.plan(0, 0, listener);
        assertEquals(2048, s1.prefillTokens());
        assertEquals(2048L * 2049 / 2, s1.prefillContextTokens());
        b.complete(1, 1, listener);
        Step.LlmStep s2 = (Step.LlmStep) b.plan(0, 1, listener);
        assertEquals(2048, s2.prefillTokens());
        assertEquals(2048L * 2048 + 2048L * 2049 / 2, s2.prefillContextTokens());
        b.complete(1, 2, listener);
        Step.LlmStep s3 = (Step.LlmStep) b.plan(0, 2, listener);
        assertEquals(904, s3.prefillTokens());
        b.complete(1, 3, listener);
        assertEquals(List.of("start:a@0", "first:a@3"), listener.calls);
    }

    @Test
    void decodesTakeBudgetBeforeNewPrefills() {
        LlmBatcher b = new LlmBatcher(batching(100, 8, true, Preemption.RECOMPUTE, 100_000), LlmPhase.FULL);
        b.enqueue("a", 0, Work.llm(10, 50), 0);
        b.plan(0, 0, listener);
        b.complete(1, 1, listener);
        b.enqueue("b", 0, Work.llm(500, 2), 1);
        Step.LlmStep s = (Step.LlmStep) b.plan(0, 1, listener);
        assertEquals(1, s.decodeSequences());
        assertEquals(99, s.prefillTokens(), "the budget left after one decode");
        assertEquals(1, s.iterations());
    }

    @Test
    void fullCachePreemptsTheNewestSequenceAndRecomputesIt() {
        // Cache of 100 tokens: a (40 prompt) and b (40 prompt) fit; decoding grows them until 100 is reached.
        LlmBatcher b = new LlmBatcher(batching(1000, 8, true, Preemption.RECOMPUTE, 100), LlmPhase.FULL);
        b.enqueue("a", 0, Work.llm(40, 30), 0);
        b.enqueue("b", 0, Work.llm(40, 30), 0);
        Step.LlmStep s1 = (Step.LlmStep) b.plan(0, 0, listener);
        assertEquals(80, s1.prefillTokens());
        b.complete(1, 1, listener);
        Step.LlmStep run = (Step.LlmStep) b.plan(0, 1, listener);
        assertEquals(2, run.decodeSequences());
        assertEquals(10, run.iterations(), "runs until the cache is full: (100 - 80) / 2");
        b.complete(10, 11, listener);
        assertEquals(100, b.kvUsedTokens());
        Step.LlmStep afterPreempt = (Step.LlmStep) b.plan(0, 11, listener);
        assertEquals(1, b.preemptions());
        assertEquals(1, afterPreempt.decodeSequences(), "b was preempted, a decodes alone");
        assertEquals(1, b.waitingCount());
        // a finishes; b is recomputed (40 prompt + 11 generated = 51 context) and continues.
        b.complete(afterPreempt.iterations(), 30, listener);
        while (b.hasWork()) {
            Step.LlmStep s = (Step.LlmStep) b.plan(0, 40, listener);
            b.complete(s.iterations(), 40, listener);
        }
        assertEquals(1, listener.calls.stream().filter(c -> c.startsWith("first:b")).count(), "one first output");
        assertTrue(listener.calls.contains("done:a@30"), listener.calls.toString());
        assertTrue(listener.calls.contains("done:b@40"), listener.calls.toString());
        assertEquals(0, b.kvUsedTokens());
    }

    @Test
    void withoutPreemptionAdmissionReservesTheWholeOutput() {
        LlmBatcher b = new LlmBatcher(batching(1000, 8, true, Preemption.NONE, 100), LlmPhase.FULL);
        b.enqueue("a", 0, Work.llm(40, 30), 0);
        b.enqueue("b", 0, Work.llm(40, 30), 0);
        Step.LlmStep s1 = (Step.LlmStep) b.plan(0, 0, listener);
        assertEquals(40, s1.prefillTokens(), "b waits: a reserved 70 of 100 tokens");
        assertEquals(70, b.kvUsedTokens());
        b.complete(1, 1, listener);
        Step.LlmStep run = (Step.LlmStep) b.plan(0, 1, listener);
        assertEquals(29, run.iterations(), "a runs to its end, b still cannot be admitted");
        b.complete(29, 2, listener);
        assertEquals(0, b.preemptions());
        assertEquals(0, b.kvUsedTokens());
    }

    @Test
    void splitPhasesPrefillStopsAtFirstTokenDecodeStartsFromContext() {
        LlmBatcher prefill = new LlmBatcher(batching(1000, 8, true, Preemption.RECOMPUTE, 10_000), LlmPhase.PREFILL);
        prefill.enqueue("p", 0, Work.llm(100, 20), 0);
        prefill.plan(0, 0, listener);
        prefill.complete(1, 5, listener);
        assertEquals(List.of("start:p@0", "first:p@5", "done:p@5"), listener.calls);
        LlmBatcher decode = new LlmBatcher(batching(1000, 8, true, Preemption.RECOMPUTE, 10_000), LlmPhase.DECODE);
        decode.enqueue("d", 1, Work.llm(100, 20), 6);
        Step.LlmStep s = (Step.LlmStep) decode.plan(0, 6, listener);
        assertEquals(new Step.LlmStep(0, 0, 0, 1, 100, 19), s);
        decode.complete(19, 9, listener);
        assertTrue(listener.calls.contains("done:d@9"));
    }

    @Test
    void rejectsSequencesLargerThanTheCache() {
        LlmBatching small = batching(1000, 8, true, Preemption.RECOMPUTE, 100);
        assertNotNull(LlmBatcher.rejectReason(Work.llm(90, 20), small, LlmPhase.FULL));
        assertNull(LlmBatcher.rejectReason(Work.llm(90, 20), small, LlmPhase.PREFILL));
        assertNull(LlmBatcher.rejectReason(Work.llm(80, 20), small, LlmPhase.FULL));
    }

    @Test
    void maxNumSeqsBoundsTheRunningBatch() {
        LlmBatcher b = new LlmBatcher(batching(1000, 2, true, Preemption.RECOMPUTE, 10_000), LlmPhase.FULL);
        for (String id : new String[] {"a", "b", "c"}) {
            b.enqueue(id, 0, Work.llm(10, 5), 0);
        }
        Step.LlmStep s = (Step.LlmStep) b.plan(0, 0, listener);
        assertEquals(20, s.prefillTokens());
        assertEquals(2, b.runningCount());
        assertEquals(1, b.waitingCount());
        assertEquals(Long.MAX_VALUE, b.staleFromNanos(0));
    }

    @Test
    void swapPreemptionChargesTheCopyOutAndTheCopyBackIn() {
        LlmBatcher b = new LlmBatcher(batching(2048, 8, true, Preemption.SWAP, 260), LlmPhase.FULL);
        b.enqueue("a", 0, Work.llm(100, 60), 0);
        b.enqueue("b", 0, Work.llm(100, 60), 0);
        assertEquals(new Step.LlmStep(0, 200, 2 * (100 * 101 / 2), 0, 0, 1, 0), b.plan(0, 0, listener));
        b.complete(1, 1, listener);
        // both decode from context 100 until the cache (260) is full: 30 iterations, no copy yet
        assertEquals(new Step.LlmStep(0, 0, 0, 2, 200, 30, 0), b.plan(0, 1, listener));
        b.complete(30, 2, listener);
        // b (last admitted) is swapped out with its 130 cached tokens; a runs on alone to its cap of 60 tokens
        assertEquals(new Step.LlmStep(0, 0, 0, 1, 130, 29, 130), b.plan(0, 2, listener));
        b.complete(29, 3, listener);
        // b is copied back (130 tokens) and resumes decoding where it stopped, without recomputing
        assertEquals(new Step.LlmStep(0, 0, 0, 1, 130, 29, 130), b.plan(0, 3, listener));
        b.complete(29, 4, listener);
        assertEquals(130, b.swappedOutTokens());
        assertEquals(130, b.swappedInTokens());
        assertEquals(1, b.preemptions());
        assertTrue(!b.hasWork());
    }

    @Test
    void recomputePreemptionCopiesNothing() {
        LlmBatcher b = new LlmBatcher(batching(2048, 8, true, Preemption.RECOMPUTE, 260), LlmPhase.FULL);
        b.enqueue("a", 0, Work.llm(100, 60), 0);
        b.enqueue("b", 0, Work.llm(100, 60), 0);
        long now = 0;
        while (b.hasWork()) {
            Step.LlmStep step = (Step.LlmStep) b.plan(0, now, listener);
            assertEquals(0, step.swapTokens());
            b.complete(step.iterations(), ++now, listener);
        }
        assertEquals(1, b.preemptions());
        assertEquals(0, b.swappedOutTokens() + b.swappedInTokens());
    }
}
