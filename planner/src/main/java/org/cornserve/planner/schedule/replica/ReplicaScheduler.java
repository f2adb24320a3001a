package org.cornserve.planner.schedule.replica;

import java.util.List;
import org.cornserve.planner.schedule.batch.InvocationListener;
import org.cornserve.planner.schedule.batch.ItemBatcher;
import org.cornserve.planner.schedule.batch.SequenceEnds;
import org.cornserve.planner.schedule.batch.Step;
import org.cornserve.planner.schedule.batch.StepVisitor;
import org.cornserve.planner.schedule.batch.TaskBatcher;

/**
 * One replica's engine, time-shared by the unit tasks colocated on it: it runs one step at a time, so work
 * of one task delays every other task's work on the same replica. This interference is what splitting tasks
 * into separate deployments removes.
 *
 * <p>Policy, when the engine is free:
 * <ol>
 *   <li>a ready single-pass batch (an encoder batch that is full or has waited out its bounded wait) runs
 *       first, lowest task index first: as in vLLM, where a multimodal request's encoder runs in the step
 *       that schedules its prefill, ahead of that iteration's decodes, so encoder work stalls every decoding
 *       sequence of the replica for its whole duration;</li>
 *   <li>otherwise the iterative tasks (LLMs, talkers, generators) take turns, round robin, one step each;</li>
 *   <li>otherwise the engine idles until the earliest bounded wait expires.</li>
 * </ol>
 * A multi-iteration run (decode fast path) is stale from the moment other work could run: a single-pass
 * batch becomes ready, another iterative task has work, or a sequence could join; {@link #staleFromNanos}
 * says when, and the engine ends the run at the first iteration boundary at or after that time.
 */
public final class ReplicaScheduler {
    private final TaskBatcher[] batchers;
    private final boolean[] singlePass;
    private int runningTask = -1;
    private long plannedIterations;
    private int nextIterative;

    public ReplicaScheduler(List<TaskBatcher> batchers) {
        this.batchers = batchers.toArray(new TaskBatcher[0]);
        this.singlePass = new boolean[this.batchers.length];
        for (int i = 0; i < this.batchers.length; i++) {
            singlePass[i] = this.batchers[i] instanceof ItemBatcher;
        }
    }

    public boolean busy() {
        return runningTask >= 0;
    }

    public TaskBatcher batcher(int task) {
        return batchers[task];
    }

    public int tasks() {
        return batchers.length;
    }

    /** Invocations queued or running on this replica, over all its tasks. */
    public int outstanding() {
        int n = 0;
        for (TaskBatcher b : batchers) {
            n += b.outstanding();
        }
        return n;
    }

    /** Plans the next step if the engine is free and something is ready; otherwise null. */
    public Step planNext(long nowNanos, InvocationListener listener) {
        if (runningTask >= 0) {
            return null;
        }
        int chosen = -1;
        for (int t = 0; t < batchers.length && chosen < 0; t++) {
            if (singlePass[t] && batchers[t].readyAtNanos(nowNanos) <= nowNanos) {
                chosen = t;
            }
        }
        for (int k = 0; k < batchers.length && chosen < 0; k++) {
            int t = (nextIterative + k) % batchers.length;
            if (!singlePass[t] && batchers[t].readyAtNanos(nowNanos) <= nowNanos) {
                chosen = t;
                nextIterative = t + 1;
            }
        }
        if (chosen < 0) {
            return null;
        }
        Step step = batchers[chosen].plan(chosen, nowNanos, listener);
        runningTask = chosen;
        plannedIterations = step.iterations();
        return step;
    }

    /** When the engine is free and nothing is ready now: the earliest time something will be, or MAX_VALUE. */
    public long nextReadyAtNanos(long nowNanos) {
        long best = Long.MAX_VALUE;
        for (TaskBatcher b : batchers) {
            best = Math.min(best, b.readyAtNanos(nowNanos));
        }
        return best;
    }

    /** Describes the running step member by member (nothing when the engine is free). */
    public void visitRunningStep(StepVisitor visitor) {
        if (runningTask >= 0) {
            batchers[runningTask].visitStep(visitor);
        }
    }

    /** The running step finished after {@code iterations} iterations, no sequence ending in it. */
    public void complete(long iterations, long nowNanos, InvocationListener listener) {
        complete(iterations, SequenceEnds.NONE, nowNanos, listener);
    }

    /** The running step finished after {@code iterations} iterations; the sequences in {@code ended} ended in it. */
    public void complete(long iterations, SequenceEnds ended, long nowNanos, InvocationListener listener) {
        if (runningTask < 0) {
            throw new IllegalStateException("no step in flight");
        }
        int t = runningTask;
        batchers[t].complete(iterations, ended, nowNanos, listener);
        runningTask = -1;
        plannedIterations = 0;
    }

    /** The task whose step is in flight, or -1 when the engine is free. */
    public int runningTask() {
        return runningTask;
    }

    /**
     * While a multi-iteration step runs: the time from which it should stop (at the next iteration boundary),
     * or MAX_VALUE when it may run its plan out.
     */
    public long staleFromNanos(long nowNanos) {
        if (runningTask < 0 || plannedIterations <= 1) {
            return Long.MAX_VALUE;
        }
        long at = batchers[runningTask].staleFromNanos(nowNanos);
        for (int t = 0; t < batchers.length; t++) {
            if (t != runningTask) {
                at = Math.min(at, batchers[t].readyAtNanos(nowNanos));
            }
        }
        return at;
    }
}
