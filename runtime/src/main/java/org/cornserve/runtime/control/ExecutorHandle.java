package org.cornserve.runtime.control;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cornserve.runtime.executor.ExecutorCommand;
import org.cornserve.runtime.executor.FrameChannel;
import org.cornserve.runtime.launch.ExecutorSpec;
import org.cornserve.runtime.launch.LaunchedExecutor;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;

/**
 * The control plane's side of one executor: its spec, its process, its connection once it has called back, and
 * whether it is ready. Commands sent to an executor that is not connected, or whose connection broke, are dropped:
 * the executor is then down, and {@link ExecutorEvents#down} tells the control plane so, after its process has
 * exited and the shared-memory segments it left behind (a crash leaves some) are deleted.
 */
public final class ExecutorHandle {
    private final ExecutorSpec spec;
    private final long launchedAtNanos;
    private final ExecutorEvents events;
    private final AtomicBoolean down = new AtomicBoolean();
    private volatile LaunchedExecutor process;
    private volatile FrameChannel channel;
    private volatile boolean ready;
    private volatile long pid = -1;
    private volatile org.cornserve.runtime.executor.ExecutorReport.Sidecar sidecar;
    private final Runnable flusher = this::flush;

    ExecutorHandle(ExecutorSpec spec, long launchedAtNanos, ExecutorEvents events) {
        this.spec = spec;
        this.launchedAtNanos = launchedAtNanos;
        this.events = events;
    }

    public String id() {
        return spec.id();
    }

    public ExecutorSpec spec() {
        return spec;
    }

    /** The executor's OS process id, once it has said hello; -1 before. */
    public long pid() {
        return pid;
    }

    public boolean ready() {
        return ready && !down.get();
    }

    public boolean isDown() {
        return down.get();
    }

    long launchedAtNanos() {
        return launchedAtNanos;
    }

    void attachProcess(LaunchedExecutor launched) {
        this.process = launched;
        launched.exited().thenAccept(how -> markDown("process ended (" + how + ")"));
    }

    /** What the launcher returned (null before launch). */
    LaunchedExecutor launched() {
        return process;
    }

    void attachChannel(FrameChannel ch, long pid) {
        this.channel = ch;
        this.pid = pid;
    }

    void attachSidecar(org.cornserve.runtime.executor.ExecutorReport.Sidecar endpoint) {
        this.sidecar = endpoint;
    }

    /** Where the executor's sidecar takes tensors from other hosts, once it has said so; null before. */
    public org.cornserve.runtime.executor.ExecutorReport.Sidecar sidecar() {
        return sidecar;
    }

    void markReady() {
        ready = true;
    }

    /** Sends a command; a broken connection marks the executor down. */
    public void send(ExecutorCommand command) {
        onChannel(ch -> ch.send(command));
    }

    /** Something done with the connection that may find it broken. */
    private interface ChannelWrite {
        void to(FrameChannel ch) throws IOException;
    }

    /** Does {@code write} on the connection, if connected and up; a broken connection marks the executor down. */
    private void onChannel(ChannelWrite write) {
        FrameChannel ch = channel;
        if (ch == null || down.get()) {
            return;
        }
        try {
            write.to(ch);
        } catch (IOException e) {
            markDown("connection broke: " + e.getMessage());
        }
    }

    /**
     * Writes a command into the connection's buffer without sending it yet ({@link #flush} sends it); a broken
     * connection marks the executor down.
     */
    void queue(ExecutorCommand command) {
        onChannel(ch -> ch.queue(command));
    }

    /** {@link #flush} as one object, so a loop asked for it twice in one fact runs it once. */
    Runnable flusher() {
        return flusher;
    }

    /** Sends the commands {@link #queue} left in the buffer, in one write. */
    void flush() {
        onChannel(FrameChannel::flush);
    }

    /** The connection's frame counts ({@link FrameChannel#counts}); zeros before it connected. */
    long[] linkCounts() {
        FrameChannel ch = channel;
        return ch == null ? new long[5] : ch.counts();
    }

    /** Marks the executor down once, closing its connection and killing its process. */
    void markDown(String why) {
        if (down.compareAndSet(false, true)) {
            FrameChannel ch = channel;
            if (ch != null) {
                ch.close();
            }
            LaunchedExecutor p = process;
            if (p != null) {
                p.kill();
                try {
                    p.exited().get(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // deleted below anyway; a live process keeps its mappings
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            SharedMemorySidecar.deleteProcess(spec.shmDir(), spec.session(), spec.id());
            events.down(this, why);
        }
    }

    /** Kills the process (a crash, for tests and fault drills). */
    public void kill() {
        LaunchedExecutor p = process;
        if (p != null) {
            p.kill();
        }
    }

    /** Asks the executor to exit, waits up to {@code graceMillis}, then kills it. */
    void stop(long graceMillis) {
        send(new ExecutorCommand.Shutdown());
        LaunchedExecutor p = process;
        if (p != null) {
            p.stop(graceMillis);
        }
        markDown("stopped");
    }

    @Override
    public String toString() {
        return "executor " + spec.id() + " " + spec.tasks() + (pid >= 0 ? " pid " + pid : "");
    }
}
