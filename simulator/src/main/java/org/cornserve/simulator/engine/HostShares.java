package org.cornserve.simulator.engine;

import java.util.Arrays;
import org.cornserve.simulator.config.HostSharing;

/**
 * The engine's side of {@link HostSharing}: which replicas of the shared deployments compute now on each host, and
 * each running step's progress in nominal work (its profiled nanoseconds). A step advances at {@code 1 / factor(k)}
 * while {@code k} executors of its host compute; when a step starts or ends on a host, the other steps there book
 * their progress at the old rate and are given a new end at the new one ({@link Reschedule}). Reads only who is busy
 * now. O(replicas of the shared deployments) per start or end.
 */
final class HostShares {
    /** Moves a running step's end (the engine bumps the replica's epoch so the superseded end is skipped). */
    interface Reschedule {
        void stepEnd(int deployment, int replica, long endNanos);
    }

    private final HostSharing sharing;
    private final Reschedule reschedule;
    private final int[] shared;
    private int[] busyOnHost = new int[0];
    private boolean[][] active;
    private int[][] host;
    private long[][] nominalTotal;
    private double[][] nominalDone;
    private long[][] markNanos;
    private double[][] factor;

    HostShares(HostSharing sharing, int[] replicas, Reschedule reschedule) {
        this.sharing = sharing;
        this.reschedule = reschedule;
        this.shared = sharing.deployments().stream().mapToInt(Integer::intValue).sorted().toArray();
        int n = replicas.length;
        active = new boolean[n][];
        host = new int[n][];
        nominalTotal = new long[n][];
        nominalDone = new double[n][];
        markNanos = new long[n][];
        factor = new double[n][];
        for (int d = 0; d < n; d++) {
            active[d] = new boolean[replicas[d]];
            host[d] = new int[replicas[d]];
            nominalTotal[d] = new long[replicas[d]];
            nominalDone[d] = new double[replicas[d]];
            markNanos[d] = new long[replicas[d]];
            factor[d] = new double[replicas[d]];
        }
    }

    boolean shares(int deployment) {
        return sharing.shares(deployment);
    }

    /** Room for replica indices below {@code size} of deployment d (replicas added while running). */
    void grow(int d, int size) {
        if (size <= active[d].length) {
            return;
        }
        active[d] = Arrays.copyOf(active[d], size);
        host[d] = Arrays.copyOf(host[d], size);
        nominalTotal[d] = Arrays.copyOf(nominalTotal[d], size);
        nominalDone[d] = Arrays.copyOf(nominalDone[d], size);
        markNanos[d] = Arrays.copyOf(markNanos[d], size);
        factor[d] = Arrays.copyOf(factor[d], size);
    }

    /**
     * A step of {@code nominal} profiled nanoseconds starts on replica (d, r) on {@code node} at {@code now}; the other
     * steps on the node are re-timed. Returns the step's end at the rate now.
     */
    long start(int d, int r, int node, long nominal, long now) {
        grow(d, r + 1);
        if (node >= busyOnHost.length) {
            busyOnHost = Arrays.copyOf(busyOnHost, node + 1);
        }
        busyOnHost[node]++;
        retime(node, now);
        double f = sharing.factor(busyOnHost[node]);
        active[d][r] = true;
        host[d][r] = node;
        nominalTotal[d][r] = nominal;
        nominalDone[d][r] = 0;
        markNanos[d][r] = now;
        factor[d][r] = f;
        return now + Math.round(nominal * f);
    }

    /** The step on replica (d, r) ended at {@code now}; the other steps on its node are re-timed. */
    void end(int d, int r, long now) {
        if (!active[d][r]) {
            return;
        }
        active[d][r] = false;
        busyOnHost[host[d][r]]--;
        retime(host[d][r], now);
    }

    /** The step's nominal work done by {@code atNanos} at its current rate (for cutting a run short). */
    long nominalAt(int d, int r, long atNanos) {
        return (long) Math.ceil(nominalDone[d][r] + Math.max(0, atNanos - markNanos[d][r]) / factor[d][r]);
    }

    /** The step now ends after {@code nominal} nanoseconds of work in all; its end at the current rate. */
    long cut(int d, int r, long nominal, long now) {
        nominalTotal[d][r] = nominal;
        return Math.max(now, markNanos[d][r] + Math.round((nominal - nominalDone[d][r]) * factor[d][r]));
    }

    private void retime(int node, long now) {
        int busy = busyOnHost[node];
        if (busy == 0) {
            return;
        }
        double f = sharing.factor(busy);
        for (int d : shared) {
            for (int r = 0; r < active[d].length; r++) {
                if (!active[d][r] || host[d][r] != node || factor[d][r] == f) {
                    continue;
                }
                nominalDone[d][r] += (now - markNanos[d][r]) / factor[d][r];
                markNanos[d][r] = now;
                factor[d][r] = f;
                reschedule.stepEnd(d, r, now + Math.max(0, Math.round((nominalTotal[d][r] - nominalDone[d][r]) * f)));
            }
        }
    }
}
