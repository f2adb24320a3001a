package org.cornserve.planner.schedule.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cornserve.planner.schedule.graph.Work;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link LlmBatcher} stepping one iteration at a time against {@link NaiveLlmBatcher} on 30 seeded random
 * scenarios (arrivals between iterations, small caches that force preemption, with and without chunked prefill,
 * all three phases): every step and the multiset of events each step reports must be equal.
 */
class LlmBatcherReferenceTest {

    private static final class Calls implements InvocationListener {
        final List<String> calls = new ArrayList<>();

        @Override
        public void started(Object owner, int node, long nowNanos) {
            calls.add("start:" + owner);
        }

        @Override
        public void firstOutput(Object owner, int node, long nowNanos) {
            calls.add("first:" + owner);
        }

        @Override
        public void finished(Object owner, int node, long nowNanos) {
            calls.add("done:" + owner);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
        26, 27, 28, 29, 30})
    void matchesTheNaiveReference(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        LlmPhase phase = LlmPhase.values()[(int) (seed % 3)];
        Preemption preemption = new Preemption[] {Preemption.RECOMPUTE, Preemption.NONE, Preemption.SWAP}[(int) ((seed / 3) % 3)];
        int seqs = 1 + r.nextInt(16);
        int budget = seqs + r.nextInt(600);
        long kv = 600 + r.nextInt(3000);
        LlmBatching cfg = new LlmBatching(budget, seqs, r.nextInt(4) > 0, preemption, kv, 1);
        LlmBatcher fast = new LlmBatcher(cfg, phase);
        NaiveLlmBatcher naive = new NaiveLlmBatcher(cfg, phase);
        Calls fastCalls = new Calls();
        List<String> naiveCalls = new ArrayList<>();
        int id = 0;
        for (int step = 0; step < 3000; step++) {
            int arrivals = r.nextInt(10) < 3 ? 1 + r.nextInt(3) : 0;
            for (int a = 0; a < arrivals && id < 300; a++) {
                long prompt = 1 + r.nextInt(400);
                long output = 1 + r.nextInt(200);
                Work w = Work.llm(prompt, output);
                if (LlmBatcher.rejectReason(w, cfg, phase) != null) {
                    continue;
                }
                String owner = "r" + id++;
                fast.enqueue(owner, 0, w, step);
                naive.enqueue(owner, w);
            }
            assertEquals(naive.hasWork(), fast.hasWork(), "step " + step);
            if (!fast.hasWork()) {
                continue;
            }
            Step.LlmStep expected = naive.plan(naiveCalls);
            Step got = fast.plan(0, step, fastCalls);
            assertEquals(expected, got, "seed " + seed + " step " + step);
            naive.complete(naiveCalls);
            fast.complete(1, step, fastCalls);
            assertEquals(sorted(naiveCalls), sorted(fastCalls.calls), "events of step " + step);
            naiveCalls.clear();
            fastCalls.calls.clear();
        }
        System.out.printf("seed %d: %s %s chunked=%b, %d requests, %d preemptions%n", seed, phase, preemption,
                cfg.chunkedPrefill(), id, fast.preemptions());
    }

    private static List<String> sorted(List<String> calls) {
        List<String> copy = new ArrayList<>(calls);
        copy.sort(null);
        return copy;
    }
}
