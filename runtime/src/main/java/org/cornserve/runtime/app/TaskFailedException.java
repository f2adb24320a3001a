package org.cornserve.runtime.app;

/**
 * A task call failed: the HTTP status the gateway answers with when nothing was sent yet, the stage that failed
 * (a unit task such as {@code tiny-vl/llm}, or {@code admission}) and why.
 */
public final class TaskFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int httpStatus;
    private final String stage;

    public TaskFailedException(int httpStatus, String stage, String message) {
        super(stage + ": " + message);
        this.httpStatus = httpStatus;
        this.stage = stage;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String stage() {
        return stage;
    }
}
