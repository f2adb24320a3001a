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
    private byte[] kinds = new byte[4];
    private ActiveRequest[] owners = new ActiveRequest[4];
    private int[] nodes = new int[4];
    private int events;
    private int[] memberSequences = new int[8];
    private ActiveRequest[] memberOwners = new ActiveRequest[8];
    private int[] memberNodes = new int[8];
    private int members;

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

    public int events() {
        return events;
    }

    public byte kind(int i) {
        return kinds[i];
    }

    public ActiveRequest owner(int i) {
        return owners[i];
    }

    public int node(int i) {
        return nodes[i];
    }

    /** Index of the member computing {@code sequence}, or -1 when the step did not compute it. */
    public int member(int sequence) {
        for (int i = 0; i < members; i++) {
            if (memberSequences[i] == sequence) {
                return i;
            }
        }
        return -1;
    }

    public ActiveRequest memberOwner(int i) {
        return memberOwners[i];
    }

    public int memberNode(int i) {
        return memberNodes[i];
    }

    private void hold(byte kind, Object owner, int node) {
        if (events == kinds.length) {
            kinds = Arrays.copyOf(kinds, events * 2);
            owners = Arrays.copyOf(owners, events * 2);
            nodes = Arrays.copyOf(nodes, events * 2);
        }
        kinds[events] = kind;
        owners[events] = (ActiveRequest) owner;
        nodes[events] = node;
        events++;
    }

    private void member(Object owner, int node, int sequence) {
        if (members == memberSequences.length) {
            memberSequences = Arrays.copyOf(memberSequences, members * 2);
            memberOwners = Arrays.copyOf(memberOwners, members * 2);
            memberNodes = Arrays.copyOf(memberNodes, members * 2);
        }
        memberSequences[members] = sequence;
        memberOwners[members] = (ActiveRequest) owner;
        memberNodes[members] = node;
        members++;
    }

    @Override
    public void started(Object owner, int node, long nowNanos) {
        throw new IllegalStateException("a step's completion starts no invocation");
    }

    @Override
    public void firstOutput(Object owner, int node, long nowNanos) {
        hold(FIRST_OUTPUT, owner, node);
    }

    @Override
    public void chunkReady(Object owner, int node, long nowNanos) {
        hold(CHUNK_READY, owner, node);
    }

    @Override
    public void finished(Object owner, int node, long nowNanos) {
        ((ActiveRequest) owner).queued(node, -1);
        hold(FINISHED, owner, node);
    }

    @Override
    public void prefillChunk(Object owner, int node, int sequence, long startToken, long tokens) {
        member(owner, node, sequence);
    }

    @Override
    public void decode(Object owner, int node, int sequence, long contextTokens) {
        member(owner, node, sequence);
    }
}
