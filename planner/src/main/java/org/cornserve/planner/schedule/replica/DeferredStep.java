package org.cornserve.planner.schedule.replica;

import java.util.Arrays;
import org.cornserve.planner.schedule.batch.InvocationListener;
import org.cornserve.planner.schedule.batch.StepVisitor;
import org.cornserve.planner.schedule.dispatch.ActiveRequest;

/**
 * A step in flight under async scheduling (as vLLM's {@code AsyncScheduler}): the core applied it to its batcher as
 * soon as it was sent, as if every sequence in it produced its token and none ended by end-of-sequence, so that the
 * next step can be decided while this one computes. What its completion reports (first outputs, chunks due,
 * invocations that finished at their cap) is held here and told when the engine reports the step; the sequences it
 * computed are kept so that an end-of-sequence the report names can be applied one step late.
 *
 * <p>An invocation that finished here is marked as no longer held by its batcher ({@code ActiveRequest.queued(node,
 * -1)}) at once: its batcher handle may be reused before the report comes.
 */
public final class DeferredStep implements InvocationListener, StepVisitor {
    /** Kinds of events held. */
    public static final byte FIRST_OUTPUT = 0;
    public static final byte CHUNK_READY = 1;
    public static final byte FINISHED = 2;

    private final int task;
    private boolean settled;
    /** Events held: the kind is the tag. */
    private final Entries events = new Entries();
    /** Sequences computed: the sequence id is the tag. */
    private final Entries members = new Entries();

    /** Growable parallel arrays of (tag, invocation): no object per entry. */
    private static final class Entries {
        int[] tags = new int[8];
        ActiveRequest[] owners = new ActiveRequest[8];
        int[] nodes = new int[8];
        int size;

        void add(int tag, Object owner, int node) {
            if (size == tags.length) {
                tags = Arrays.copyOf(tags, size * 2);
                owners = Arrays.copyOf(owners, size * 2);
                nodes = Arrays.copyOf(nodes, size * 2);
            }
            tags[size] = tag;
            owners[size] = (ActiveRequest) owner;
            nodes[size] = node;
            size++;
        }
    }

    public DeferredStep(int task) {
        this.task = task;
    }

    /** The task (within the replica) the step belongs to. */
    public int task() {
        return task;
    }

    /** Whether the step was applied to its batcher when sent (single-iteration steps are). */
    public boolean settled() {
        return settled;
    }

    /** Marks the step applied to its batcher. */
    public void settle() {
        settled = true;
    }

    /** Events held, in the order the completion reported them. */
    public int events() {
        return events.size;
    }

    public byte kind(int i) {
        return (byte) events.tags[i];
    }

    public ActiveRequest owner(int i) {
        return events.owners[i];
    }

    public int node(int i) {
        return events.nodes[i];
    }

    /** Index of the member computing {@code sequence}, or -1 when the step did not compute it. */
    public int member(int sequence) {
        for (int i = 0; i < members.size; i++) {
            if (members.tags[i] == sequence) {
                return i;
            }
        }
        return -1;
    }

    public ActiveRequest memberOwner(int i) {
        return members.owners[i];
    }

    public int memberNode(int i) {
        return members.nodes[i];
    }

    @Override
    public void started(Object owner, int node, long nowNanos) {
        throw new IllegalStateException("a step's completion starts no invocation");
    }

    @Override
    public void firstOutput(Object owner, int node, long nowNanos) {
        events.add(FIRST_OUTPUT, owner, node);
    }

    @Override
    public void chunkReady(Object owner, int node, long nowNanos) {
        events.add(CHUNK_READY, owner, node);
    }

    @Override
    public void finished(Object owner, int node, long nowNanos) {
        ((ActiveRequest) owner).queued(node, -1);
        events.add(FINISHED, owner, node);
    }

    @Override
    public void prefillChunk(Object owner, int node, int sequence, long startToken, long tokens) {
        members.add(sequence, owner, node);
    }

    @Override
    public void decode(Object owner, int node, int sequence, long contextTokens) {
        members.add(sequence, owner, node);
    }
}
