package org.cornserve.runtime.control;

import java.util.Arrays;
import java.util.Locale;
import org.cornserve.runtime.sidecar.TensorRef;

/**
 * Moves a tensor between replicas for the dispatcher. On one host the producer's shared-memory segment is already
 * readable by the consumer, so the move is done at once; between hosts it streams to the consumer's sidecar
 * ({@link SidecarTensorTransport}); the parity test times it by the simulator's network model.
 */
public interface TensorTransport {

    /** Moves {@code bytes} from the producer's replica to the consumer's, then runs {@code done} on the loop. */
    void move(int fromDeployment, int fromReplica, int toDeployment, int toReplica, long bytes, Runnable done);

    /**
     * Moves {@code tensor} (null: the edge carries no tensor) from the producer's replica to the consumer's; on the
     * loop, {@code done} gets the reference the consumer reads (the same one where both share memory) or the reason
     * the move failed.
     */
    default void move(int fromDeployment, int fromReplica, int toDeployment, int toReplica, TensorRef tensor,
            long bytes, Moved done) {
        move(fromDeployment, fromReplica, toDeployment, toReplica, bytes, () -> done.moved(tensor));
    }

    /**
     * Null where replica ({@code d}, {@code r}) shares the control plane's memory; else the control plane's sidecar
     * stream, where the replica fetches a request's media the control plane placed and streams the outputs the
     * control plane reads (a WAV, a PNG): {@link org.cornserve.runtime.executor.ExecutorCommand.Open#fetchFrom()} and
     * {@link org.cornserve.runtime.executor.ExecutorCommand.Open#controlCopyTo()}.
     */
    default String controlSidecarFor(int d, int r) {
        return null;
    }

    /** The end of a move. */
    interface Moved {
        /** The tensor is readable by the consumer as {@code tensor}. */
        void moved(TensorRef tensor);

        /** It could not be moved. */
        void failed(String reason);
    }

    /** Every replica on one host: done at once (posted as a new fact). */
    static TensorTransport sameHost(LoopServices loop) {
        return (fd, fr, td, tr, bytes, done) -> loop.post(done);
    }

    /** How tensors cross between executors ({@code serve --tensor-transport}). */
    enum Mode {
        /** shared memory between processes of one shared-memory domain, the socket stream between others */
        AUTO,
        /** shared memory always (every executor on this host) */
        SHM,
        /** the socket stream between any two processes, also on one host (a test of the cross-host path) */
        SOCKET;

        /** The mode named {@code name} (auto, shm, socket). */
        public static Mode byName(String name) {
            for (Mode m : values()) {
                if (m.name().equalsIgnoreCase(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("tensor transport '" + name + "': expected one of "
                    + Arrays.stream(values()).map(m -> m.name().toLowerCase(Locale.ROOT)).toList());
        }
    }
}
