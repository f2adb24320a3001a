package org.cornserve.planner.schedule.batch;

import java.util.Arrays;
import org.cornserve.planner.schedule.graph.Work;

/**
 * Continuous batching of an LLM replica with chunked prefill and a finite KV cache, after vLLM's scheduler.
 *
 * <p>Each iteration: every decoding sequence takes one token of the budget and one more cache slot; then
 * running prefills continue (in admission order), then waiting sequences are admitted first come first served
 * while the budget, {@code max_num_seqs} and the cache allow (the queue head blocks the rest). Admission
 * allocates the prompt's cache (and, without preemption, the whole output's too). When decode growth would
 * overflow the cache, the most recently admitted running sequence is preempted: its cache is freed and it goes
 * back to the head of the queue to recompute prompt plus generated tokens, as vLLM's recompute mode does. A
 * prefill that completes produces the sequence's next token (its first, the first time). With swap preemption a
 * preempted decoding sequence keeps its cache contents (in host memory) and resumes decoding when readmitted.
 * Cache is counted in tokens, not blocks.
 *
 * <p>No oracle: the batcher knows a sequence's prompt, the tokens it generated so far and its cap, never its
 * true length. The cap is the request's {@code max_tokens} (a request whose prompt plus cap cannot fit the cache is
 * refused), or for a request without one the room its prompt leaves in the cache (as a live engine defaults it to
 * the model length); without preemption admission reserves the cache up to that cap. A sequence ends at its cap, or when the engine reports that it ended ({@link SequenceEnds}:
 * end-of-sequence, a stop string) with the step that generated its last token.
 *
 * <p>Decode fast path: decoding sequences are kept as aggregates (count, sum of context at join, sum of join
 * iterations) plus a min-heap of the iteration at which each reaches its cap, against a replica-wide iteration
 * counter. When nothing is prefilling and nobody waiting can join, the plan is a run of as many pure-decode
 * iterations as pass before the next batch change the batcher can know of (a sequence at its cap, the cache
 * filling up), bounded by {@link LlmBatching#maxRunIterations()}; no per-token work is done. The engine stops a
 * run early where a sequence ends (a simulated engine finds that iteration through a {@link SequenceWatcher}) or
 * new work arrived, and reports the iterations it performed.
 *
 * <p>Costs: plan and complete are O(changes x log running) plus O(prefilling sequences).
 */
public final class LlmBatcher implements TaskBatcher {
    private static final byte WAITING = 0;
    private static final byte PREFILLING = 1;
    private static final byte DECODING = 2;

    private final LlmBatching cfg;
    private final LlmPhase phase;
    private final boolean growing;
    private final boolean swap;
    private final SlotPool pool = new SlotPool();
    private final IntDeque waiting = new IntDeque();
    private final IndexedMinHeap finishing = new IndexedMinHeap();
    private final IntDeque dropLater = new IntDeque();
    private SequenceWatcher watcher = SequenceWatcher.NONE;

    private Object[] owner = new Object[16];
    private int[] node = new int[16];
    private byte[] state = new byte[16];
    private boolean[] firstDone = new boolean[16];
    private boolean[] startReported = new boolean[16];
    private long[] target = new long[16];
    private long[] prefilled = new long[16];
    private long[] alloc = new long[16];
    private long[] cap = new long[16];
    private boolean[] endFact = new boolean[16];
    private boolean[] dropped = new boolean[16];
    private long[] generated = new long[16];
    private long[] ctxJoin = new long[16];
    private long[] joinIter = new long[16];
    private final AdmissionOrder runningOrder = new AdmissionOrder();

    private int[] prefilling = new int[16];
    private int prefillingCount;
    private int[] plannedSlot = new int[16];
    private long[] plannedChunk = new long[16];
    private int plannedCount;
    private long plannedIterations;

    private long iteration;
    private int decoding;
    private long ctxJoinSum;
    private long joinIterSum;
    private long kvAllocated;
    private int outstanding;
    private long preemptions;

