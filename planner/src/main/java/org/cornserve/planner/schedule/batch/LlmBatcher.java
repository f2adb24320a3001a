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
 * <p>Decode fast path: decoding sequences are kept as aggregates (count, sum of context at join, sum of join
 * iterations) plus a min-heap of the iteration at which each finishes, against a replica-wide iteration counter.
 * When nothing is prefilling and nobody waiting can join, the plan is a run of as many pure-decode iterations
 * as pass before the next batch change (a sequence finishing, the cache filling up), bounded by
 * {@link LlmBatching#maxRunIterations()}; no per-token work is done. The engine may cut a run short (new work
 * arrived) and reports the iterations it performed.
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

    private Object[] owner = new Object[16];
    private int[] node = new int[16];
    private byte[] state = new byte[16];
    private boolean[] firstDone = new boolean[16];
    private boolean[] startReported = new boolean[16];
    private long[] target = new long[16];
    private long[] prefilled = new long[16];
    private long[] alloc = new long[16];
    private long[] outputTarget = new long[16];
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

    /**
     * Why an invocation can never run on a replica with these settings (its whole sequence exceeds the KV
     * cache, or a decode-phase invocation has nothing to decode), or null when it can.
     */
    public static String rejectReason(Work work, LlmBatching batching, LlmPhase phase) {
        if (phase == LlmPhase.DECODE && work.outputTokens() < 2) {
            return "a decode-phase invocation needs at least 2 output tokens in all (the first comes from prefill), got "
                    + work.outputTokens();
        }
        long need = work.tokens() + (phase == LlmPhase.PREFILL ? 1 : work.outputTokens());
        if (need > batching.kvCapacityTokens()) {
            return "sequence of " + work.tokens() + " prompt + " + (need - work.tokens())
                    + " output tokens exceeds the KV cache of " + batching.kvCapacityTokens() + " tokens";
        }
        return null;
    }

    @Override
    public void enqueue(Object owner, int node, Work work, long nowNanos) {
        int s = pool.acquire();
        ensure(s);
        this.owner[s] = owner;
        this.node[s] = node;
        state[s] = WAITING;
        firstDone[s] = phase == LlmPhase.DECODE;
        startReported[s] = false;
        prefilled[s] = 0;
        alloc[s] = 0;
        if (phase == LlmPhase.DECODE) {
            ctxJoin[s] = work.tokens();
            target[s] = 0;
            generated[s] = 1;
            outputTarget[s] = Math.max(1, work.outputTokens());
        } else {
            target[s] = work.tokens();
            generated[s] = 0;
            outputTarget[s] = phase == LlmPhase.PREFILL ? 1 : Math.max(1, work.outputTokens());
        }
        waiting.addLast(s);
        outstanding++;
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
        return growing ? cached : cached + (outputTarget[s] - generated[s]);
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
        finishing.add(s, iteration + outputTarget[s] - generated[s]);
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
    public void complete(long iterations, long nowNanos, InvocationListener listener) {
        if (iterations < 1 || iterations > plannedIterations) {
            throw new IllegalStateException("completed " + iterations + " iterations of a step planned for "
                    + plannedIterations);
        }
        plannedIterations = 0;
        iteration += iterations;
        while (!finishing.isEmpty() && finishing.peekKey() <= iteration) {
            int s = finishing.peek();
            leaveDecode(s);
            finish(s, nowNanos, listener);
        }
        int count = plannedCount;
        plannedCount = 0;
        for (int i = 0; i < count; i++) {
            int s = plannedSlot[i];
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
            if (generated[s] >= outputTarget[s]) {
                finish(s, nowNanos, listener);
            } else {
                joinDecode(s);
            }
        }
    }

    private void finish(int s, long nowNanos, InvocationListener listener) {
        unlinkRunning(s);
        Object o = owner[s];
        owner[s] = null;
        outstanding--;
        int n = node[s];
        pool.release(s);
        listener.finished(o, n, nowNanos);
    }

    @Override
    public void visitStep(StepVisitor visitor) {
        if (plannedIterations == 0) {
            return;
        }
        for (int i = 0; i < plannedCount; i++) {
            int s = plannedSlot[i];
            visitor.prefillChunk(owner[s], node[s], prefilled[s], plannedChunk[i]);
        }
        for (int i = 0; i < finishing.size(); i++) {
            int s = finishing.at(i);
            visitor.decode(owner[s], node[s], ctxJoin[s] + iteration - joinIter[s]);
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
        outputTarget = Arrays.copyOf(outputTarget, n);
        generated = Arrays.copyOf(generated, n);
        ctxJoin = Arrays.copyOf(ctxJoin, n);
        joinIter = Arrays.copyOf(joinIter, n);
    }
}
