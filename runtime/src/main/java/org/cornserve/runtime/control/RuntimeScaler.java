package org.cornserve.runtime.control;

import java.util.ArrayList;
import java.util.List;
import org.cornserve.planner.schedule.ReplicaStatus;
import org.cornserve.planner.schedule.SchedulerCore;
import org.cornserve.planner.schedule.scale.Autoscaler;
import org.cornserve.planner.schedule.scale.PlanAutoscale;
import org.cornserve.planner.schedule.scale.ScaleSettings;
import org.cornserve.runtime.serve.ScalingStats;

/**
 * Scales the runtime's deployments with load through the shared core's {@link Autoscaler}, as the simulator does:
 * the same policy and settings (read by {@link PlanAutoscale}), evaluated on the control loop at the times it
 * returns, measuring only what the core knows (busy time, outstanding invocations). Its decisions reach the
 * executors through the dispatcher: {@code addReplica} makes the core decide {@code startReplica} (the task manager
 * launches an executor; the replica gets no work until the executor reports ready and {@link #up} is called), and
 * {@code removeReplica} drains the replica (no new work, in-flight work finishes) before {@code stopReplica} stops
 * its executor. Device slots bound scale-ups: every deployment takes slots from one pool of {@code slots} (the
 * control plane's: the plan's cluster devices or the runtime's {@code --devices}, whichever is fewer).
 *
 * <p>It also keeps the log of every replica start, up and stop (in the simulator's terms) and each replica's
 * measured start-up and replica-seconds, for {@code /metrics} and the admin endpoint. Not thread-safe: call every
 * method on the loop thread (the control plane takes {@link #snapshot} there and hands the copy to HTTP threads).
 */
public final class RuntimeScaler {
    /** What happened to a replica (as the simulator's scaling report says it). */
    public enum Kind { START, UP, STOP }

    /** A replica of a deployment started, came up or stopped at a time (loop clock). */
    public record Change(long timeNanos, int deployment, int replica, Kind kind) {
    }

    private final SchedulerCore core;
    private final LoopServices timers;
    private final Autoscaler autoscaler;
    private final List<ScaleSettings> settings;
    private final List<Change> changes = new ArrayList<>();
    private final List<List<Long>> startupNanos = new ArrayList<>();
    private final List<List<long[]>> exists = new ArrayList<>();
    private long servingFromNanos = -1;
    private boolean armed;
    private boolean stopped;

    /**
     * @param core the dispatcher's core
     * @param timers the loop that runs evaluations ({@link LoopServices#at}) and tells the time
     * @param scaling the plan's scaling, or null when no deployment scales (then it only keeps the log)
     * @param devicesPerReplica per deployment, device slots one replica holds
     * @param slots the device slots the runtime may use, all deployments together
     * @param tolerance the policy's tolerance band
     * @param intervalNanos time between evaluations
     */
    public RuntimeScaler(SchedulerCore core, LoopServices timers, PlanAutoscale scaling, int[] devicesPerReplica,
            int slots, double tolerance, long intervalNanos) {
        this.core = core;
        this.timers = timers;
        int n = core.deploymentCount();
        for (int d = 0; d < n; d++) {
            startupNanos.add(new ArrayList<>());
            exists.add(new ArrayList<>());
        }
        if (scaling == null) {
            autoscaler = null;
            settings = java.util.Collections.nCopies(n, null);
        } else {
            settings = scaling.settings();
            autoscaler = new Autoscaler(core, scaling.policy().create(tolerance), settings, devicesPerReplica,
                    new int[n], new int[] {slots}, intervalNanos);
        }
    }

    /** Whether any deployment scales. */
    public boolean scales() {
        return autoscaler != null;
    }

    /**
     * Serving begins at {@code atNanos}: the plan's replicas count from then, and the first evaluation (which opens
     * the first measurement window) is armed for then. Once.
     */
    public void start(long atNanos) {
        if (armed) {
            return;
        }
        armed = true;
        servingFromNanos = atNanos;
        if (autoscaler != null) {
            timers.at(atNanos, this::evaluate);
        }
    }

    /** Scales deployment {@code d} only while {@code active} holds (see {@link Autoscaler#activeWhen}). */
    public void activeWhen(java.util.function.IntPredicate active) {
        if (autoscaler != null) {
            autoscaler.activeWhen(active);
        }
    }

    /** No evaluation after this (the runtime is closing). */
    public void stop() {
        stopped = true;
    }

    private void evaluate() {
        if (stopped) {
            return;
        }
        long now = timers.nowNanos();
        long next = autoscaler.evaluate(now);
        timers.at(Math.max(next, now + 1), this::evaluate);
    }

