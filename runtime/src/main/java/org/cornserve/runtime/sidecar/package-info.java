/**
 * Tensors between executors without the gateway: {@link org.cornserve.runtime.sidecar.SharedMemorySidecar} on one
 * host (reference-counted segments under {@code /dev/shm} named {@code cornserve-<session>-<process>-<n>}, reused
 * once every consumer released them, reclaimed after a timeout), {@link org.cornserve.runtime.sidecar.TensorStreamServer}
 * and {@link org.cornserve.runtime.sidecar.TensorStreamClient} between hosts (a socket stream into the receiving
 * host's shared memory). {@link org.cornserve.runtime.sidecar.SidecarBench} measures both against a memory copy.
 */
package org.cornserve.runtime.sidecar;
