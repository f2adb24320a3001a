package org.cornserve.runtime.control;

/**
 * Moves a tensor between replicas for the dispatcher. On one host the producer's shared-memory segment is already
 * readable by the consumer, so the move is done at once; between hosts it streams to the consumer's sidecar; the
 * parity test times it by the simulator's network model.
 */
public interface TensorTransport {

    /** Moves {@code bytes} from the producer's replica to the consumer's, then runs {@code done} on the loop. */
    void move(int fromDeployment, int fromReplica, int toDeployment, int toReplica, long bytes, Runnable done);

    /** Every replica on one host: done at once (posted as a new fact). */
    static TensorTransport sameHost(LoopServices loop) {
        return (fd, fr, td, tr, bytes, done) -> loop.post(done);
    }
}