    public LlmBatcher(LlmBatching batching, LlmPhase phase) {
        this.cfg = batching;
        this.phase = phase;
        this.growing = batching.preemption() != Preemption.NONE;
        this.swap = batching.preemption() == Preemption.SWAP;
    }

    /** Has the engine send {@link SequenceWatcher} calls to {@code watcher} (a simulated engine's look-ahead). */
    public void watch(SequenceWatcher watcher) {
        this.watcher = watcher == null ? SequenceWatcher.NONE : watcher;
    }

    /** Engine iterations performed so far (the clock of {@link SequenceWatcher}). */
    public long iteration() {
        return iteration;
    }

    /**
     * The most tokens a sequence of this work may generate in all on a replica with these settings: its
     * {@code max_tokens} cap, or, for a request without one ({@link Work#UNCAPPED}), what its KV room allows (as a
     * live engine defaults {@code max_tokens} to the model length left after the prompt); 1 for a prefill-only task.
     */
    public static long effectiveCap(Work work, LlmBatching batching, LlmPhase phase) {
        if (phase == LlmPhase.PREFILL) {
            return 1;
        }
        return work.maxTokens() == Work.UNCAPPED ? batching.kvCapacityTokens() - work.tokens() : work.maxTokens();
    }

    /**
     * Why an invocation can never run on a replica with these settings (its prompt plus its cap exceeds the KV
     * cache, as a live engine refuses a {@code max_tokens} that cannot fit; or a decode-phase invocation may not
     * decode), or null when it can. Decided from the prompt and the cap only.
     */
    public static String rejectReason(Work work, LlmBatching batching, LlmPhase phase) {
        long cap = effectiveCap(work, batching, phase);
        if (phase == LlmPhase.DECODE && cap < 2) {
            return "a decode-phase invocation needs max_tokens of at least 2 in all (the first comes from prefill), got "
                    + cap;
        }
        if (cap < 1 || work.tokens() + cap > batching.kvCapacityTokens()) {
            return "sequence of " + work.tokens() + " prompt + " + Math.max(1, cap)
                    + " output tokens exceeds the KV cache of " + batching.kvCapacityTokens() + " tokens";
        }
        return null;
    }

    @Override
    public int enqueue(Object owner, int node, Work work, long nowNanos) {
        String why = rejectReason(work, cfg, phase);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        int s = pool.acquire();
        ensure(s);
        this.owner[s] = owner;
        this.node[s] = node;
        state[s] = WAITING;
        firstDone[s] = phase == LlmPhase.DECODE;
        startReported[s] = false;
        prefilled[s] = 0;
        alloc[s] = 0;
        endFact[s] = false;
        dropped[s] = false;
        cap[s] = effectiveCap(work, cfg, phase);
        if (phase == LlmPhase.DECODE) {
            ctxJoin[s] = work.tokens();
            target[s] = 0;
            generated[s] = 1;
        } else {
            target[s] = work.tokens();
            generated[s] = 0;
        }
        waiting.addLast(s);
        outstanding++;
        return s;
    }

    @Override
    public void cancel(int handle) {
        if (handle < 0 || handle >= owner.length || owner[handle] == null || dropped[handle]) {
            throw new IllegalArgumentException("no sequence with handle " + handle + " is queued or running");
        }
        int s = handle;
        if (state[s] == WAITING) {
            waiting.remove(s);
            release(s);
        } else if (plannedIterations != 0) {
            dropped[s] = true;
            dropLater.addLast(s);
        } else {
            unlinkFromBatch(s);
            release(s);
        }
    }

    /** Takes a running sequence out of the batch and frees its cache. */
    private void unlinkFromBatch(int s) {
        if (state[s] == DECODING) {
            leaveDecode(s);
        } else {
            removePrefilling(s);
        }
        unlinkRunning(s);
        state[s] = WAITING;
    }

