package org.cornserve.runtime.engine.llm;

/** A request can never fit this engine (too long for its positions or its whole KV cache); the message has the numbers. */
public final class RequestRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A refusal explained by {@code message}. */
    public RequestRefusedException(String message) {
        super(message);
    }
}
