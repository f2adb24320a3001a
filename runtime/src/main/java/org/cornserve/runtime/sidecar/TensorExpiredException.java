package org.cornserve.runtime.sidecar;

/** A tensor was read after its segment was reclaimed (timed out or released by every consumer). */
public final class TensorExpiredException extends RuntimeException {
    public TensorExpiredException(String message) {
        super(message);
    }
}
