package org.cornserve.runtime.gateway;

/**
 * A request the gateway answers with an error: the HTTP status, an OpenAI-style error type and a message that says
 * what is wrong (the field, the limit, the known names).
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public ApiError(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The OpenAI error type for a status. */
    public static String type(int status) {
        return switch (status) {
            case 400, 404, 409, 413, 415 -> "invalid_request_error";
            case 401, 403 -> "authentication_error";
            case 429 -> "rate_limit_error";
            case 503 -> "overloaded_error";
            default -> "server_error";
        };
    }
}