    private void release(int s) {
        owner[s] = null;
        dropped[s] = false;
        endFact[s] = false;
        outstanding--;
        pool.release(s);
    }

    @Override
    public boolean hasWork() {
        return outstanding > 0;
    }

    @Override
    public long readyAtNanos(long nowNanos) {
        return outstanding > 0 ? nowNanos : Long.MAX_VALUE;
    }

    /** KV tokens in use now: allocations plus (with preemption enabled) one slot per decoded token since joining. */
    public long kvUsedTokens() {
        return kvAllocated + (growing ? (long) decoding * iteration - joinIterSum : 0);
    }

    private long decodeContextSum() {
        return ctxJoinSum + (long) decoding * iteration - joinIterSum;
    }

    /** The KV allocation admitting {@code s} needs. */
    private long admitAllocation(int s) {
        long cached = target[s] > 0 ? target[s] : ctxJoin[s];
        return growing ? cached : cached + (cap[s] - generated[s]);
    }

    @Override
    public Step plan(int taskIndex, long nowNanos, InvocationListener listener) {
        if (plannedIterations != 0) {
            throw new IllegalStateException("an LLM step is already in flight");
        }
        if (growing) {
            while (decoding > 0 && kvUsedTokens() + decoding > cfg.kvCapacityTokens()) {
                preempt(runningOrder.last());
            }
        }
        plannedCount = 0;
        long budget = (long) cfg.maxNumBatchedTokens() - decoding;
        long prefillTokens = 0;
        long prefillContext = 0;
        for (int i = 0; i < prefillingCount && budget > 0; i++) {
            int s = prefilling[i];
            long rem = target[s] - prefilled[s];
            long chunk = cfg.chunkedPrefill() ? Math.min(rem, budget) : rem;
            if (!cfg.chunkedPrefill() && chunk > budget && plannedCount > 0) {
                continue;
            }
            prefillContext += chunk * prefilled[s] + chunk * (chunk + 1) / 2;
            prefillTokens += chunk;
            budget -= chunk;
            addPlanned(s, chunk);
        }
        while (!waiting.isEmpty() && runningOrder.size() < cfg.maxNumSeqs() && budget > 0) {
            int s = waiting.peekFirst();
            long need = admitAllocation(s);
            long growth = growing ? decoding + (target[s] == 0 ? 1 : 0) : 0;
            if (kvUsedTokens() + need + growth > cfg.kvCapacityTokens()) {
                break;
            }
            if (target[s] == 0) {
                waiting.pollFirst();
                admit(s, need, nowNanos, listener);
                joinDecode(s);
                budget--;
                continue;
            }
            long chunk = cfg.chunkedPrefill() ? Math.min(target[s], budget) : target[s];
            if (!cfg.chunkedPrefill() && chunk > budget && (plannedCount > 0 || decoding > 0)) {
                break;
            }
            waiting.pollFirst();
            admit(s, need, nowNanos, listener);
            state[s] = PREFILLING;
            if (prefillingCount == prefilling.length) {
                prefilling = Arrays.copyOf(prefilling, prefillingCount * 2);
            }
            prefilling[prefillingCount++] = s;
            prefillContext += chunk * (chunk + 1) / 2;
            prefillTokens += chunk;
            budget -= chunk;
            addPlanned(s, chunk);
        }
        if (plannedCount == 0 && decoding == 0) {
            throw new IllegalStateException("LLM batcher has work but could plan nothing: " + waiting.size()
                    + " waiting, KV used " + kvUsedTokens() + " of " + cfg.kvCapacityTokens());
        }
        long iterations = 1;
        if (plannedCount == 0) {
            iterations = Math.min(cfg.maxRunIterations(), finishing.peekKey() - iteration);
            if (growing) {
                iterations = Math.min(iterations, (cfg.kvCapacityTokens() - kvUsedTokens()) / decoding);
            }
            iterations = Math.max(1, iterations);
        }
        plannedIterations = iterations;
        return new Step.LlmStep(taskIndex, prefillTokens, prefillContext, decoding, decodeContextSum(), iterations);
    }

