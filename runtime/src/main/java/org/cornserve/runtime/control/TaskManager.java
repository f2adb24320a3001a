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
    private final ExecutorHandle[] replicas;
    private final int[] failedStarts;
    private final AtomicInteger restarts = new AtomicInteger();
    private final AtomicInteger launches = new AtomicInteger();
    private final AtomicLong lastStartupNanos = new AtomicLong(-1);
    private volatile boolean stopping;
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
        this.replicas = new ExecutorHandle[replicas];
        this.failedStarts = new int[replicas];
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

    public int replicaCount() {
        return replicas.length;
    }

    /** Starts an executor for every replica. */
    synchronized void startAll() {
        for (int r = 0; r < replicas.length; r++) {
            start(r);
        }
    }

    private void start(int r) {
        String id = "d" + index + "r" + r + "n" + launches.incrementAndGet();
        replicas[r] = starter.apply(new ExecutorSpecDraft(id, tasks, threadsPerReplica));
    }

    /** The replica {@code executor} serves, or -1 when it is not (or no longer) one of this manager's. */
    synchronized int replicaOf(ExecutorHandle executor) {
        for (int r = 0; r < replicas.length; r++) {
            if (replicas[r] == executor) {
                return r;
            }
        }
        return -1;
    }

    /** The executor serving replica {@code r} now (possibly starting or down). */
    synchronized ExecutorHandle executor(int r) {
        return replicas[r];
    }

    synchronized void ready(ExecutorHandle executor, org.cornserve.runtime.executor.ExecutorReport.Ready ready,
            long startupNanos) {
        int r = replicaOf(executor);
        if (r >= 0) {
            failedStarts[r] = 0;
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
            failedStarts[r]++;
        }
        if (failedStarts[r] >= MAX_FAILED_STARTS) {
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
            copy = replicas.clone();
        }
        for (ExecutorHandle h : copy) {
            if (h != null) {
                h.stop(graceMillis);
            }
        }
    }
}
