package org.cornserve.runtime.app;

/** The client closed the connection; the request's tasks were cancelled. */
public final class ClientGoneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ClientGoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