    private void addPlanned(int s, long chunk) {
        if (plannedCount == plannedSlot.length) {
            plannedSlot = Arrays.copyOf(plannedSlot, plannedCount * 2);
            plannedChunk = Arrays.copyOf(plannedChunk, plannedCount * 2);
        }
        plannedSlot[plannedCount] = s;
        plannedChunk[plannedCount] = chunk;
        plannedCount++;
        if (prefilled[s] + chunk >= target[s]) {
            watcher.prefillCompleting(s, owner[s], node[s], generated[s]);
        }
    }

    private void admit(int s, long allocation, long nowNanos, InvocationListener listener) {
        alloc[s] = allocation;
        kvAllocated += allocation;
        runningOrder.append(s);
        if (!startReported[s]) {
            startReported[s] = true;
            listener.started(owner[s], node[s], nowNanos);
        }
    }

    private void joinDecode(int s) {
        state[s] = DECODING;
        joinIter[s] = iteration;
        decoding++;
        ctxJoinSum += ctxJoin[s];
        joinIterSum += iteration;
        finishing.add(s, iteration + cap[s] - generated[s]);
        watcher.decoding(s, owner[s], node[s], iteration, generated[s]);
    }

    /** Removes {@code s} from the decode aggregates, bringing its generated count and context up to date. */
    private void leaveDecode(int s) {
        long advanced = iteration - joinIter[s];
        generated[s] += advanced;
        ctxJoin[s] += advanced;
        decoding--;
        ctxJoinSum -= ctxJoin[s] - advanced;
        joinIterSum -= joinIter[s];
        finishing.remove(s);
        watcher.stopped(s);
    }

    private void unlinkRunning(int s) {
        runningOrder.remove(s);
        kvAllocated -= alloc[s];
        alloc[s] = 0;
    }

    private void removePrefilling(int s) {
        for (int i = 0; i < prefillingCount; i++) {
            if (prefilling[i] == s) {
                System.arraycopy(prefilling, i + 1, prefilling, i, prefillingCount - i - 1);
                prefillingCount--;
                return;
            }
        }
        throw new IllegalStateException("sequence " + s + " is not prefilling");
    }

    private void preempt(int s) {
        if (state[s] == DECODING) {
            leaveDecode(s);
            target[s] = swap ? 0 : ctxJoin[s];
        } else {
            removePrefilling(s);
        }
        prefilled[s] = 0;
        unlinkRunning(s);
        state[s] = WAITING;
        waiting.addFirst(s);
        preemptions++;
    }

    @Override
    public void complete(long iterations, SequenceEnds ended, long nowNanos, InvocationListener listener) {
        if (iterations < 1 || iterations > plannedIterations) {
            throw new IllegalStateException("completed " + iterations + " iterations of a step planned for "
                    + plannedIterations);
        }
        for (int i = 0; i < ended.count(); i++) {
            int s = ended.sequence(i);
            if (s >= owner.length || owner[s] == null || !generatesIn(s)) {
                for (int j = 0; j < i; j++) {
                    endFact[ended.sequence(j)] = false;
                }
                throw new IllegalArgumentException("sequence " + s + " is reported ended but generated no token in"
                        + " this step");
            }
            endFact[s] = !dropped[s];
        }
        plannedIterations = 0;
        iteration += iterations;
        for (int i = 0; i < dropLater.size(); i++) {
            unlinkFromBatch(dropLater.get(i));
        }
        for (int i = 0; i < ended.count(); i++) {
            int s = ended.sequence(i);
            if (endFact[s] && state[s] == DECODING) {
                leaveDecode(s);
                finish(s, nowNanos, listener);
            }
        }
        while (!finishing.isEmpty() && finishing.peekKey() <= iteration) {
            int s = finishing.peek();
            leaveDecode(s);
            finish(s, nowNanos, listener);
        }
        int count = plannedCount;
        plannedCount = 0;
        for (int i = 0; i < count; i++) {
            int s = plannedSlot[i];
            if (dropped[s]) {
                continue;
            }
            prefilled[s] += plannedChunk[i];
            if (prefilled[s] < target[s]) {
                continue;
            }
            removePrefilling(s);
            generated[s]++;
            ctxJoin[s] = target[s];
            target[s] = 0;
            if (!firstDone[s]) {
                firstDone[s] = true;
                listener.firstOutput(owner[s], node[s], nowNanos);
            }
            if (endFact[s] || generated[s] >= cap[s]) {
                finish(s, nowNanos, listener);
            } else {
                joinDecode(s);
            }
        }
        while (!dropLater.isEmpty()) {
            release(dropLater.pollFirst());
        }
    }

