package org.cornserve.planner.schedule.batch;

import java.util.Arrays;
import org.cornserve.model.Modality;
import org.cornserve.planner.schedule.graph.Work;

/**
 * Batches invocations of a single-pass task (an encoder, a vocoder): one FIFO per modality; a batch takes
 * invocations of one modality in arrival order up to the item and token limits. A modality's queue is
 * ready when it holds a full batch or its oldest invocation has waited the bounded wait; among ready
 * queues the one with the oldest head goes first. Plans are O(batch size).
 */
public final class ItemBatcher implements TaskBatcher {
    private static final Modality[] MODALITIES = Modality.values();

    private final ItemBatching batching;
    private final IntDeque[] queues = new IntDeque[MODALITIES.length];
    private final long[] queuedItems = new long[MODALITIES.length];
    private final long[] queuedTokens = new long[MODALITIES.length];
    private final SlotPool pool = new SlotPool();
    private Object[] owner = new Object[16];
    private int[] node = new int[16];
    private int[] items = new int[16];
    private long[] tokens = new long[16];
    private long[] enqueuedNanos = new long[16];
    private byte[] modality = new byte[16];
    private boolean[] flying = new boolean[16];
    private boolean[] dropped = new boolean[16];
    private int[] inFlight = new int[16];
    private int inFlightCount = -1;
    private int outstanding;

    public ItemBatcher(ItemBatching batching) {
        this.batching = batching;
        for (int m = 0; m < queues.length; m++) {
            queues[m] = new IntDeque();
        }
    }

    @Override
    public int enqueue(Object owner, int node, Work work, long nowNanos) {
        int slot = pool.acquire();
        if (slot >= this.owner.length) {
            int n = this.owner.length * 2;
            this.owner = Arrays.copyOf(this.owner, n);
            this.node = Arrays.copyOf(this.node, n);
            items = Arrays.copyOf(items, n);
            tokens = Arrays.copyOf(tokens, n);
            enqueuedNanos = Arrays.copyOf(enqueuedNanos, n);
            modality = Arrays.copyOf(modality, n);
            flying = Arrays.copyOf(flying, n);
            dropped = Arrays.copyOf(dropped, n);
        }
        this.owner[slot] = owner;
        this.node[slot] = node;
        items[slot] = work.items();
        tokens[slot] = work.tokens();
        enqueuedNanos[slot] = nowNanos;
        int m = work.modality().ordinal();
        modality[slot] = (byte) m;
        flying[slot] = false;
        dropped[slot] = false;
        queues[m].addLast(slot);
        queuedItems[m] += work.items();
        queuedTokens[m] += work.tokens();
        outstanding++;
        return slot;
    }

    @Override
    public void cancel(int handle) {
        if (handle < 0 || handle >= owner.length || owner[handle] == null || dropped[handle]) {
            throw new IllegalArgumentException("no invocation with handle " + handle + " is queued or running");
        }
        if (flying[handle]) {
            dropped[handle] = true;
            return;
        }
        int m = modality[handle];
        queues[m].remove(handle);
        queuedItems[m] -= items[handle];
        queuedTokens[m] -= tokens[handle];
        owner[handle] = null;
        outstanding--;
        pool.release(handle);
    }

    @Override
    public boolean hasWork() {
        return outstanding > 0;
    }

    private long readyAt(int m, long nowNanos) {
        IntDeque q = queues[m];
        if (q.isEmpty()) {
            return Long.MAX_VALUE;
        }
        if (queuedItems[m] >= batching.maxItems() || queuedTokens[m] >= batching.maxTokens()) {
            return nowNanos;
        }
        long deadline = enqueuedNanos[q.peekFirst()] + batching.maxWaitNanos();
        return Math.max(nowNanos, deadline);
    }

    @Override
    public long readyAtNanos(long nowNanos) {
        long best = Long.MAX_VALUE;
        for (int m = 0; m < queues.length; m++) {
            best = Math.min(best, readyAt(m, nowNanos));
        }
        return best;
    }

    @Override
    public Step plan(int taskIndex, long nowNanos, InvocationListener listener) {
        if (inFlightCount >= 0) {
            throw new IllegalStateException("a batch is already in flight");
        }
        int chosen = -1;
        long oldest = Long.MAX_VALUE;
        for (int m = 0; m < queues.length; m++) {
            if (readyAt(m, nowNanos) <= nowNanos) {
                long head = enqueuedNanos[queues[m].peekFirst()];
                if (head < oldest) {
                    oldest = head;
                    chosen = m;
                }
            }
        }
        if (chosen < 0) {
            throw new IllegalStateException("no batch is ready at " + nowNanos);
        }
        IntDeque q = queues[chosen];
        int batchItems = 0;
        long batchTokens = 0;
        inFlightCount = 0;
        while (!q.isEmpty()) {
            int slot = q.peekFirst();
            if (inFlightCount > 0 && (batchItems + items[slot] > batching.maxItems()
                    || batchTokens + tokens[slot] > batching.maxTokens())) {
                break;
            }
            q.pollFirst();
            batchItems += items[slot];
            batchTokens += tokens[slot];
            queuedItems[chosen] -= items[slot];
            queuedTokens[chosen] -= tokens[slot];
            if (inFlightCount == inFlight.length) {
                inFlight = Arrays.copyOf(inFlight, inFlightCount * 2);
            }
            inFlight[inFlightCount++] = slot;
            flying[slot] = true;
            listener.started(owner[slot], node[slot], nowNanos);
        }
        return new Step.BatchStep(taskIndex, batchItems, batchTokens);
    }

    @Override
    public void complete(long iterations, SequenceEnds ended, long nowNanos, InvocationListener listener) {
        if (inFlightCount < 0) {
            throw new IllegalStateException("no batch in flight");
        }
        if (!ended.isEmpty()) {
            throw new IllegalArgumentException("a single-pass batch has no sequences to end: " + ended);
        }
        int count = inFlightCount;
        inFlightCount = -1;
        for (int i = 0; i < count; i++) {
            int slot = inFlight[i];
            Object o = owner[slot];
            boolean drop = dropped[slot];
            owner[slot] = null;
            flying[slot] = false;
            dropped[slot] = false;
            outstanding--;
            pool.release(slot);
            if (!drop) {
                listener.finished(o, node[slot], nowNanos);
            }
        }
    }

    @Override
    public void visitStep(StepVisitor visitor) {
        for (int i = 0; i < inFlightCount; i++) {
            if (!dropped[inFlight[i]]) {
                visitor.batchItem(owner[inFlight[i]], node[inFlight[i]]);
            }
        }
    }

    @Override
    public long staleFromNanos(long nowNanos) {
        return Long.MAX_VALUE;
    }

    @Override
    public int outstanding() {
        return outstanding;
    }
}
