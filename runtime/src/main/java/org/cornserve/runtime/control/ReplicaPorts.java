package org.cornserve.runtime.control;

import org.cornserve.runtime.executor.ExecutorCommand;

/**
 * Where the dispatcher's commands to replicas go: replica {@code r} of deployment {@code d} is one executor. The
 * task managers route to real executors; the parity test routes to fake ones timed by profiles.
 */
public interface ReplicaPorts {

    /** Sends a command to the replica's executor; dropped when the replica is down (a down fact follows). */
    void send(int deployment, int replica, ExecutorCommand command);
}
