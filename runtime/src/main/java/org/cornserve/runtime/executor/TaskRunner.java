package org.cornserve.runtime.executor;

import java.util.function.BooleanSupplier;

/**
 * One unit task hosted by an executor, driven step by step as the control plane's scheduler planned: it keeps each
 * open invocation's state (a sequence's tokens and KV blocks, a diffusion job's latent) between steps. Called from
 * the executor's single worker thread.
 */
interface TaskRunner {

    /** The unit task's key. */
    String task();

    /** An invocation's inputs are ready: read them and keep its state. */
    void open(ExecutorCommand.Open open);

    /**
     * Runs one step; a multi-iteration step stops early when {@code cut} says so or a member ends.
     *
     * @throws RuntimeException when the task fails; the executor drops every member of the step
     */
    void step(ExecutorCommand.RunStep step, StepOutcome out, BooleanSupplier cut);

    /** Forgets an invocation (freeing its KV blocks); unknown ids are ignored. */
    void close(long invocation);

    /** Invocations open. */
    int open();

    /** Runs a small invocation end to end so the JIT has compiled the hot paths before real work arrives. */
    void warmUp();
}
