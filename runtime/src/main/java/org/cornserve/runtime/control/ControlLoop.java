package org.cornserve.runtime.control;

import java.util.PriorityQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The control plane's single event-loop thread: facts posted from network callbacks and HTTP threads are run one at
 * a time, in order; timers run when the clock reaches them (ordered by time, then by when they were set, so two
 * timers for the same instant both run and an early one is never lost). Facts that throw are reported and the loop
 * goes on.
 */
public final class ControlLoop implements LoopServices, AutoCloseable {
    private final LongSupplier clock;
    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private long timerSeq;

    private record Timer(long atNanos, long seq, Runnable fact) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(atNanos, o.atNanos);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** Starts the loop thread on {@code clock} (nanoseconds; {@code System::nanoTime} for wall time). */
    public ControlLoop(String name, LongSupplier clock) {
        this.clock = clock;
        this.thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    @Override
    public long nowNanos() {
        return clock.getAsLong();
    }

    /** Runs {@code fact} on the loop; callable from any thread. */
    @Override
    public void post(Runnable fact) {
        inbox.add(fact);
    }

    /** Only from the loop thread (facts set timers). */
    @Override
    public void at(long atNanos, Runnable fact) {
        if (Thread.currentThread() != thread) {
            post(() -> at(atNanos, fact));
            return;
        }
        timers.add(new Timer(atNanos, timerSeq++, fact));
    }

    /** Whether the caller runs on the loop thread. */
    public boolean onLoop() {
        return Thread.currentThread() == thread;
    }

    private void run() {
        while (running) {
            try {
                Timer next = timers.peek();
                long waitNanos = next == null ? TimeUnit.MILLISECONDS.toNanos(100) : next.atNanos - clock.getAsLong();
                Runnable fact = waitNanos <= 0 ? inbox.poll() : inbox.poll(waitNanos, TimeUnit.NANOSECONDS);
                if (fact != null) {
                    safely(fact);
                }
                long now = clock.getAsLong();
                while (!timers.isEmpty() && timers.peek().atNanos <= now) {
                    safely(timers.poll().fact);
                }
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    private static void safely(Runnable fact) {
        try {
            fact.run();
        } catch (RuntimeException | AssertionError e) {
            System.err.println("control loop: a fact failed: " + e);
            e.printStackTrace();
        }
    }

    /** Stops the loop thread (facts still queued are dropped). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
