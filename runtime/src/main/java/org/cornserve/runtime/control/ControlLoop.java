package org.cornserve.runtime.control;

import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The control plane's event loop: facts posted from network callbacks and HTTP threads are run one at a time, in
 * order; timers run when the clock reaches them (ordered by time, then by when they were set, so two timers for the
 * same instant both run and an early one is never lost). Facts that throw are reported and the loop goes on.
 *
 * <p>One fact at a time is a turn held by one thread: the loop's own thread, or, for facts handed in with
 * {@link #runHere}, the thread that hands them in when no other holds the turn. The executors' report readers use it,
 * so a step's report is applied, and the next step sent, without waking the loop thread first (a hand-off that cost
 * a scheduler wake-up per step, milliseconds on a busy machine). Facts still never overlap and run in the order they
 * were handed in; the loop thread runs whatever a reader leaves queued, and the timers.
 */
public final class ControlLoop implements LoopServices, AutoCloseable {
    /** Facts a thread other than the loop's runs in one turn before it leaves the rest to the loop thread. */
    private static final int FACTS_PER_BORROWED_TURN = 64;
    /**
     * The longest the loop thread parks: every fact handed in and every timer earlier than the one it waits for
     * wakes it, so this is a safety net, long enough that an idle loop costs no CPU to speak of (at 100 ms it woke
     * ten times a second, as often as a served deployment steps at a few requests a second).
     */
    private static final long IDLE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LongSupplier clock;
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final ReentrantLock turn = new ReentrantLock();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    /** When the loop thread next looks at its timers unless woken (Long.MAX_VALUE: only when woken or idle). */
    private volatile long loopWakesAt = Long.MAX_VALUE;
    private long timerSeq;
    /** What facts left to do when they end (flushing the commands they wrote); under the turn. */
    private final java.util.ArrayList<Runnable> atFactEnd = new java.util.ArrayList<>();

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
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
        thread.start();
    }

    @Override
    public long nowNanos() {
        return clock.getAsLong();
    }

    /** Runs {@code fact} on the loop thread, after the facts handed in before it; callable from any thread. */
    @Override
    public void post(Runnable fact) {
        inbox.add(fact);
        if (!turn.isHeldByCurrentThread()) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Runs {@code fact} on the calling thread when no other thread is running facts (with any facts queued before
     * it), else queues it behind them, like {@link #post}. Only for threads that hold no lock a fact may need: a fact
     * runs with whatever the caller holds.
     */
    public void runHere(Runnable fact) {
        inbox.add(fact);
        if (turn.isHeldByCurrentThread() || !running) {
            return; // inside a fact: it runs after the current one, in this same turn
        }
        if (turn.tryLock()) {
            long earliest;
            try {
                runFacts(FACTS_PER_BORROWED_TURN);
                earliest = runDueTimers();
            } finally {
                turn.unlock();
            }
            // the loop thread runs what is left, and must see an earlier timer than the one it sleeps towards
            if (!inbox.isEmpty() || earliest < loopWakesAt) {
                LockSupport.unpark(thread);
            }
        }
        // else the holder sees this fact when it lets go of the turn (it checks the inbox after unlocking)
    }

    /** Only from inside a fact (facts set timers); from elsewhere it is posted first. */
    @Override
    public void at(long atNanos, Runnable fact) {
        if (!turn.isHeldByCurrentThread()) {
            post(() -> at(atNanos, fact));
            return;
        }
        timers.add(new Timer(atNanos, timerSeq++, fact));
    }

    /**
     * Runs {@code action} once the current fact ends (thrown or not), before the next fact runs; the same action
     * (the same object) asked for twice in one fact runs once. False, and nothing is kept, when the caller is not
     * running a fact of this loop. The dispatcher's commands to an executor are written as a fact makes them and
     * sent with one write when it ends, so an executor wakes once for an open and its step.
     */
    public boolean atFactEnd(Runnable action) {
        if (!turn.isHeldByCurrentThread()) {
            return false;
        }
        for (int i = 0; i < atFactEnd.size(); i++) {
            if (atFactEnd.get(i) == action) {
                return true;
            }
        }
        atFactEnd.add(action);
        return true;
    }

    /** Whether the caller is running a fact of this loop. */
    public boolean onLoop() {
        return turn.isHeldByCurrentThread();
    }

    private void run() {
        while (running) {
            long earliest;
            turn.lock();
            try {
                runFacts(Integer.MAX_VALUE);
                earliest = runDueTimers();
                loopWakesAt = earliest;
            } finally {
                turn.unlock();
            }
            if (!inbox.isEmpty()) {
                continue; // handed in while this thread held the turn
            }
            long waitNanos = earliest == Long.MAX_VALUE ? IDLE_WAIT_NANOS
                    : Math.min(IDLE_WAIT_NANOS, earliest - clock.getAsLong());
            if (waitNanos > 0) {
                LockSupport.parkNanos(this, waitNanos);
            }
        }
    }

    /** Runs up to {@code max} queued facts; under the turn. */
    private void runFacts(int max) {
        Runnable fact;
        for (int n = 0; n < max && running && (fact = inbox.poll()) != null; n++) {
            safely(fact);
        }
    }

    /** Runs the timers that are due; under the turn. Returns the next timer's time, Long.MAX_VALUE if none. */
    private long runDueTimers() {
        while (running && !timers.isEmpty() && timers.peek().atNanos <= clock.getAsLong()) {
            safely(timers.poll().fact);
        }
        Timer next = timers.peek();
        return next == null ? Long.MAX_VALUE : next.atNanos;
    }

    private void safely(Runnable fact) {
        try {
            fact.run();
        } catch (RuntimeException | AssertionError e) {
            System.err.println("control loop: a fact failed: " + e);
            e.printStackTrace();
        } finally {
            // by index: an action may ask for another (it runs in this same pass)
            for (int i = 0; i < atFactEnd.size(); i++) {
                try {
                    atFactEnd.get(i).run();
                } catch (RuntimeException e) {
                    System.err.println("control loop: an end-of-fact action failed: " + e);
                }
            }
            atFactEnd.clear();
        }
    }

    /** Stops the loop thread (facts still queued are dropped). */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
