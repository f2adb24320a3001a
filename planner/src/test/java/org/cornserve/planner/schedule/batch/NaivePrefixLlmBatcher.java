package org.cornserve.planner.schedule.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import org.cornserve.planner.schedule.graph.PromptBlocks;
import org.cornserve.planner.schedule.graph.Work;

/**
 * A deliberately plain reference for {@link LlmBatcher} with prefix caching: one object per sequence and per
 * block, one iteration per step, a linked list as the free queue, and a block's cache key the whole list of token
 * contents up to its end (no hashing): token {@code t} of a prompt is (piece id, offset) where the prompt's
 * {@link PromptBlocks} cover the whole block, else unique to its sequence, as are generated tokens. Decode blocks
 * are registered the moment they fill. Same policy as the batcher, written the obvious way.
 */
final class NaivePrefixLlmBatcher {

    record Tok(long id, long offset, long salt) {
    }

    /** A block's cache key: every token content up to its end (its hash code computed once). */
    record Key(List<Tok> tokens, int hash) {
        Key(List<Tok> tokens) {
            this(tokens, tokens.hashCode());
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.tokens.equals(tokens);
        }
    }

    static final class Block {
        int refs;
        Key key;
    }

    static final class Seq {
        final Object owner;
        final Work work;
        final long salt;
        long toPrefill;
        long prefilled;
        long context;
        long generated;
        final long output;
        long trueOutput = Long.MAX_VALUE;
        boolean decoding;
        boolean first;
        boolean started;
        boolean swapped;
        boolean recomputing;
        long admitted;
        int registered;
        final List<Block> blocks = new ArrayList<>();
        final List<Key> keys = new ArrayList<>();

        Seq(Object owner, Work work, long salt, long toPrefill, long context, long generated, long output) {
            this.owner = owner;
            this.work = work;
            this.salt = salt;
            this.toPrefill = toPrefill;
            this.context = context;
            this.generated = generated;
            this.output = output;
        }
    }

    private final LlmBatching cfg;
    private final LlmPhase phase;
    private final int bs;
    private final Deque<Seq> waiting = new ArrayDeque<>();
    private final List<Seq> running = new ArrayList<>();
    private final List<Seq> planned = new ArrayList<>();
    private final List<Long> chunks = new ArrayList<>();
    private final LinkedList<Block> free = new LinkedList<>();
    private final Map<Key, Block> cache = new HashMap<>();
    private long salts;
    private long admissions;
    long queryTokens;
    long hitTokens;
    long recomputeHitTokens;
    long evictions;
    long preemptions;

    NaivePrefixLlmBatcher(LlmBatching cfg, LlmPhase phase) {
        this.cfg = cfg;
        this.phase = phase;
        this.bs = cfg.blockSize();
        for (long b = 0; b < cfg.kvCapacityBlocks(); b++) {
            free.add(new Block());
        }
    }

    void enqueue(Object owner, Work work, long trueOutput) {
        Seq s;
        if (phase == LlmPhase.DECODE) {
            s = new Seq(owner, work, salts++, 0, work.tokens(), 1, LlmBatcher.effectiveCap(work, cfg, phase));
            s.first = true;
        } else {
            s = new Seq(owner, work, salts++, work.tokens(), 0, 0, LlmBatcher.effectiveCap(work, cfg, phase));
        }
        s.trueOutput = trueOutput;
        waiting.addLast(s);
    }

    boolean hasWork() {
        return !waiting.isEmpty() || !running.isEmpty();
    }

    long kvUsedTokens() {
        return (cfg.kvCapacityBlocks() - free.size()) * bs;
    }

    /** Token {@code t} of a sequence's token stream (prompt, then generated). */
    private Tok token(Work work, long salt, long t) {
        PromptBlocks p = work.promptBlocks();
        long known = Math.min(work.tokens(), p.coveredTokens());
        long blockEnd = (t / bs + 1) * bs;
        if (blockEnd <= known) {
            int u = p.unitTokens();
            return new Tok(p.id((int) (t / u)), t % u, -1);
        }
        return new Tok(0, t, salt);
    }

    private Key key(Work work, long salt, int block) {
        List<Tok> k = new ArrayList<>();
        for (long t = 0; t < (long) (block + 1) * bs; t++) {
            k.add(token(work, salt, t));
        }
        return new Key(k);
    }

    /** The key of block {@code j} of sequence {@code s}, built once per sequence. */
    private Key key(Seq s, int j) {
        while (s.keys.size() <= j) {
            s.keys.add(key(s.work, s.salt, s.keys.size()));
        }
        return s.keys.get(j);
    }

    /** Cached leading blocks of a new sequence of this work (as a router asks). */
    long cachedPrefixTokens(Work work) {
        if (work.tokens() < 2) {
            return 0;
        }
        int hits = 0;
        while (hits < (work.tokens() - 1) / bs && cache.containsKey(key(work, -2, hits))) {
            hits++;
        }
        return (long) hits * bs;
    }

