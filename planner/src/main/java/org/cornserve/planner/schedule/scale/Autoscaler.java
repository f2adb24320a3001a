package org.cornserve.planner.schedule.scale;

import java.util.Arrays;
import java.util.List;
import org.cornserve.planner.schedule.ReplicaStatus;
import org.cornserve.planner.schedule.SchedulerCore;

/**
 * Scales a core's deployments with load. The engine calls {@link #evaluate} at the times it returns (a periodic
 * timer: the simulator as an event, the runtime on its event-loop thread); each evaluation measures every scaled
 * deployment's demand over the window since the last one from what a live engine knows (the core's busy time and
 * outstanding invocations, never output lengths), asks the {@link ScalingPolicy} for replica counts, and applies
 * them through {@link SchedulerCore#addReplica} (the engine starts the replica, and reports
 * {@link SchedulerCore#replicaUp} after its start-up) and {@link SchedulerCore#removeReplica} (starting replicas
 * first, then the up replica with the least routed work; it drains, then stops), within each deployment's
 * replica bounds and cooldowns and the cluster's devices.
 *
 * <p>Demand in replicas: {@code busy replica-seconds in the window / window / target} for
 * {@link ScaleMetric#UTILIZATION}, {@code outstanding invocations / target} for {@link ScaleMetric#QUEUE}.
 * "Current" counts replicas up or starting: a starting replica already answers demand, so a burst does not add
 * replicas again on every evaluation while the first ones load. Devices: a replica holds its devices from its
 * start decision until it is removed (draining and down replicas still hold them); a scale-up takes only what its
 * pool has free. Cost per evaluation: O(replicas).
 */
public final class Autoscaler {
    /** Default evaluation interval: 15 s, Kubernetes' horizontal pod autoscaler's sync period. */
    public static final long DEFAULT_INTERVAL_NANOS = 15_000_000_000L;

    private final SchedulerCore core;
    private final ScalingPolicy policy;
    private final ScaleSettings[] settings;
    private final int[] devicesPerReplica;
    private final int[] pool;
    private final int[] poolDevices;
    private final long intervalNanos;
    private final int n;
    private final double[] demand;
    private final int[] current;
    private final int[] base;
    private final boolean[] scaled;
    private final int[] desired;
    private final long[] lastBusy;
    private final long[] lastAction;
    private long lastEvaluation = Long.MIN_VALUE;
    private long scaleUps;
    private long scaleDowns;
    private final long[] upsOf;
    private final long[] downsOf;
    private java.util.function.IntPredicate active = d -> true;

    /**
     * @param settings per deployment of the core, its scaling, or null for a deployment that keeps its replicas
     * @param devicesPerReplica per deployment, devices one replica holds
     * @param pool per deployment, the device pool (hardware kind) its replicas take devices from
     * @param poolDevices per pool, the devices the cluster has
     * @param intervalNanos time between evaluations
     */
    public Autoscaler(SchedulerCore core, ScalingPolicy policy, List<ScaleSettings> settings, int[] devicesPerReplica,
            int[] pool, int[] poolDevices, long intervalNanos) {
        this.core = core;
        this.policy = policy;
        this.n = core.deploymentCount();
        if (settings.size() != n || devicesPerReplica.length != n || pool.length != n) {
            throw new IllegalArgumentException("autoscaler needs settings, devices and a pool for each of the core's "
                    + n + " deployments, got " + settings.size() + ", " + devicesPerReplica.length + ", " + pool.length);
        }
        if (intervalNanos < 1) {
            throw new IllegalArgumentException("evaluation interval must be >= 1 ns, got " + intervalNanos);
        }
        this.settings = settings.toArray(new ScaleSettings[0]);
        this.devicesPerReplica = devicesPerReplica.clone();
        this.pool = pool.clone();
        this.poolDevices = poolDevices.clone();
        this.intervalNanos = intervalNanos;
        demand = new double[n];
        current = new int[n];
        base = new int[n];
        scaled = new boolean[n];
        desired = new int[n];
        lastBusy = new long[n];
        lastAction = new long[n];
        upsOf = new long[n];
        downsOf = new long[n];
        Arrays.fill(lastAction, Long.MIN_VALUE / 2);
        for (int d = 0; d < n; d++) {
            base[d] = core.deployment(d).replicas();
            scaled[d] = this.settings[d] != null;
            if (pool[d] < 0 || pool[d] >= poolDevices.length) {
                throw new IllegalArgumentException("deployment " + core.deployment(d).name() + ": no device pool "
                        + pool[d] + " (there are " + poolDevices.length + ")");
            }
        }
        for (int p = 0; p < poolDevices.length; p++) {
            if (devicesHeld(p) > poolDevices[p]) {
                throw new IllegalArgumentException("the plan's replicas hold " + devicesHeld(p) + " devices of pool "
                        + p + ", which has " + poolDevices[p]);
            }
        }
    }

