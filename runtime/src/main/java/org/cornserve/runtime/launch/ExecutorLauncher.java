package org.cornserve.runtime.launch;

/**
 * Starts executors: separate OS processes on this machine ({@link LocalProcessLauncher}), or pods on a cluster.
 * A started executor connects back to the control plane at {@link ExecutorSpec#control()}.
 */
public interface ExecutorLauncher {

    /** Starts an executor; returns at once (it connects and reports ready later). */
    LaunchedExecutor launch(ExecutorSpec spec);
}