    /** Whether sequence {@code s} generates a token in the step in flight: it decodes, or its prompt completes. */
    private boolean generatesIn(int s) {
        if (state[s] == DECODING) {
            return true;
        }
        for (int i = 0; i < plannedCount; i++) {
            if (plannedSlot[i] == s) {
                return prefilled[s] + plannedChunk[i] >= target[s];
            }
        }
        return false;
    }

    private void finish(int s, long nowNanos, InvocationListener listener) {
        unlinkRunning(s);
        Object o = owner[s];
        int n = node[s];
        release(s);
        listener.finished(o, n, nowNanos);
    }

    @Override
    public void visitStep(StepVisitor visitor) {
        if (plannedIterations == 0) {
            return;
        }
        for (int i = 0; i < plannedCount; i++) {
            int s = plannedSlot[i];
            if (!dropped[s]) {
                visitor.prefillChunk(owner[s], node[s], s, prefilled[s], plannedChunk[i]);
            }
        }
        for (int i = 0; i < finishing.size(); i++) {
            int s = finishing.at(i);
            if (!dropped[s]) {
                visitor.decode(owner[s], node[s], s, ctxJoin[s] + iteration - joinIter[s]);
            }
        }
    }

    @Override
    public long staleFromNanos(long nowNanos) {
        if (plannedIterations <= 1 || waiting.isEmpty() || runningOrder.size() >= cfg.maxNumSeqs()) {
            return Long.MAX_VALUE;
        }
        int s = waiting.peekFirst();
        long growth = growing ? decoding : 0;
        return kvUsedTokens() + admitAllocation(s) + growth <= cfg.kvCapacityTokens() ? nowNanos : Long.MAX_VALUE;
    }

    @Override
    public int outstanding() {
        return outstanding;
    }

    /** Sequences waiting for admission (new or preempted). */
    public int waitingCount() {
        return waiting.size();
    }

    /** Sequences running (prefilling or decoding). */
    public int runningCount() {
        return runningOrder.size();
    }

    /** Preemptions so far. */
    public long preemptions() {
        return preemptions;
    }

    private void ensure(int s) {
        if (s < owner.length) {
            return;
        }
        int n = owner.length * 2;
        owner = Arrays.copyOf(owner, n);
        node = Arrays.copyOf(node, n);
        state = Arrays.copyOf(state, n);
        firstDone = Arrays.copyOf(firstDone, n);
        startReported = Arrays.copyOf(startReported, n);
        target = Arrays.copyOf(target, n);
        prefilled = Arrays.copyOf(prefilled, n);
        alloc = Arrays.copyOf(alloc, n);
        cap = Arrays.copyOf(cap, n);
        endFact = Arrays.copyOf(endFact, n);
        dropped = Arrays.copyOf(dropped, n);
        generated = Arrays.copyOf(generated, n);
        ctxJoin = Arrays.copyOf(ctxJoin, n);
        joinIter = Arrays.copyOf(joinIter, n);
    }
}
