package org.cornserve.runtime.app;

import java.util.List;

/**
 * An app was not registered: its source does not compile, or it lacks a part, or it names a model this server
 * does not serve. Nothing registered changed.
 */
public final class AppRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int httpStatus;
    private final transient List<Diagnostic> diagnostics;

    /** A compiler error at a line and column of the source. */
    public record Diagnostic(long line, long column, String message) {
        @Override
        public String toString() {
            return "line " + line + ", column " + column + ": " + message;
        }
    }

    public AppRejectedException(int httpStatus, String message, List<Diagnostic> diagnostics) {
        super(message);
        this.httpStatus = httpStatus;
        this.diagnostics = List.copyOf(diagnostics);
    }

    public AppRejectedException(String message) {
        this(400, message, List.of());
    }

    public int httpStatus() {
        return httpStatus;
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