    private Block allocate() {
        Block b = free.removeFirst();
        if (b.key != null) {
            cache.remove(b.key);
            b.key = null;
            evictions++;
        }
        b.refs = 1;
        return b;
    }

    /** Registers the sequence's newly full blocks (once each: a block found cached by another is left out). */
    private void register(Seq s, long tokens) {
        for (int j = s.registered; j < Math.min(tokens / bs, s.blocks.size()); j++) {
            s.registered = j + 1;
            Block b = s.blocks.get(j);
            if (b.key == null) {
                Key k = key(s, j);
                if (!cache.containsKey(k)) {
                    cache.put(k, b);
                    b.key = k;
                }
            }
        }
    }

    private void release(Seq s) {
        for (int j = s.blocks.size() - 1; j >= 0; j--) {
            Block b = s.blocks.get(j);
            if (--b.refs == 0) {
                free.addLast(b);
            }
        }
        s.blocks.clear();
        s.registered = 0;
    }

    private boolean recompute() {
        return cfg.preemption() != Preemption.NONE;
    }

    private long decodingCount() {
        return running.stream().filter(s -> s.decoding).count();
    }

    private long growthNow() {
        return running.stream().filter(s -> s.decoding && s.context % bs == 0).count();
    }

    private long need(Seq s) {
        long cached = s.toPrefill > 0 ? s.toPrefill : s.context;
        return recompute() ? cached : cached + (s.output - s.generated);
    }

    private long swap;

    Step.LlmStep plan(List<String> calls) {
        if (recompute()) {
            while (decodingCount() > 0 && growthNow() > free.size()) {
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
                victim.recomputing = true;
                release(victim);
                waiting.addFirst(victim);
                preemptions++;
            }
            for (Seq s : running) {
                if (s.decoding && s.context % bs == 0) {
                    s.blocks.add(allocate());
                }
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
            register(s, s.prefilled + chunk);
            prefillTokens += chunk;
            budget -= chunk;
            planned.add(s);
            chunks.add(chunk);
        }
        while (!waiting.isEmpty() && running.size() < cfg.maxNumSeqs() && budget > 0) {
            Seq s = waiting.peekFirst();
            List<Block> hit = new ArrayList<>();
            if (s.toPrefill > 0) {
                for (int j = 0; j < (s.toPrefill - 1) / bs; j++) {
                    Block b = cache.get(key(s, j));
                    if (b == null) {
                        break;
                    }
                    hit.add(b);
                }
            }
            long hitFree = hit.stream().filter(b -> b.refs == 0).count();
            long newBlocks = (need(s) + bs - 1) / bs - hit.size();
            long growth = recompute() && s.toPrefill == 0 && s.context % bs == 0 ? 1 : 0;
            if (free.size() - hitFree < newBlocks + growth) {
                break;
            }
            long skip = (long) hit.size() * bs;
            long chunk = cfg.chunkedPrefill() ? Math.min(s.toPrefill - skip, budget) : s.toPrefill - skip;
            if (s.toPrefill > 0 && !cfg.chunkedPrefill() && chunk > budget && (!planned.isEmpty() || decodingCount() > 0)) {
                break;
            }
            waiting.pollFirst();
            for (Block b : hit) {
                if (b.refs++ == 0) {
                    free.remove(b);
                }
                s.blocks.add(b);
            }
            for (long j = 0; j < newBlocks; j++) {
                s.blocks.add(allocate());
            }
            s.registered = hit.size();
            if (s.toPrefill > 0 && !s.recomputing) {
                queryTokens += s.toPrefill;
                hitTokens += skip;
            } else {
                recomputeHitTokens += skip;
            }
            s.admitted = admissions++;
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
                register(s, s.context);
                if (growth > 0) {
                    s.blocks.add(allocate());
                }
                s.decoding = true;
                budget--;
                continue;
            }
            s.prefilled = skip;
            for (long p = skip + 1; p <= skip + chunk; p++) {
                prefillContext += p;
            }
            register(s, skip + chunk);
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

    private static boolean ends(Seq s) {
        return s.generated >= s.output || s.generated >= s.trueOutput;
    }

    void complete(List<String> calls) {
        List<Seq> ended = new ArrayList<>();
        for (Seq s : new ArrayList<>(running)) {
            if (!s.decoding) {
                continue;
            }
            s.context++;
            s.generated++;
            register(s, s.context);
            if (ends(s)) {
                running.remove(s);
                ended.add(s);
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
                ended.add(s);
                calls.add("done:" + s.owner);
            } else {
                s.decoding = true;
            }
        }
        ended.sort(java.util.Comparator.comparingLong(s -> s.admitted));
        ended.forEach(this::release);
    }
}
