package org.cornserve.runtime.control;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.cornserve.planner.schedule.ReplicaStatus;
import org.cornserve.planner.schedule.SchedulerCore;
import org.cornserve.runtime.app.AppRejectedException;
import org.cornserve.runtime.app.Task;

/**
 * Which app uses which deployment, and the deployments' life with their apps (the resource manager's half of
 * registering an app). A deployment no app uses has no replica: the first app that needs it adds the plan's
 * replicas to it (the scheduler core's {@code addReplica}: executors start on their device slots) and its
 * registration completes once every one of them is up; the last app that leaves removes them (they drain, then
 * their executors stop). An executor of a starting deployment that dies before it is ready fails every
 * registration waiting on that deployment (503 with the reason), and what those apps held is released. With
 * {@code pinned}, every deployment was started with the plan and is held by it, so apps only share it.
 *
 * <p>Runs on the control loop thread, like the core it drives.
 */
final class AppDeployments {
    private final SchedulerCore core;
    private final AppNeeds needs;
    private final int[] planReplicas;
    private final String[] names;
    private final LongSupplier clock;
    private final boolean pinned;
    private final List<Set<String>> users = new ArrayList<>();
    private final List<Set<Integer>> starting = new ArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>();

    /** A registration waiting for its deployments to come up. */
    private record Waiter(String app, Set<Integer> deployments, CompletableFuture<Void> done) {
    }

    /**
     * @param planReplicas each deployment's replicas in the plan (what a deployment starts with)
     * @param pinned whether every deployment was started with the plan and stays (no app deploys or removes it)
     */
    AppDeployments(SchedulerCore core, AppNeeds needs, int[] planReplicas, String[] names, LongSupplier clock,
            boolean pinned) {
        this.core = core;
        this.needs = needs;
        this.planReplicas = planReplicas.clone();
        this.names = names.clone();
        this.clock = clock;
        this.pinned = pinned;
        for (int d = 0; d < planReplicas.length; d++) {
            users.add(new LinkedHashSet<>());
            starting.add(new TreeSet<>());
        }
    }

    /**
     * Removes the replicas the core was built with (it starts with the plan's, {@code STARTING}): with apps deciding
     * what runs, nothing runs before the first registration.
     */
    void startEmpty() {
        for (int d = 0; d < names.length; d++) {
            removeAll(d);
        }
    }

    /** Deploys what {@code app}'s tasks need; {@code done} completes when all of it serves, or fails with why. */
    void deploy(String app, Collection<Task> tasks, CompletableFuture<Void> done) {
        Set<Integer> needed;
        try {
            needed = needs.deployments(tasks);
        } catch (IllegalArgumentException e) {
            done.completeExceptionally(new AppRejectedException(e.getMessage()));
            return;
        }
        for (int d : needed) {
            boolean idle = users.get(d).isEmpty() && !pinned;
            users.get(d).add(app);
            if (idle) {
                long now = clock.getAsLong();
                for (int i = 0; i < planReplicas[d]; i++) {
                    starting.get(d).add(core.addReplica(d, now));
                }
            }
        }
        Waiter w = new Waiter(app, needed, done);
        if (!completeIfUp(w)) {
            waiters.add(w);
        }
    }

    /** Replica {@code r} of deployment {@code d} is up (loaded and warmed up). */
    void replicaUp(int d, int r) {
        if (d < 0 || d >= starting.size() || !starting.get(d).remove(r) || !starting.get(d).isEmpty()) {
            return;
        }
        waiters.removeIf(this::completeIfUp);
    }

    /**
     * Replica {@code r}'s executor of deployment {@code d} went down; {@code ready} says whether it had come up.
     * One that never came up while its deployment was starting fails the registrations waiting on it.
     */
    void executorDown(int d, int r, boolean ready, String why) {
        if (ready || d < 0 || d >= starting.size() || !starting.get(d).contains(r)) {
            return;
        }
        String reason = "deployment " + names[d] + " did not start: replica " + r + "'s executor " + why;
        List<Waiter> failed = new ArrayList<>();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.deployments().contains(d)) {
                it.remove();
                failed.add(w);
            }
        }
        for (Waiter w : failed) {
            drop(w.app());
            w.done().completeExceptionally(new AppRejectedException(503, "app '" + w.app() + "' was not registered: "
                    + reason, List.of()));
        }
    }

    /** App {@code app} is gone (or gave up waiting): deployments no other app uses drain and stop. */
    void release(String app) {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.app().equals(app)) {
                it.remove();
                w.done().completeExceptionally(new AppRejectedException(503, "app '" + app + "' was released while"
                        + " its deployments started", List.of()));
            }
        }
        drop(app);
    }

    /** The apps using deployment {@code d}, in the order they came. */
    List<String> users(int d) {
        return List.copyOf(users.get(d));
    }

    /** Whether an app uses deployment {@code d} (a pinned plan's deployments always count as used). */
    boolean inUse(int d) {
        return pinned || !users.get(d).isEmpty();
    }

    /** Whether the deployments were started with the plan rather than by apps. */
    boolean pinned() {
        return pinned;
    }

    private void drop(String app) {
        for (int d = 0; d < users.size(); d++) {
            if (users.get(d).remove(app) && users.get(d).isEmpty() && !pinned) {
                removeAll(d);
            }
        }
    }

    /** Removes every live replica of {@code d}: up ones drain, starting or down ones stop at once. */
    private void removeAll(int d) {
        starting.get(d).clear();
        long now = clock.getAsLong();
        for (int r = 0; r < core.replicaCount(d); r++) {
            ReplicaStatus s = core.replicaStatus(d, r);
            if (s != ReplicaStatus.REMOVED && s != ReplicaStatus.DRAINING) {
                core.removeReplica(d, r, now);
            }
        }
    }

    private boolean completeIfUp(Waiter w) {
        for (int d : w.deployments()) {
            if (!starting.get(d).isEmpty()) {
                return false;
            }
        }
        w.done().complete(null);
        return true;
    }
}
