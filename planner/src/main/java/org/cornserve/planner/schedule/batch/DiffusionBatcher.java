package org.cornserve.planner.schedule.batch;

import java.util.Arrays;
import org.cornserve.planner.schedule.graph.Work;

/**
 * Steps a batch of diffusion jobs together. Waiting jobs join, first come first served, at a step boundary
 * while the job and latent-token limits allow; each job leaves when its own steps are done. Like the LLM
 * decode fast path, a plan covers every step until the next job finishes (step latency is constant while
 * the batch is unchanged), and the engine may cut it short when a job arrives that could join.
 */
public final class DiffusionBatcher implements TaskBatcher {
    private final DiffusionBatching cfg;
    private final SlotPool pool = new SlotPool();
    private final IntDeque waiting = new IntDeque();
    private final IndexedMinHeap finishing = new IndexedMinHeap();
    private Object[] owner = new Object[16];
    private int[] node = new int[16];
    private long[] latent = new long[16];
    private int[] steps = new int[16];
    private boolean[] dropped = new boolean[16];
    private final IntDeque dropLater = new IntDeque();
    private long stepCounter;
    private int runningJobs;
    private long runningLatent;
    private long plannedIterations;
    private int outstanding;

    public DiffusionBatcher(DiffusionBatching batching) {
        this.cfg = batching;
    }

    @Override
    public int enqueue(Object owner, int node, Work work, long nowNanos) {
        int s = pool.acquire();
        if (s >= this.owner.length) {
            int n = this.owner.length * 2;
            this.owner = Arrays.copyOf(this.owner, n);
            this.node = Arrays.copyOf(this.node, n);
            latent = Arrays.copyOf(latent, n);
            steps = Arrays.copyOf(steps, n);
            dropped = Arrays.copyOf(dropped, n);
        }
        dropped[s] = false;
        this.owner[s] = owner;
        this.node[s] = node;
        latent[s] = work.tokens();
        steps[s] = Math.max(1, work.steps());
        waiting.addLast(s);
        outstanding++;
        return s;
    }

    @Override
    public void cancel(int handle) {
        if (handle < 0 || handle >= owner.length || owner[handle] == null || dropped[handle]) {
            throw new IllegalArgumentException("no diffusion job with handle " + handle + " is queued or running");
        }
        if (waiting.remove(handle)) {
            release(handle);
        } else if (plannedIterations != 0) {
            dropped[handle] = true;
            dropLater.addLast(handle);
        } else {
            finishing.remove(handle);
            runningJobs--;
            runningLatent -= latent[handle];
            release(handle);
        }
    }

    private void release(int s) {
        owner[s] = null;
        dropped[s] = false;
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

    private boolean headFits() {
        if (waiting.isEmpty() || runningJobs >= cfg.maxJobs()) {
            return false;
        }
        return runningJobs == 0 || runningLatent + latent[waiting.peekFirst()] <= cfg.maxLatentTokens();
    }

    @Override
    public Step plan(int taskIndex, long nowNanos, InvocationListener listener) {
        if (plannedIterations != 0) {
            throw new IllegalStateException("a diffusion step is already in flight");
        }
        while (headFits()) {
            int s = waiting.pollFirst();
            runningJobs++;
            runningLatent += latent[s];
            finishing.add(s, stepCounter + steps[s]);
            listener.started(owner[s], node[s], nowNanos);
        }
        plannedIterations = finishing.peekKey() - stepCounter;
        return new Step.DiffusionStep(taskIndex, runningJobs, runningLatent, plannedIterations);
    }

    @Override
    public void complete(long iterations, SequenceEnds ended, long nowNanos, InvocationListener listener) {
        if (iterations < 1 || iterations > plannedIterations) {
            throw new IllegalStateException("completed " + iterations + " steps of a plan of " + plannedIterations);
        }
        if (!ended.isEmpty()) {
            throw new IllegalArgumentException("a diffusion step has no sequences to end: " + ended);
        }
        plannedIterations = 0;
        stepCounter += iterations;
        while (!dropLater.isEmpty()) {
            int s = dropLater.pollFirst();
            finishing.remove(s);
            runningJobs--;
            runningLatent -= latent[s];
            release(s);
        }
        while (!finishing.isEmpty() && finishing.peekKey() <= stepCounter) {
            int s = finishing.poll();
            runningJobs--;
            runningLatent -= latent[s];
            Object o = owner[s];
            int n = node[s];
            release(s);
            listener.finished(o, n, nowNanos);
        }
    }

    @Override
    public void visitStep(StepVisitor visitor) {
        if (plannedIterations == 0) {
            return;
        }
        for (int i = 0; i < finishing.size(); i++) {
            int s = finishing.at(i);
            if (!dropped[s]) {
                visitor.diffusionJob(owner[s], node[s]);
            }
        }
    }

    @Override
    public long staleFromNanos(long nowNanos) {
        return plannedIterations > 1 && headFits() ? nowNanos : Long.MAX_VALUE;
    }

    @Override
    public int outstanding() {
        return outstanding;
    }
}
