/**
 * Starting executors: {@link org.cornserve.runtime.launch.ExecutorLauncher} with the local-process implementation
 * {@link org.cornserve.runtime.launch.LocalProcessLauncher} (child JVMs on the same class path, killed with the
 * parent); a Kubernetes launcher would implement the same interface.
 */
package org.cornserve.runtime.launch;
