package org.cornserve.planner.schedule.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /** A test engine's look-ahead: which sequences generate their last token in the coming iteration. */
    private static final class Ends implements SequenceWatcher {
        final Map<Integer, Long> endIteration = new HashMap<>();
        final List<Integer> endingPrefills = new ArrayList<>();
        final Map<Object, Long> truth = new HashMap<>();

        @Override
        public void decoding(int sequence, Object owner, int node, long iteration, long generated) {
            endIteration.put(sequence, iteration + Math.max(1, truth.get(owner) - generated));
        }

        @Override
        public void stopped(int sequence) {
            endIteration.remove(sequence);
        }

        @Override
        public void prefillCompleting(int sequence, Object owner, int node, long generated) {
            if (truth.get(owner) <= generated + 1) {
                endingPrefills.add(sequence);
            }
        }

        SequenceEnds after(long iteration) {
            SequenceEnds e = new SequenceEnds();
            endIteration.forEach((seq, at) -> {
                if (at <= iteration) {
                    e.add(seq);
                }
            });
            endingPrefills.forEach(e::add);
            endingPrefills.clear();
            return e;
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118})
    void withEndFactsCapsAndCancellationItMatchesTheNaiveReference(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        LlmPhase phase = seed % 2 == 0 ? LlmPhase.FULL : LlmPhase.DECODE;
        Preemption preemption = new Preemption[] {Preemption.RECOMPUTE, Preemption.NONE, Preemption.SWAP}[(int) ((seed / 2) % 3)];
        int seqs = 1 + r.nextInt(16);
        int budget = seqs + r.nextInt(600);
        long kv = 600 + r.nextInt(3000);
        LlmBatching cfg = new LlmBatching(budget, seqs, r.nextInt(4) > 0, preemption, kv, 1);
        LlmBatcher fast = new LlmBatcher(cfg, phase);
        Ends ends = new Ends();
        fast.watch(ends);
        NaiveLlmBatcher naive = new NaiveLlmBatcher(cfg, phase);
        Calls fastCalls = new Calls();
        List<String> naiveCalls = new ArrayList<>();
        Map<String, Integer> handles = new HashMap<>();
        int id = 0;
        int cancelled = 0;
        for (int step = 0; step < 3000; step++) {
            int arrivals = r.nextInt(10) < 3 ? 1 + r.nextInt(3) : 0;
            for (int a = 0; a < arrivals && id < 300; a++) {
                long prompt = 1 + r.nextInt(400);
                long output = (phase == LlmPhase.DECODE ? 2 : 1) + r.nextInt(200);
                long cap = switch (r.nextInt(3)) {
                    case 0 -> Work.UNCAPPED;
                    case 1 -> output + r.nextInt(100);
                    default -> (phase == LlmPhase.DECODE ? 2 : 1) + r.nextInt(200);
                };
                Work w = Work.llm(prompt, cap);
                if (LlmBatcher.rejectReason(w, cfg, phase) != null) {
                    continue;
                }
                String owner = "r" + id++;
                ends.truth.put(owner, output);
                handles.put(owner, fast.enqueue(owner, 0, w, step));
                naive.enqueue(owner, w, output);
            }
            if (!handles.isEmpty() && r.nextInt(40) == 0) {
                String victim = handles.keySet().stream().sorted().findFirst().orElseThrow();
                fast.cancel(handles.remove(victim));
                naive.cancel(victim);
                cancelled++;
            }
            assertEquals(naive.hasWork(), fast.hasWork(), "step " + step);
            if (!fast.hasWork()) {
                continue;
            }
            Step.LlmStep expected = naive.plan(naiveCalls);
            Step got = fast.plan(0, step, fastCalls);
            assertEquals(expected, got, "seed " + seed + " step " + step);
            naive.complete(naiveCalls);
            fast.complete(1, ends.after(fast.iteration() + 1), step, fastCalls);
            assertEquals(sorted(naiveCalls), sorted(fastCalls.calls), "events of step " + step);
            for (String c : fastCalls.calls) {
                if (c.startsWith("done:")) {
                    handles.remove(c.substring(5));
                }
            }
            naiveCalls.clear();
            fastCalls.calls.clear();
        }
        if (!fast.hasWork()) {
            assertEquals(0, fast.kvUsedTokens(), "no KV left when idle");
        }
        System.out.printf("seed %d: %s %s chunked=%b, %d requests, %d cancelled, %d preemptions%n", seed, phase,
                preemption, cfg.chunkedPrefill(), id, cancelled, fast.preemptions());
    }

    private static List<String> sorted(List<String> calls) {
        List<String> copy = new ArrayList<>(calls);
        copy.sort(null);
        return copy;
    }
}
