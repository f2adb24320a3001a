package org.cornserve.runtime.control;

/**
 * What the dispatcher needs from the loop that drives it: the time now, facts to run after the current one, and
 * timers. The real {@link ControlLoop} runs on wall time; a test drives the same dispatcher on a fake clock.
 * Every call comes from inside a fact of the loop (one at a time, on the loop's thread or on a thread that borrowed its
 * turn: {@link ControlLoop#runHere}), and every posted fact or timer runs as such a fact.
 */
public interface LoopServices {

    /** The time now, in nanoseconds. */
    long nowNanos();

    /** Runs {@code fact} on the loop after the current fact (never inside it: the core is not re-entered). */
    void post(Runnable fact);

    /** Runs {@code fact} on the loop once the clock reaches {@code atNanos} (at once when it already has). */
    void at(long atNanos, Runnable fact);
}
