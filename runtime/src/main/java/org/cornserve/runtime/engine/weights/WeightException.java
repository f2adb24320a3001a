package org.cornserve.runtime.engine.weights;

/** A tensor is missing, misshaped, of an unsupported type, or a weights file is malformed. */
public final class WeightException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with a message naming the tensor and file. */
    public WeightException(String message) {
        super(message);
    }

    /** An error with a cause. */
    public WeightException(String message, Throwable cause) {
        super(message, cause);
    }
}
