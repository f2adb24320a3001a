/**
 * Tensors between executors without the gateway: {@link org.cornserve.runtime.sidecar.SharedMemorySidecar} on one
 * host (reference-counted segments under {@code /dev/shm} named {@code cornserve-<session>-<process>-<n>}, reused
 * once every consumer released them, reclaimed after a timeout), read by a consumer either as a copy or where they lie
 * through a {@link org.cornserve.runtime.sidecar.TensorView} that releases its reference when closed, and written by
 * a producer either from an array or where it lies through a {@link org.cornserve.runtime.sidecar.WritableTensor}
 * that it publishes (or frees, when it failed);
 * {@link org.cornserve.runtime.sidecar.TensorStreamServer} and {@link org.cornserve.runtime.sidecar.TensorStreamClient}
 * between hosts (a socket stream into the receiving host's shared memory, with connect and idle timeouts).
 * {@link org.cornserve.runtime.sidecar.SidecarBench} measures them against a memory copy.
 */
package org.cornserve.runtime.sidecar;
