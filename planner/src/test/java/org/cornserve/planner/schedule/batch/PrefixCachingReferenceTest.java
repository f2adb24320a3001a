package org.cornserve.planner.schedule.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cornserve.planner.schedule.graph.PromptBlocks;
import org.cornserve.planner.schedule.graph.Work;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link LlmBatcher} with prefix caching, stepping one iteration at a time, against
 * {@link NaivePrefixLlmBatcher} on 36 seeded random scenarios: prompts drawn from a few shared documents (pieces of
 * 1, 4, 16 or 512 tokens, some covering only part of the prompt), block sizes 1 to 16, small caches that evict and
 * preempt, all three preemption modes and phases. Every step, its events, the hit and recompute-hit tokens, the
 * evictions, preemptions, blocks in use and what a router would find cached must agree.
 */
class PrefixCachingReferenceTest {

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

    /** A prompt of {@code tokens} tokens: one of a few documents' leading pieces, then pieces unique to it. */
    static Work prompt(SplittableRandom r, long tokens, long cap, int unit) {
        int pieces = (int) ((tokens + unit - 1) / unit);
        if (r.nextInt(5) == 0) {
            pieces = r.nextInt(pieces + 1);
        }
        long[] ids = new long[pieces];
        int doc = r.nextInt(4);
        int shared = r.nextInt(pieces + 1);
        for (int k = 0; k < pieces; k++) {
            ids[k] = k < shared ? doc * 100_000L + k : r.nextLong();
        }
        return Work.llm(tokens, cap).withPromptBlocks(PromptBlocks.of(unit, ids));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
        26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36})
    void matchesTheNaiveBlockByBlockReference(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        LlmPhase phase = new LlmPhase[] {LlmPhase.FULL, LlmPhase.FULL, LlmPhase.PREFILL, LlmPhase.DECODE}[(int) (seed % 4)];
        Preemption preemption = new Preemption[] {Preemption.RECOMPUTE, Preemption.NONE, Preemption.SWAP}[(int) ((seed / 4) % 3)];
        int block = new int[] {1, 4, 16, 8}[r.nextInt(4)];
        int unit = new int[] {1, 4, 16, 512}[r.nextInt(4)];
        int seqs = 1 + r.nextInt(16);
        int budget = seqs + r.nextInt(600);
        long kv = 600 + r.nextInt(3000);
        LlmBatching cfg = new LlmBatching(budget, seqs, r.nextInt(4) > 0, preemption, kv, 1, block, true);
        LlmBatcher fast = new LlmBatcher(cfg, phase);
        NaivePrefixLlmBatcher naive = new NaivePrefixLlmBatcher(cfg, phase);
        List<Integer> endingPrefills = new ArrayList<>();
        java.util.Map<Integer, Long> endAt = new java.util.HashMap<>();
        java.util.Map<Object, Long> truth = new java.util.HashMap<>();
        fast.watch(new SequenceWatcher() {
            @Override
            public void decoding(int sequence, Object owner, int node, long iteration, long generated) {
                endAt.put(sequence, iteration + Math.max(1, truth.get(owner) - generated));
            }

            @Override
            public void stopped(int sequence) {
                endAt.remove(sequence);
            }

            @Override
            public void prefillCompleting(int sequence, Object owner, int node, long generated) {
                if (truth.get(owner) <= generated + 1) {
                    endingPrefills.add(sequence);
                }
            }
        });
        Calls fastCalls = new Calls();
        List<String> naiveCalls = new ArrayList<>();
        int id = 0;
        for (int step = 0; step < 3000; step++) {
            int arrivals = r.nextInt(10) < 3 ? 1 + r.nextInt(3) : 0;
            for (int a = 0; a < arrivals && id < 300; a++) {
                long output = (phase == LlmPhase.DECODE ? 2 : 1) + r.nextInt(200);
                long cap = r.nextBoolean() ? Work.UNCAPPED : output + r.nextInt(50);
                Work w = prompt(r, 1 + r.nextInt(400), cap, unit);
                if (LlmBatcher.rejectReason(w, cfg, phase) != null) {
                    continue;
                }
                String owner = "r" + id++;
                truth.put(owner, output);
                fast.enqueue(owner, 0, w, step);
                naive.enqueue(owner, w, output);
            }
            if (step % 5 == 0) {
                Work probe = prompt(r, 2 + r.nextInt(400), Work.UNCAPPED, unit);
                assertEquals(naive.cachedPrefixTokens(probe), fast.cachedPrefixTokens(probe), "probe at step " + step);
            }
            assertEquals(naive.hasWork(), fast.hasWork(), "step " + step);
            if (!fast.hasWork()) {
                continue;
            }
            Step.LlmStep expected = naive.plan(naiveCalls);
            Step got = fast.plan(0, step, fastCalls);
            assertEquals(expected, got, "seed " + seed + " step " + step);
            naive.complete(naiveCalls);
            SequenceEnds ends = new SequenceEnds();
            long next = fast.iteration() + 1;
            endAt.forEach((seq, at) -> {
                if (at <= next) {
                    ends.add(seq);
                }
            });
            endingPrefills.forEach(ends::add);
            endingPrefills.clear();
            fast.complete(1, ends, step, fastCalls);
            assertEquals(sorted(naiveCalls), sorted(fastCalls.calls), "events of step " + step);
            assertEquals(naive.hitTokens, fast.prefixHitTokens(), "hit tokens after step " + step);
            assertEquals(naive.queryTokens, fast.prefixQueryTokens(), "looked-up tokens after step " + step);
            assertEquals(naive.recomputeHitTokens, fast.recomputeHitTokens(), "recompute hits after step " + step);
            assertEquals(naive.evictions, fast.prefixEvictions(), "evictions after step " + step);
            assertEquals(naive.preemptions, fast.preemptions(), "preemptions after step " + step);
            assertEquals(naive.kvUsedTokens(), fast.kvUsedTokens(), "blocks in use after step " + step);
            naiveCalls.clear();
            fastCalls.calls.clear();
        }
        if (!fast.hasWork()) {
            assertEquals(0, fast.kvUsedTokens(), "no block held when idle");
        }
        System.out.printf("seed %d: %s %s block %d unit %d: %d requests, hits %d of %d tokens, %d recompute-hit tokens,"
                + " %d evictions, %d preemptions%n", seed, phase, preemption, block, unit, id, fast.prefixHitTokens(),
                fast.prefixQueryTokens(), fast.recomputeHitTokens(), fast.prefixEvictions(), fast.preemptions());
    }

    @Test
    void aRepeatedPromptSkipsItsCachedBlocksButTheLastToken() {
        LlmBatching cfg = new LlmBatching(4096, 8, true, Preemption.RECOMPUTE, 1600, 1, 16, true);
        LlmBatcher b = new LlmBatcher(cfg, LlmPhase.FULL);
        RecordingListener l = new RecordingListener();
        Work w = Work.llm(100, 1).withPromptBlocks(PromptBlocks.of(512, 7));
        b.enqueue("a", 0, w, 0);
        assertEquals(100, ((Step.LlmStep) b.plan(0, 0, l)).prefillTokens());
        b.complete(1, 1, l);
        assertEquals(96, b.cachedPrefixTokens(w), "six full blocks of 16 stay cached after a finishes");
        b.enqueue("b", 0, w, 2);
        Step.LlmStep s = (Step.LlmStep) b.plan(0, 2, l);
        assertEquals(4, s.prefillTokens(), "only the tokens past the cached blocks are computed");
        assertEquals(4 * 96 + 10, s.prefillContextTokens(), "their context still counts the cached tokens");
        b.complete(1, 3, l);
        assertEquals(96, b.prefixHitTokens());
        assertEquals(200, b.prefixQueryTokens());
        Work exact = Work.llm(96, 1).withPromptBlocks(PromptBlocks.of(512, 7));
        assertEquals(80, b.cachedPrefixTokens(exact), "a prompt of whole blocks recomputes its last block");
        assertTrue(b.kvUsedTokens() == 0);
    }

    private static List<String> sorted(List<String> calls) {
        List<String> copy = new ArrayList<>(calls);
        copy.sort(null);
        return copy;
    }
}
