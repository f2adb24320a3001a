/**
 * The runtime's control plane: {@link org.cornserve.runtime.control.ControlPlane} implements the gateway's
 * {@link org.cornserve.runtime.serve.ModelInvoker} over task managers (one per deployment: start, watch, restart,
 * stop executors), a loopback hub executors call back to, the sidecar, and the
 * {@link org.cornserve.runtime.control.Dispatcher}, which drives the shared scheduling core from a single
 * {@link org.cornserve.runtime.control.ControlLoop} thread and turns its decisions into executor I/O.
 * {@link org.cornserve.runtime.control.Runtimes#start} is the factory a {@code serve} command calls, with the
 * embedded default plan {@link org.cornserve.runtime.control.Runtimes#defaultPlan}.
 */
package org.cornserve.runtime.control;
