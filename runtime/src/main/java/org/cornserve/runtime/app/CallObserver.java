package org.cornserve.runtime.app;

import org.cornserve.runtime.serve.OutputSink;

/** Told about every task call that ended, for metrics (TTFT, TPOT, per-model outcomes). */
@FunctionalInterface
public interface CallObserver {

    /** Ignores every call. */
    CallObserver NONE = call -> { };

    void callEnded(Call call);

    /**
     * One ended call, in {@link System#nanoTime()} instants.
     *
     * @param model the model called
     * @param startNanos when it was handed to the invoker
     * @param firstTokenNanos the answer's first token ({@link org.cornserve.runtime.serve.OutputSink#firstToken}, or
     *     its first text delta where the back end does not say), or -1 when none came
     * @param lastTextNanos last text delta, or -1
     * @param endNanos when it completed or failed
     * @param completionTokens text tokens generated (0 when it failed)
     * @param failure why it failed, or null when it completed
     */
    record Call(String model, long startNanos, long firstTokenNanos, long lastTextNanos, long endNanos,
            int completionTokens, OutputSink.Failure failure) {
    }
}
