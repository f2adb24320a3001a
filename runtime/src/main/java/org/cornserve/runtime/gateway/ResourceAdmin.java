package org.cornserve.runtime.gateway;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The resource manager as the gateway's admin endpoints see it: {@code GET /admin/deployments} lists each
 * deployment's replicas and device slots, {@code POST /admin/devices/move} hands device slots from one deployment to
 * another while serving. Implemented by the runtime's control plane; an invoker without one answers 404 there.
 */
public interface ResourceAdmin {

    /** One replica: its index, its state in the scheduling core (STARTING, UP, DRAINING, DOWN). */
    record Replica(int index, String status) {}

    /**
     * One deployment with the device slots each replica holds, and the apps that use it ({@code pinned}: it was
     * started with the plan and stays whatever the apps; otherwise a deployment no app uses has no replica).
     */
    record Deployment(String name, int slotsPerReplica, List<Replica> replicas, List<String> apps, boolean pinned) {}

    /** The deployments now, as the scheduling core sees them. */
    List<Deployment> deploymentsNow();

    /**
     * Moves {@code slots} device slots from {@code from} to {@code to}: whole replicas of {@code from} drain (no new
     * work, in-flight work finishes) and stop, and as many replicas of {@code to} start.
     *
     * @return a description once applied; fails with an {@link ApiError} naming what is wrong (404 unknown
     *         deployment, 409 no free slot to give, 400 a bad slot count)
     */
    CompletableFuture<String> moveSlots(String from, String to, int slots);
}