    /**
     * Scales deployment {@code d} only while {@code active} holds for it (the runtime: while a registered app uses
     * it, so that a deployment whose last app left is not brought back to its minimum); every scaled deployment is
     * active by default (the simulator).
     */
    public void activeWhen(java.util.function.IntPredicate active) {
        this.active = java.util.Objects.requireNonNull(active, "active");
    }

    /**
     * Measures, decides and acts at {@code nowNanos}; returns when to evaluate next. The first call only starts
     * the measurement window.
     */
    public long evaluate(long nowNanos) {
        if (lastEvaluation == Long.MIN_VALUE) {
            for (int d = 0; d < n; d++) {
                lastBusy[d] = core.busyNanos(d, nowNanos);
            }
            lastEvaluation = nowNanos;
            return nowNanos + intervalNanos;
        }
        long window = nowNanos - lastEvaluation;
        if (window <= 0) {
            return lastEvaluation + intervalNanos;
        }
        for (int d = 0; d < n; d++) {
            long busy = core.busyNanos(d, nowNanos);
            current[d] = count(d, ReplicaStatus.UP) + count(d, ReplicaStatus.STARTING);
            desired[d] = current[d];
            if (scaled[d]) {
                ScaleSettings s = settings[d];
                demand[d] = switch (s.metric()) {
                    case UTILIZATION -> (double) (busy - lastBusy[d]) / window / s.target();
                    case QUEUE -> core.outstanding(d) / s.target();
                };
            }
            lastBusy[d] = busy;
        }
        lastEvaluation = nowNanos;
        policy.desired(demand, current, base, scaled, desired);
        for (int d = 0; d < n; d++) {
            if (!scaled[d] || !active.test(d)) {
                continue;
            }
            ScaleSettings s = settings[d];
            int want = Math.max(s.minReplicas(), Math.min(s.maxReplicas(), desired[d]));
            if (want > current[d] && nowNanos - lastAction[d] >= s.upCooldownNanos()) {
                int added = 0;
                while (current[d] + added < want && poolDevices[pool[d]] - devicesHeld(pool[d]) >= devicesPerReplica[d]) {
                    core.addReplica(d, nowNanos);
                    added++;
                }
                if (added > 0) {
                    lastAction[d] = nowNanos;
                    scaleUps += added;
                    upsOf[d] += added;
                }
            } else if (want < current[d] && nowNanos - lastAction[d] >= s.downCooldownNanos()) {
                for (int k = current[d] - want; k > 0; k--) {
                    core.removeReplica(d, victim(d), nowNanos);
                    scaleDowns++;
                    downsOf[d]++;
                }
                lastAction[d] = nowNanos;
            }
        }
        return nowNanos + intervalNanos;
    }

    /** The replica to remove: the newest starting one, else the up one with the least routed work (newest on ties). */
    private int victim(int d) {
        int best = -1;
        for (int r = core.replicaCount(d) - 1; r >= 0; r--) {
            if (core.replicaStatus(d, r) == ReplicaStatus.STARTING) {
                return r;
            }
            if (core.replicaStatus(d, r) == ReplicaStatus.UP
                    && (best < 0 || core.routedWork(d, r) < core.routedWork(d, best))) {
                best = r;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("deployment " + core.deployment(d).name() + " has no replica to remove");
        }
        return best;
    }

    private int count(int d, ReplicaStatus status) {
        int c = 0;
        for (int r = 0; r < core.replicaCount(d); r++) {
            if (core.replicaStatus(d, r) == status) {
                c++;
            }
        }
        return c;
    }

    /** Devices of pool {@code p} held by replicas not removed. */
    public int devicesHeld(int p) {
        int held = 0;
        for (int d = 0; d < n; d++) {
            if (pool[d] == p) {
                held += devicesPerReplica[d] * (core.replicaCount(d) - count(d, ReplicaStatus.REMOVED));
            }
        }
        return held;
    }

    /** Replicas added so far. */
    public long scaleUps() {
        return scaleUps;
    }

    /** Replicas marked for removal so far. */
    public long scaleDowns() {
        return scaleDowns;
    }

    /** Replicas added to deployment {@code d} so far. */
    public long scaleUps(int d) {
        return upsOf[d];
    }

    /** Replicas of deployment {@code d} marked for removal so far. */
    public long scaleDowns(int d) {
        return downsOf[d];
    }

    /** The deployment's scaling, or null when it keeps its replicas. */
    public ScaleSettings settings(int d) {
        return settings[d];
    }
}
