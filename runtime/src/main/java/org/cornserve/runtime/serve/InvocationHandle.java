package org.cornserve.runtime.serve;

/** A started request: its id, and a way to cancel it when the client goes away. */
public interface InvocationHandle {

    /** The request's id, unique within the invoker. */
    long requestId();

    /**
     * Cancels the request (the client left): its queued and running invocations are dropped, their KV blocks and
     * shared-memory tensors freed. The sink gets no more calls after this returns, except possibly one
     * {@code failed}. Idempotent.
     */
    void cancel();

    /** The handle of request {@code id}, already answered or refused: nothing left to cancel. */
    static InvocationHandle finished(long id) {
        return new InvocationHandle() {
            @Override
            public long requestId() {
                return id;
            }

            @Override
            public void cancel() {
            }
        };
    }
}
