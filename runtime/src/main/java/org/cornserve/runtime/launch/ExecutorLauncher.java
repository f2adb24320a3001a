package org.cornserve.runtime.launch;

/**
 * Starts executors: separate OS processes on this machine ({@link LocalProcessLauncher}), or pods on a cluster.
 * A started executor connects back to the control plane at {@link ExecutorSpec#control()}.
 */
public interface ExecutorLauncher {

    /** Starts an executor; returns at once (it connects and reports ready later). */
    LaunchedExecutor launch(ExecutorSpec spec);

    /**
     * Where the control plane listens for its executors: loopback and a free port for processes on this machine; a
     * launcher whose executors run elsewhere (pods) names a port on every interface.
     */
    default java.net.InetSocketAddress listenAddress() {
        return new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
    }
}
