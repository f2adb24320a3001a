package org.cornserve.planner.schedule.batch;

import java.util.Arrays;
import org.cornserve.planner.schedule.graph.PromptBlocks;
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
 * <p>Prefix caching ({@link LlmBatching#prefixCaching()}), after vLLM's automatic prefix caching: the cache is
 * counted in blocks of {@code block_size} tokens held in a {@link BlockPool}. Each sequence's full blocks carry
 * chained hashes ({@link BlockHashes}, from the prompt's {@link PromptBlocks}: what a live engine knows, its token
 * ids). On admission (a new sequence, or one recomputing after preemption) the longest run of leading blocks whose
 * hashes are cached is taken from the cache, at most {@code (tokens - 1) / block_size} blocks (the last token is
 * always computed); those tokens are not prefilled (the step's prefill tokens shrink, their context stays). A block
 * is registered when the chunk that fills it is planned (prompt) or when its sequence leaves decoding (generated
 * tokens, hashed unique to the sequence, so only its own recompute hits them). Freed blocks keep their hashes in the
 * pool's free queue, last block first, until taken for new use. Decode growth is counted in blocks: each decoding
 * sequence needs a new block at the iterations where its context crosses a block boundary, a phase kept per
 * sequence ({@code phaseCount}), so the fast path still needs no per-token work: the blocks a run takes are popped
 * in order (the first iteration's at plan, the rest when the run completes) and handed to sequences when they leave
 * decoding.
 *
 * <p>Streamed outputs ({@link #streamAfter}): a sequence told to report its first chunk of {@code k} tokens is
 * kept in a second min-heap by the iteration at which it reaches {@code k} generated tokens; a decode run stops
 * there (a batch change the batcher knows of: it counts tokens generated so far), and the step's completion reports
 * {@link InvocationListener#chunkReady}. A prompt that completes with the {@code k}-th token reports it at once; a
 * sequence that joins decoding with {@code k} already generated (a decode-phase task, whose first token came from
 * prefill) reports it after its first decode iteration.
 *
 * <p>Costs: plan and complete are O(changes x log running) plus O(prefilling sequences); with prefix caching, plus
 * O(block_size) and O(blocks a sequence admits or frees).
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
    private final IndexedMinHeap chunkAt = new IndexedMinHeap();
    private long[] streamAt = new long[16];
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
    private long swapTokens;
    private long swappedOutTokens;
    private long swappedInTokens;
    private int preemptedWaiting;
    private boolean[] wasPreempted = new boolean[16];
    private boolean[] recomputing = new boolean[16];

    // prefix caching (blockPool != null)
    private final BlockPool blockPool;
    private final int blockSize;
    private final int[] phaseCount;
    private final IntDeque decodePool = new IntDeque();
    private int[][] table = new int[16][];
    private int[] held = new int[16];
    private int[] registered = new int[16];
    private long[][] hashes = new long[16][];
    private int[] hashed = new int[16];
    private PromptBlocks[] prompt = new PromptBlocks[16];
    private long[] promptTokens = new long[16];
    private long[] salt = new long[16];
    private long nextSalt;
    private int lastHits;
    private int lastHitsOf = -1;
    /**
     * Per waiting sequence, the cached blocks the last {@link #blocksFit} found for its leading blocks
     * ({@code hitsKnown[s]} of them, in order): checked again by the block's hash, not looked up, while it waits.
     */
    private int[][] hitBlocks = new int[16][];
    private int[] hitsKnown = new int[16];
    private long[] scratch = new long[16];
    private long queryTokens;
    private long hitTokens;
    private long recomputeHitTokens;
    private long[] admitSeq = new long[16];
    private long admissions;
    private boolean completing;
    private int[][] pendingBlocks = new int[16][];
    private int[] pendingHeld = new int[16];
    private long[] pendingOrder = new long[16];
    private int pendingCount;

    public LlmBatcher(LlmBatching batching, LlmPhase phase) {
        this.cfg = batching;
        this.phase = phase;
        this.growing = batching.preemption() != Preemption.NONE;
        this.swap = batching.preemption() == Preemption.SWAP;
        if (batching.prefixCaching()) {
            this.blockSize = batching.blockSize();
            this.blockPool = new BlockPool(batching.kvCapacityBlocks());
            this.phaseCount = new int[blockSize];
        } else {
            this.blockSize = 1;
            this.blockPool = null;
            this.phaseCount = null;
        }
    }

    /** KV tokens a replica may fill: the capacity, or with prefix caching its whole blocks. */
    static long capacityTokens(LlmBatching batching) {
        return batching.prefixCaching() ? batching.kvCapacityBlocks() * batching.blockSize() : batching.kvCapacityTokens();
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
        return work.maxTokens() == Work.UNCAPPED ? capacityTokens(batching) - work.tokens() : work.maxTokens();
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
        if (cap < 1 || work.tokens() + cap > capacityTokens(batching)) {
            return "sequence of " + work.tokens() + " prompt + " + Math.max(1, cap)
                    + " output tokens exceeds the KV cache of " + capacityTokens(batching) + " tokens";
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
        wasPreempted[s] = false;
        recomputing[s] = false;
        streamAt[s] = 0;
        if (blockPool != null) {
            held[s] = 0;
            registered[s] = 0;
            hashed[s] = 0;
            hitsKnown[s] = 0;
            prompt[s] = work.promptBlocks();
            promptTokens[s] = work.tokens();
            salt[s] = nextSalt++;
        }
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
            if (wasPreempted[s]) {
                wasPreempted[s] = false;
                preemptedWaiting--;
            }
            release(s);
        } else if (plannedIterations != 0) {
            dropped[s] = true;
            dropLater.addLast(s);
        } else {
            unlinkFromBatch(s);
            release(s);
        }
    }

    /**
     * Has the sequence queued as {@code handle} report {@link InvocationListener#chunkReady} once it has generated
     * {@code tokens} tokens (the first chunk of a streamed output). Call it right after {@link #enqueue}.
     */
    public void streamAfter(int handle, long tokens) {
        if (handle < 0 || handle >= owner.length || owner[handle] == null || state[handle] != WAITING) {
            throw new IllegalArgumentException("no waiting sequence with handle " + handle);
        }
        if (tokens < 1) {
            throw new IllegalArgumentException("a stream chunk needs at least 1 token, got " + tokens);
        }
        streamAt[handle] = tokens;
    }

    /**
     * Async scheduling: sequence {@code s}, still held for invocation {@code node} of {@code owner}, generated its
     * last token in a step applied earlier (its end is reported one step late): it leaves the batch and frees its
     * cache as {@link #cancel} does (now, or when the step in flight that computes it completes); the caller reports
     * it finished. Returns false, changing nothing, when the
     * handle no longer holds that invocation (it ended at its cap, was dropped, or the handle was reused).
     */
    public boolean endLate(int s, Object owner, int node) {
        if (s < 0 || s >= this.owner.length || this.owner[s] != owner || this.node[s] != node || dropped[s]) {
            return false;
        }
        cancel(s);
        return true;
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
        if (blockPool != null) {
            return (long) (blockPool.blocks() - blockPool.freeBlocks()) * blockSize;
        }
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
        if (growing && blockPool != null) {
            while (decoding > 0 && growthAt(iteration) > blockPool.freeBlocks()) {
                preempt(runningOrder.last());
            }
            for (int k = growthAt(iteration); k > 0; k--) {
                decodePool.addLast(blockPool.allocate());
            }
        } else if (growing) {
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
            registerComputed(s, prefilled[s] + chunk);
        }
        while (!waiting.isEmpty() && runningOrder.size() < cfg.maxNumSeqs() && budget > 0) {
            int s = waiting.peekFirst();
            long need = admitAllocation(s);
            if (blockPool != null) {
                if (!blocksFit(s)) {
                    break;
                }
            } else {
                long growth = growing ? decoding + (target[s] == 0 ? 1 : 0) : 0;
                if (kvUsedTokens() + need + growth > cfg.kvCapacityTokens()) {
                    break;
                }
            }
            int hits = lastHits;
            if (target[s] == 0) {
                waiting.pollFirst();
                if (recomputing[s]) {
                    swapTokens += ctxJoin[s];
                    swappedInTokens += ctxJoin[s];
                }
                admit(s, need, nowNanos, listener);
                if (blockPool != null) {
                    allocateBlocks(s, need, 0);
                    registerComputed(s, ctxJoin[s]);
                    if (growing && ctxJoin[s] % blockSize == 0) {
                        decodePool.addLast(blockPool.allocate());
                    }
                }
                joinDecode(s);
                budget--;
                continue;
            }
            long skip = blockPool != null ? (long) hits * blockSize : 0;
            long chunk = cfg.chunkedPrefill() ? Math.min(target[s] - skip, budget) : target[s] - skip;
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
            if (blockPool != null) {
                allocateBlocks(s, need, hits);
                prefilled[s] = skip;
                registerComputed(s, skip + chunk);
            }
            prefillContext += chunk * skip + chunk * (chunk + 1) / 2;
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
            if (!chunkAt.isEmpty()) {
                iterations = Math.min(iterations, chunkAt.peekKey() - iteration);
            }
            if (growing && blockPool != null) {
                iterations = Math.min(iterations, runFitting());
            } else if (growing) {
                iterations = Math.min(iterations, (cfg.kvCapacityTokens() - kvUsedTokens()) / decoding);
            }
            iterations = Math.max(1, iterations);
        }
        plannedIterations = iterations;
        long copied = swapTokens;
        swapTokens = 0;
        return new Step.LlmStep(taskIndex, prefillTokens, prefillContext, decoding, decodeContextSum(), iterations,
                copied);
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
        if (wasPreempted[s]) {
            wasPreempted[s] = false;
            preemptedWaiting--;
        }
        alloc[s] = allocation;
        kvAllocated += allocation;
        admitSeq[s] = admissions++;
        runningOrder.append(s);
        if (!startReported[s]) {
            startReported[s] = true;
            listener.started(owner[s], node[s], nowNanos);
        }
    }

    private void joinDecode(int s) {
        if (phaseCount != null) {
            phaseCount[Math.floorMod(iteration - ctxJoin[s], blockSize)]++;
        }
        state[s] = DECODING;
        joinIter[s] = iteration;
        decoding++;
        ctxJoinSum += ctxJoin[s];
        joinIterSum += iteration;
        finishing.add(s, iteration + cap[s] - generated[s]);
        if (streamAt[s] > 0) {
            chunkAt.add(s, iteration + Math.max(1, streamAt[s] - generated[s]));
        }
        watcher.decoding(s, owner[s], node[s], iteration, generated[s]);
    }

    /** Removes {@code s} from the decode aggregates, bringing its generated count and context up to date. */
    private void leaveDecode(int s) {
        if (phaseCount != null) {
            phaseCount[Math.floorMod(joinIter[s] - ctxJoin[s], blockSize)]--;
        }
        long advanced = iteration - joinIter[s];
        generated[s] += advanced;
        ctxJoin[s] += advanced;
        decoding--;
        ctxJoinSum -= ctxJoin[s] - advanced;
        joinIterSum -= joinIter[s];
        finishing.remove(s);
        if (chunkAt.contains(s)) {
            chunkAt.remove(s);
        }
        watcher.stopped(s);
        if (blockPool != null) {
            int blocks = (int) ceilDiv(ctxJoin[s], blockSize);
            if (growing) {
                while (held[s] < blocks) {
                    addBlock(s, decodePool.pollFirst());
                }
            }
            registerComputed(s, ctxJoin[s]);
        }
    }

    private void unlinkRunning(int s) {
        runningOrder.remove(s);
        kvAllocated -= alloc[s];
        alloc[s] = 0;
        if (blockPool != null) {
            if (completing) {
                deferRelease(s);
            } else {
                releaseBlocks(table[s], held[s]);
            }
            held[s] = 0;
            registered[s] = 0;
        }
    }

    private void releaseBlocks(int[] blocks, int count) {
        for (int j = count - 1; j >= 0; j--) {
            blockPool.release(blocks[j]);
        }
    }

    /**
     * Within a step's completion, sequences' blocks are freed together at its end in admission order (each
     * sequence's last block first), so the free queue's order does not depend on the order ends are reported in.
     */
    private void deferRelease(int s) {
        if (pendingCount == pendingBlocks.length) {
            pendingBlocks = Arrays.copyOf(pendingBlocks, pendingCount * 2);
            pendingHeld = Arrays.copyOf(pendingHeld, pendingCount * 2);
            pendingOrder = Arrays.copyOf(pendingOrder, pendingCount * 2);
        }
        int[] copy = pendingBlocks[pendingCount];
        if (copy == null || copy.length < held[s]) {
            copy = new int[Math.max(16, held[s])];
        }
        System.arraycopy(table[s], 0, copy, 0, held[s]);
        pendingBlocks[pendingCount] = copy;
        pendingHeld[pendingCount] = held[s];
        pendingOrder[pendingCount] = admitSeq[s];
        pendingCount++;
    }

    private void flushReleases() {
        // insertion sort by admission order: a step ends few sequences
        for (int i = 1; i < pendingCount; i++) {
            for (int j = i; j > 0 && pendingOrder[j - 1] > pendingOrder[j]; j--) {
                long o = pendingOrder[j];
                pendingOrder[j] = pendingOrder[j - 1];
                pendingOrder[j - 1] = o;
                int h = pendingHeld[j];
                pendingHeld[j] = pendingHeld[j - 1];
                pendingHeld[j - 1] = h;
                int[] b = pendingBlocks[j];
                pendingBlocks[j] = pendingBlocks[j - 1];
                pendingBlocks[j - 1] = b;
            }
        }
        for (int i = 0; i < pendingCount; i++) {
            releaseBlocks(pendingBlocks[i], pendingHeld[i]);
        }
        pendingCount = 0;
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
            if (swap) {
                swapTokens += ctxJoin[s];
                swappedOutTokens += ctxJoin[s];
            }
        } else {
            removePrefilling(s);
        }
        prefilled[s] = 0;
        unlinkRunning(s);
        state[s] = WAITING;
        waiting.addFirst(s);
        preemptions++;
        recomputing[s] = true;
        if (!wasPreempted[s]) {
            wasPreempted[s] = true;
            preemptedWaiting++;
        }
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
        completing = blockPool != null;
        if (growing && blockPool != null && iterations > 1) {
            for (long k = growthOver(iteration + 1, iterations - 1); k > 0; k--) {
                decodePool.addLast(blockPool.allocate());
            }
        }
        iteration += iterations;
        for (int i = 0; i < dropLater.size(); i++) {
            unlinkFromBatch(dropLater.get(i));
        }
        while (!chunkAt.isEmpty() && chunkAt.peekKey() <= iteration) {
            int s = chunkAt.poll();
            streamAt[s] = 0;
            listener.chunkReady(owner[s], node[s], nowNanos);
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
                if (streamAt[s] > 0 && generated[s] >= streamAt[s]) {
                    streamAt[s] = 0;
                    listener.chunkReady(owner[s], node[s], nowNanos);
                }
                joinDecode(s);
            }
        }
        while (!dropLater.isEmpty()) {
            release(dropLater.pollFirst());
        }
        if (completing) {
            completing = false;
            flushReleases();
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
        if (blockPool != null) {
            return blocksFit(s) ? nowNanos : Long.MAX_VALUE;
        }
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

    /** Of the {@link #waitingCount() waiting} sequences, those waiting to resume after a preemption. */
    public int preemptedWaitingCount() {
        return preemptedWaiting;
    }

    /** Prompt tokens looked up in the prefix cache at sequences' first admissions (0 without prefix caching). */
    public long prefixQueryTokens() {
        return queryTokens;
    }

    /** Of {@link #prefixQueryTokens()}, the tokens found cached (not prefilled). */
    public long prefixHitTokens() {
        return hitTokens;
    }

    /** Tokens found cached when preempted sequences were readmitted to recompute (not prefilled again). */
    public long recomputeHitTokens() {
        return recomputeHitTokens;
    }

    /** KV tokens copied to host memory by swap preemptions so far. */
    public long swappedOutTokens() {
        return swappedOutTokens;
    }

    /** KV tokens copied back from host memory when swapped sequences were readmitted so far. */
    public long swappedInTokens() {
        return swappedInTokens;
    }

    /** Cached blocks evicted so far (0 without prefix caching). */
    public long prefixEvictions() {
        return blockPool == null ? 0 : blockPool.evictions();
    }

    /**
     * Tokens of this work's prompt the prefix cache holds now (the longest cached run of its leading blocks, as
     * admission would find it; 0 without prefix caching): what a prefix-aware router asks. O(prompt blocks).
     */
    public long cachedPrefixTokens(Work work) {
        if (blockPool == null || work.tokens() < 2) {
            return 0;
        }
        int n = (int) Math.min((work.tokens() - 1) / blockSize,
                BlockHashes.knownBlocks(work.promptBlocks(), work.tokens(), blockSize));
        if (scratch.length < n) {
            scratch = new long[Math.max(n, scratch.length * 2)];
        }
        int hits = 0;
        for (; hits < n; hits++) {
            BlockHashes.fill(scratch, hits, hits + 1, work.promptBlocks(), work.tokens(), blockSize, 0);
            if (blockPool.lookup(scratch[hits]) < 0) {
                break;
            }
        }
        return (long) hits * blockSize;
    }

    // ---------------------------------------------------------------- prefix caching internals

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Decoding sequences that need a new block in iteration {@code t}. */
    private int growthAt(long t) {
        return phaseCount[(int) Math.floorMod(t, (long) blockSize)];
    }

    /** Blocks the decoding sequences need over iterations {@code from .. from + count - 1}. O(block_size). */
    private long growthOver(long from, long count) {
        long total = count / blockSize * decoding;
        for (long t = from + count / blockSize * blockSize; t < from + count; t++) {
            total += growthAt(t);
        }
        return total;
    }

    /** The most iterations a pure-decode run may take, beginning now, before its growth outruns the free blocks. */
    private long runFitting() {
        long free = blockPool.freeBlocks();
        long cycles = free / decoding;
        long k = 1 + cycles * blockSize;
        free -= cycles * decoding;
        for (int i = 0; i < blockSize; i++) {
            int g = growthAt(iteration + k);
            if (g > free) {
                break;
            }
            free -= g;
            k++;
        }
        return k;
    }

    /** Makes sure {@code hashes[s]} holds the first {@code blocks} block hashes of sequence {@code s}. */
    private void ensureHashes(int s, int blocks) {
        if (hashed[s] >= blocks) {
            return;
        }
        if (hashes[s] == null || hashes[s].length < blocks) {
            long[] grown = new long[Math.max(blocks, hashes[s] == null ? 16 : hashes[s].length * 2)];
            if (hashes[s] != null) {
                System.arraycopy(hashes[s], 0, grown, 0, hashed[s]);
            }
            hashes[s] = grown;
        }
        BlockHashes.fill(hashes[s], hashed[s], blocks, prompt[s], promptTokens[s], blockSize, salt[s]);
        hashed[s] = blocks;
    }

    /**
     * Whether waiting sequence {@code s} can be admitted now, counting in blocks; sets {@code lastHits} to the
     * leading blocks of its tokens the cache holds (none for a sequence resuming decode).
     */
    private boolean blocksFit(int s) {
        int hits = 0;
        int hitFree = 0;
        if (target[s] > 0) {
            int maxHit = (int) ((target[s] - 1) / blockSize);
            ensureHashes(s, maxHit);
            if (hitBlocks[s] == null || hitBlocks[s].length < maxHit) {
                int[] grown = new int[Math.max(maxHit, hitBlocks[s] == null ? 16 : hitBlocks[s].length * 2)];
                if (hitBlocks[s] != null) {
                    System.arraycopy(hitBlocks[s], 0, grown, 0, hitsKnown[s]);
                }
                hitBlocks[s] = grown;
            }
            int[] found = hitBlocks[s];
            long[] h = hashes[s];
            // the blocks found last time, while each still holds its hash (a block holds one hash and a hash one
            // block, so this is what a lookup would find); a sequence waiting for room checks at every step
            for (int known = Math.min(hitsKnown[s], maxHit); hits < known; hits++) {
                int b = found[hits];
                if (blockPool.hashOf(b) != h[hits]) {
                    break;
                }
                if (blockPool.isFree(b)) {
                    hitFree++;
                }
            }
            for (; hits < maxHit; hits++) {
                int b = blockPool.lookup(h[hits]);
                if (b < 0) {
                    break;
                }
                found[hits] = b;
                if (blockPool.isFree(b)) {
                    hitFree++;
                }
            }
            hitsKnown[s] = hits;
        }
        lastHits = hits;
        lastHitsOf = s;
        long newBlocks = ceilDiv(admitAllocation(s), blockSize) - hits;
        long growth = growing && target[s] == 0 && ctxJoin[s] % blockSize == 0 ? 1 : 0;
        return blockPool.freeBlocks() - hitFree >= newBlocks + growth;
    }

    /** Gives admitted {@code s} its cached leading blocks and new ones for the rest of {@code tokens}. */
    private void allocateBlocks(int s, long tokens, int hits) {
        // the blocks blocksFit found just before (nothing allocates between the two), looked up again otherwise
        boolean found = lastHitsOf == s && hits <= lastHits;
        for (int j = 0; j < hits; j++) {
            int b = found ? hitBlocks[s][j] : blockPool.lookup(hashes[s][j]);
            blockPool.touch(b);
            addBlock(s, b);
        }
        lastHitsOf = -1;
        registered[s] = hits;
        long blocks = ceilDiv(tokens, blockSize);
        for (long j = hits; j < blocks; j++) {
            addBlock(s, blockPool.allocate());
        }
        long hit = (long) hits * blockSize;
        if (target[s] > 0 && !recomputing[s]) {
            queryTokens += target[s];
            hitTokens += hit;
        } else {
            recomputeHitTokens += hit;
        }
    }

    private void addBlock(int s, int b) {
        if (table[s] == null || held[s] == table[s].length) {
            table[s] = table[s] == null ? new int[16] : Arrays.copyOf(table[s], held[s] * 2);
        }
        table[s][held[s]++] = b;
    }

    /** Registers the full blocks among the first {@code tokens} tokens of {@code s} (computed, or planned now). */
    private void registerComputed(int s, long tokens) {
        if (blockPool == null) {
            return;
        }
        int full = (int) Math.min(tokens / blockSize, held[s]);
        if (full <= registered[s]) {
            return;
        }
        ensureHashes(s, full);
        for (int j = registered[s]; j < full; j++) {
            blockPool.register(table[s][j], hashes[s][j]);
        }
        registered[s] = full;
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
        wasPreempted = Arrays.copyOf(wasPreempted, n);
        recomputing = Arrays.copyOf(recomputing, n);
        streamAt = Arrays.copyOf(streamAt, n);
        admitSeq = Arrays.copyOf(admitSeq, n);
        table = Arrays.copyOf(table, n);
        held = Arrays.copyOf(held, n);
        registered = Arrays.copyOf(registered, n);
        hashes = Arrays.copyOf(hashes, n);
        hashed = Arrays.copyOf(hashed, n);
        hitBlocks = Arrays.copyOf(hitBlocks, n);
        hitsKnown = Arrays.copyOf(hitsKnown, n);
        prompt = Arrays.copyOf(prompt, n);
        promptTokens = Arrays.copyOf(promptTokens, n);
        salt = Arrays.copyOf(salt, n);
    }
}
