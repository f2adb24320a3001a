package org.cornserve.runtime.control;

import org.cornserve.runtime.executor.ExecutorReport;

/** What executors tell the control plane; called from network threads. */
public interface ExecutorEvents {

    /** The executor loaded and warmed up its tasks; {@code startupNanos} runs from its launch to now. */
    void ready(ExecutorHandle executor, ExecutorReport.Ready ready, long startupNanos);

    /** A report (a step ended, an open failed). */
    void report(ExecutorHandle executor, ExecutorReport report);

    /** The executor is gone (its process exited or its connection dropped). Called once. */
    void down(ExecutorHandle executor, String why);
}
