package org.cornserve.runtime.control;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One deployment's executors: it starts one per replica, watches them, restarts a dead one (counted) and stops
 * them. Routing among the replicas is the shared scheduler core's router; this class maps a replica to the
 * executor that serves it now. Thread-safe.
 */
public final class TaskManager {
    /** A replica that fails this many starts in a row is left down. */
    static final int MAX_FAILED_STARTS = 5;

    private final int index;
    private final String name;
    private final List<String> tasks;
    private final int threadsPerReplica;
    private final Function<ExecutorSpecDraft, ExecutorHandle> starter;
    private final List<ExecutorHandle> replicas = new java.util.ArrayList<>();
    private final List<int[]> failedStarts = new java.util.ArrayList<>();
    private final java.util.Set<Integer> removed = new java.util.HashSet<>();
    private final AtomicInteger restarts = new AtomicInteger();
    private final AtomicInteger launches = new AtomicInteger();
    private final AtomicLong lastStartupNanos = new AtomicLong(-1);
    private volatile boolean stopping;
    private final int initialReplicas;
    private volatile org.cornserve.runtime.executor.ExecutorReport.Ready lastReady;

    /** What the control plane fills in to start an executor (its hub address, session, shm directory). */
    public record ExecutorSpecDraft(String id, List<String> tasks, int threads) {
    }

    TaskManager(int index, String name, List<String> tasks, int replicas, int threadsPerReplica,
            Function<ExecutorSpecDraft, ExecutorHandle> starter) {
        this.index = index;
        this.name = name;
        this.tasks = List.copyOf(tasks);
        this.threadsPerReplica = threadsPerReplica;
        this.starter = starter;
        this.initialReplicas = replicas;
    }

    public String name() {
        return name;
    }

    public int index() {
        return index;
    }

    public List<String> tasks() {
        return tasks;
    }

    public int threadsPerReplica() {
        return threadsPerReplica;
    }

    /** Executors restarted after a crash. */
    public int restarts() {
        return restarts.get();
    }

    /** The last start-up time (launch to ready) of any of its executors, or -1. */
    public long lastStartupNanos() {
        return lastStartupNanos.get();
    }

    /** Replica indices used so far (removed ones included: indices are never reused). */
    public synchronized int replicaCount() {
        return replicas.size();
    }

    /** Replicas not removed (starting, serving or being restarted): what utilisation is shared over. */
    public synchronized int liveReplicaCount() {
        return replicas.size() - removed.size();
    }

    /** Whether replica {@code r} was removed (its slot moved elsewhere). */
    public synchronized boolean removed(int r) {
        return removed.contains(r);
    }

    /** Starts an executor for every replica of the plan. */
    synchronized void startAll() {
        for (int r = 0; r < initialReplicas; r++) {
            startReplica(r);
        }
    }

    /** Starts an executor for replica {@code r} (a new index is the next one); none once {@link #stop} began. */
    synchronized void startReplica(int r) {
        while (replicas.size() <= r) {
            replicas.add(null);
            failedStarts.add(new int[1]);
        }
        if (stopping) {
            return; // the runtime is closing: no new executor (it would outlive the close)
        }
        start(r);
    }

    private void start(int r) {
        String id = "d" + index + "r" + r + "n" + launches.incrementAndGet();
        replicas.set(r, starter.apply(new ExecutorSpecDraft(id, tasks, threadsPerReplica)));
    }

    /** Stops replica {@code r}'s executor for good (its slot goes to another deployment). */
    void stopReplica(int r, long graceMillis) {
        ExecutorHandle h;
        synchronized (this) {
            removed.add(r);
            h = r < replicas.size() ? replicas.get(r) : null; // a replica removed before it started has none
        }
        if (h != null) {
            h.stop(graceMillis);
        }
    }

    /** The replica {@code executor} serves, or -1 when it is not (or no longer) one of this manager's. */
    synchronized int replicaOf(ExecutorHandle executor) {
        int r = replicas.indexOf(executor);
        return r >= 0 && !removed.contains(r) ? r : -1;
    }

    /** The executor serving replica {@code r} now (possibly starting or down), null for an unknown index. */
    public synchronized ExecutorHandle executor(int r) {
        return r < replicas.size() ? replicas.get(r) : null;
    }

    synchronized void ready(ExecutorHandle executor, org.cornserve.runtime.executor.ExecutorReport.Ready ready,
            long startupNanos) {
        int r = replicaOf(executor);
        if (r >= 0) {
            failedStarts.get(r)[0] = 0;
            lastStartupNanos.set(startupNanos);
            lastReady = ready;
        }
    }

    /** The last executor's own start-up breakdown (JVM start to main, weight load, warm-up), or null. */
    public org.cornserve.runtime.executor.ExecutorReport.Ready lastReady() {
        return lastReady;
    }

    /**
     * The executor went down: unless stopping, a new one starts for its replica. Returns the replica, or -1 when the
     * executor was not serving one.
     */
    synchronized int down(ExecutorHandle executor) {
        int r = replicaOf(executor);
        if (r < 0 || stopping) {
            return r;
        }
        if (!executor.ready()) {
            failedStarts.get(r)[0]++;
        }
        if (failedStarts.get(r)[0] >= MAX_FAILED_STARTS) {
            System.err.println("task manager " + name + ": replica " + r + " failed to start " + MAX_FAILED_STARTS
                    + " times in a row; leaving it down");
            return r;
        }
        restarts.incrementAndGet();
        start(r);
        return r;
    }

    /** Stops every executor. */
    void stop(long graceMillis) {
        ExecutorHandle[] copy;
        synchronized (this) {
            stopping = true;
            copy = replicas.toArray(new ExecutorHandle[0]);
        }
        for (ExecutorHandle h : copy) {
            if (h != null) {
                h.stop(graceMillis);
            }
        }
    }
}
