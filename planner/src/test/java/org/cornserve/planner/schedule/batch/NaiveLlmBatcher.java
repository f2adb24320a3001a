package org.cornserve.planner.schedule.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.cornserve.planner.schedule.graph.Work;

/**
 * A deliberately plain reference for {@link LlmBatcher}: one object per sequence, lists, and one iteration per
 * step with per-sequence loops (no aggregates, no heap, no fast path). Same policy, written the obvious way.
 */
final class NaiveLlmBatcher {
    static final class Seq {
        final Object owner;
        long toPrefill;
        long prefilled;
        long kv;
        long context;
        long generated;
        final long output;
        long trueOutput = Long.MAX_VALUE;
        boolean decoding;
        boolean first;
        boolean started;
        boolean swapped;

        Seq(Object owner, long toPrefill, long context, long generated, long output) {
            this.owner = owner;
            this.toPrefill = toPrefill;
            this.context = context;
            this.generated = generated;
            this.output = output;
        }
    }

    private final LlmBatching cfg;
    private final LlmPhase phase;
    private final Deque<Seq> waiting = new ArrayDeque<>();
    private final List<Seq> running = new ArrayList<>();
    private final List<Seq> planned = new ArrayList<>();
    private final List<Long> chunks = new ArrayList<>();

    NaiveLlmBatcher(LlmBatching cfg, LlmPhase phase) {
        this.cfg = cfg;
        this.phase = phase;
    }

    void enqueue(Object owner, Work work) {
        if (phase == LlmPhase.DECODE) {
            Seq s = new Seq(owner, 0, work.tokens(), 1, LlmBatcher.effectiveCap(work, cfg, phase));
            s.first = true;
            waiting.addLast(s);
        } else {
            waiting.addLast(new Seq(owner, work.tokens(), 0, 0,
                    LlmBatcher.effectiveCap(work, cfg, phase)));
        }
    }

    /** Enqueues a sequence that, by the engine, ends after {@code trueOutput} tokens (or at its cap, if lower). */
    void enqueue(Object owner, Work work, long trueOutput) {
        enqueue(owner, work);
        waiting.peekLast().trueOutput = trueOutput;
    }

    /** Drops a queued or running sequence (no step is in flight between complete and plan). */
    void cancel(Object owner) {
        waiting.removeIf(s -> s.owner.equals(owner));
        running.removeIf(s -> s.owner.equals(owner));
    }

    private static boolean ends(Seq s) {
        return s.generated >= s.output || s.generated >= s.trueOutput;
    }

    boolean hasWork() {
        return !waiting.isEmpty() || !running.isEmpty();
    }

    private boolean recompute() {
        return cfg.preemption() != Preemption.NONE;
    }

    private long kvUsed() {
        long sum = 0;
        for (Seq s : running) {
            sum += s.kv;
        }
        return sum;
    }

    private long decodingCount() {
        return running.stream().filter(s -> s.decoding).count();
    }

    private long need(Seq s) {
        long cached = s.toPrefill > 0 ? s.toPrefill : s.context;
        return recompute() ? cached : cached + (s.output - s.generated);
    }

    private long swap;

    Step.LlmStep plan(List<String> calls) {
        if (recompute()) {
            while (decodingCount() > 0 && kvUsed() + decodingCount() > cfg.kvCapacityTokens()) {
                Seq victim = running.remove(running.size() - 1);
                if (victim.decoding && cfg.preemption() == Preemption.RECOMPUTE) {
                    victim.toPrefill = victim.context;
                }
                if (victim.decoding && cfg.preemption() == Preemption.SWAP) {
                    victim.swapped = true;
                    swap += victim.context;
                }
                victim.decoding = false;
                victim.prefilled = 0;
                victim.kv = 0;
                waiting.addFirst(victim);
            }
        }
        planned.clear();
        chunks.clear();
        long budget = cfg.maxNumBatchedTokens() - decodingCount();
        long prefillTokens = 0;
        long prefillContext = 0;
        for (Seq s : running) {
            if (s.decoding || budget <= 0) {
                continue;
            }
            long rem = s.toPrefill - s.prefilled;
            long chunk = cfg.chunkedPrefill() ? Math.min(rem, budget) : rem;
            if (!cfg.chunkedPrefill() && chunk > budget && !planned.isEmpty()) {
                continue;
            }
            for (long p = s.prefilled + 1; p <= s.prefilled + chunk; p++) {
                prefillContext += p;
            }
            prefillTokens += chunk;
            budget -= chunk;
            planned.add(s);
            chunks.add(chunk);
        }
        while (!waiting.isEmpty() && running.size() < cfg.maxNumSeqs() && budget > 0) {
            Seq s = waiting.peekFirst();
            long growth = recompute() ? decodingCount() + (s.toPrefill == 0 ? 1 : 0) : 0;
            if (kvUsed() + need(s) + growth > cfg.kvCapacityTokens()) {
                break;
            }
            long chunk = cfg.chunkedPrefill() ? Math.min(s.toPrefill, budget) : s.toPrefill;
            if (s.toPrefill > 0 && !cfg.chunkedPrefill() && chunk > budget && (!planned.isEmpty() || decodingCount() > 0)) {
                break;
            }
            waiting.pollFirst();
            s.kv = need(s);
            running.add(s);
            if (!s.started) {
                s.started = true;
                calls.add("start:" + s.owner);
            }
            if (s.swapped) {
                s.swapped = false;
                swap += s.context;
            }
            if (s.toPrefill == 0) {
                s.decoding = true;
                budget--;
                continue;
            }
            for (long p = 1; p <= chunk; p++) {
                prefillContext += p;
            }
            prefillTokens += chunk;
            budget -= chunk;
            planned.add(s);
            chunks.add(chunk);
        }
        long context = 0;
        for (Seq s : running) {
            if (s.decoding) {
                context += s.context;
            }
        }
        long copied = swap;
        swap = 0;
        return new Step.LlmStep(0, prefillTokens, prefillContext, (int) decodingCount(), context, 1, copied);
    }

    void complete(List<String> calls) {
        for (Seq s : new ArrayList<>(running)) {
            if (!s.decoding) {
                continue;
            }
            s.context++;
            s.generated++;
            if (recompute()) {
                s.kv++;
            }
            if (ends(s)) {
                running.remove(s);
                calls.add("done:" + s.owner);
            }
        }
        for (int i = 0; i < planned.size(); i++) {
            Seq s = planned.get(i);
            s.prefilled += chunks.get(i);
            if (s.prefilled < s.toPrefill) {
                continue;
            }
            s.generated++;
            s.context = s.toPrefill;
            s.toPrefill = 0;
            if (!s.first) {
                s.first = true;
                calls.add("first:" + s.owner);
            }
            if (ends(s)) {
                running.remove(s);
                calls.add("done:" + s.owner);
            } else {
                s.decoding = true;
            }
        }
    }
}
