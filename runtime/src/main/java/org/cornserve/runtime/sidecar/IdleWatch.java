package org.cornserve.runtime.sidecar;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * An idle timeout for a blocking socket channel (whose reads and writes ignore {@code SO_TIMEOUT}): between
 * {@link #begin} and {@link #end} the peer must move a byte ({@link #progress}) at least once per timeout, or a
 * watchdog thread closes the channel, which wakes the blocked read or write with an exception; {@link #timedOut} then
 * tells the caller why. {@link #readFully} and {@link #writeFully} move bytes and note the progress. Thread-safe.
 */
final class IdleWatch implements AutoCloseable {
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private final SocketChannel ch;
    private final long idleNanos;
    private final ScheduledFuture<?> check;
    /** {@code System.nanoTime()} of the last byte moved in the current exchange; 0 between exchanges. */
    private volatile long lastProgressNanos;
    private volatile boolean timedOut;

    IdleWatch(SocketChannel ch, long idleTimeoutMillis) {
        if (idleTimeoutMillis < 1) {
            throw new IllegalArgumentException("idle timeout must be >= 1 ms, got " + idleTimeoutMillis);
        }
        this.ch = ch;
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
        long period = Math.max(5, idleTimeoutMillis / 4);
        this.check = WATCHDOG.scheduleWithFixedDelay(this::closeIfIdle, period, period, TimeUnit.MILLISECONDS);
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon().name("tensor-stream-watchdog").unstarted(r));
        e.setRemoveOnCancelPolicy(true);
        return e;
    }

    private void closeIfIdle() {
        long since = lastProgressNanos;
        if (since != 0 && System.nanoTime() - since > idleNanos) {
            timedOut = true;
            try {
                ch.close();
            } catch (IOException e) {
                // closed anyway
            }
        }
    }

    /** An exchange starts: the peer has the timeout from now to move a byte. */
    void begin() {
        lastProgressNanos = System.nanoTime();
    }

    /** A byte moved. */
    void progress() {
        lastProgressNanos = System.nanoTime();
    }

    /** The exchange ended: waiting for the next one is not timed. */
    void end() {
        lastProgressNanos = 0;
    }

    /**
     * Fills {@code buf} from the channel; false on a clean end of stream before the first byte when {@code eofOk}.
     *
     * @throws EOFException when the stream ends inside {@code buf}
     */
    boolean readFully(ByteBuffer buf, boolean eofOk) throws IOException {
        boolean any = false;
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) {
                if (eofOk && !any) {
                    return false;
                }
                throw new EOFException("tensor stream ended early");
            }
            if (n > 0) {
                any = true;
                progress();
            }
        }
        return true;
    }

    /** Writes every remaining byte of {@code frame} to the channel. */
    void writeFully(ByteBuffer... frame) throws IOException {
        while (remaining(frame)) {
            if (ch.write(frame) > 0) {
                progress();
            }
        }
    }

    private static boolean remaining(ByteBuffer[] frame) {
        for (ByteBuffer b : frame) {
            if (b.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the watchdog closed the channel. */
    boolean timedOut() {
        return timedOut;
    }

    @Override
    public void close() {
        check.cancel(false);
    }
}