    /** Decision applied: replica ({@code d}, {@code r}) starts (its executor is being launched). */
    public void started(int d, int r) {
        changes.add(new Change(timers.nowNanos(), d, r, Kind.START));
        existence(d, r)[0] = timers.nowNanos();
    }

    /**
     * Fact: replica ({@code d}, {@code r})'s executor is ready after {@code startupNanos} from its launch (-1: not
     * measured); call after the core heard {@code replicaUp}.
     */
    public void up(int d, int r, long startupNanos) {
        changes.add(new Change(timers.nowNanos(), d, r, Kind.UP));
        List<Long> s = this.startupNanos.get(d);
        while (s.size() <= r) {
            s.add(-1L);
        }
        if (startupNanos >= 0) {
            s.set(r, startupNanos);
        }
    }

    /** Decision applied: replica ({@code d}, {@code r}) drained and its executor stops. */
    public void stopped(int d, int r) {
        changes.add(new Change(timers.nowNanos(), d, r, Kind.STOP));
        existence(d, r)[1] = timers.nowNanos();
    }

    /** Replica r's {start, stop} times, -1 for not (yet): the plan's replicas start when serving begins. */
    private long[] existence(int d, int r) {
        List<long[]> e = exists.get(d);
        while (e.size() <= r) {
            e.add(new long[] {-1, -1});
        }
        return e.get(r);
    }

    /**
     * Replica-seconds deployment {@code d} held from serving's start to {@code nowNanos}: each replica from its start
     * decision (the plan's from {@link #start}) to its stop, loading and draining included, both clamped to
     * {@code nowNanos}, as the simulator counts device time. 0 before {@link #start}.
     */
    public double replicaSeconds(int d, long nowNanos) {
        if (servingFromNanos < 0) {
            return 0;
        }
        for (int r = 0; r < core.replicaCount(d); r++) {
            existence(d, r);
        }
        long total = 0;
        for (long[] e : exists.get(d)) {
            long from = Math.min(e[0] < 0 ? servingFromNanos : e[0], nowNanos);
            long to = Math.min(e[1] < 0 ? nowNanos : e[1], nowNanos);
            total += Math.max(0, to - from);
        }
        return total / 1e9;
    }

    /** Every start, up and stop so far, in order (a copy). */
    public List<Change> changes() {
        return List.copyOf(changes);
    }

    /** Replicas the autoscaler added to deployment {@code d} so far. */
    public long scaleUps(int d) {
        return autoscaler == null ? 0 : autoscaler.scaleUps(d);
    }

    /** Replicas of deployment {@code d} the autoscaler removed so far. */
    public long scaleDowns(int d) {
        return autoscaler == null ? 0 : autoscaler.scaleDowns(d);
    }

    /** Every deployment's replicas, decisions and start-ups now; on the loop thread. Cost O(replicas). */
    public List<ScalingStats.Deployment> snapshot() {
        List<ScalingStats.Deployment> out = new ArrayList<>();
        for (int d = 0; d < core.deploymentCount(); d++) {
            int starting = 0;
            int up = 0;
            int draining = 0;
            for (int r = 0; r < core.replicaCount(d); r++) {
                ReplicaStatus status = core.replicaStatus(d, r);
                switch (status) {
                    case STARTING -> starting++;
                    case UP -> up++;
                    case DRAINING -> draining++;
                    default -> {
                    }
                }
            }
            ScaleSettings s = settings.get(d);
            List<ScalingStats.Startup> startups = new ArrayList<>();
            List<Long> measured = startupNanos.get(d);
            for (int r = 0; r < measured.size(); r++) {
                if (measured.get(r) >= 0) {
                    startups.add(new ScalingStats.Startup(r, measured.get(r) / 1e9));
                }
            }
            List<ScalingStats.Event> events = new ArrayList<>();
            for (Change c : changes) {
                if (c.deployment() == d) {
                    // the plan's replicas come up before serving begins: at 0 s
                    double at = servingFromNanos < 0 ? 0 : Math.max(0, c.timeNanos() - servingFromNanos) / 1e9;
                    events.add(new ScalingStats.Event(at, c.replica(), c.kind().name()));
                }
            }
            if (events.size() > ScalingStats.MAX_EVENTS) {
                events = events.subList(events.size() - ScalingStats.MAX_EVENTS, events.size());
            }
            out.add(new ScalingStats.Deployment(core.deployment(d).name(), starting, up, draining,
                    s == null ? null : new ScalingStats.Autoscale(s.metric().metricName(), s.target(), s.minReplicas(),
                            s.maxReplicas()), scaleUps(d), scaleDowns(d), startups,
                    replicaSeconds(d, timers.nowNanos()), events));
        }
        return out;
    }
}
