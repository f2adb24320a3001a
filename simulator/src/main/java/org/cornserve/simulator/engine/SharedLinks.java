package org.cornserve.simulator.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Links shared fairly among the transfers that use them at once (processor sharing): a link of bandwidth
 * {@code bw} carrying {@code n} transfers moves each at {@code bw / n}. When a transfer starts or ends, the link's
 * transfers are advanced to that instant and every one of them gets a new finish time; the caller schedules those
 * and skips finish events superseded since ({@link #isCurrent}).
 *
 * <p>A transfer's work is its bytes plus its latency expressed as bytes at the link's full bandwidth, so a transfer
 * alone on its link takes exactly {@code latency + bytes / bw} (rounded to the nanosecond as
 * {@link org.cornserve.simulator.config.Network#transferNanos} does) and, under sharing, its latency stretches with
 * the rest (ASSUMPTION: latencies are microseconds, so where they are charged barely matters).
 *
 * <p>Which transfers share a link is the caller's choice of link key. Cost: O(n) per start or end on a link of
 * {@code n} transfers; nothing per byte.
 */
public final class SharedLinks {

    /** Told each new finish time of a transfer; an earlier finish of the same transfer is superseded. */
    @FunctionalInterface
    public interface FinishListener {
        void finishAt(long transfer, long epoch, long atNanos, Object payload);
    }

    private static final class Link {
        final double bytesPerSecond;
        final List<Transfer> active = new ArrayList<>(2);
        long lastNanos;

        Link(double bytesPerSecond) {
            this.bytesPerSecond = bytesPerSecond;
        }
    }

    private static final class Transfer {
        final long id;
        final Link link;
        final Object payload;
        double remainingBytes;
        long epoch;

        Transfer(long id, Link link, double work, Object payload) {
            this.id = id;
            this.link = link;
            this.remainingBytes = work;
            this.payload = payload;
        }
    }

    private final Map<Object, Link> links = new HashMap<>();
    private final Map<Long, Transfer> transfers = new HashMap<>();
    private final FinishListener listener;
    private long nextId;

    public SharedLinks(FinishListener listener) {
        this.listener = listener;
    }

    /**
     * Starts a transfer of {@code bytes} on the link named {@code linkKey} (made with {@code bytesPerSecond} on its
     * first use) at {@code nowNanos}; the listener hears the new transfer's finish and the new finishes of the
     * transfers already on the link.
     *
     * @return the transfer's id
     */
    public long start(Object linkKey, double bytesPerSecond, long latencyNanos, long bytes, long nowNanos,
            Object payload) {
        if (bytes < 0 || latencyNanos < 0 || !(bytesPerSecond > 0)) {
            throw new IllegalArgumentException("a transfer needs bytes >= 0, latency >= 0 and a positive bandwidth");
        }
        Link link = links.computeIfAbsent(linkKey, k -> new Link(bytesPerSecond));
        advance(link, nowNanos);
        double work = bytes + latencyNanos * link.bytesPerSecond / 1e9;
        Transfer t = new Transfer(nextId++, link, work, payload);
        transfers.put(t.id, t);
        link.active.add(t);
        if (link.active.size() == 1) {
            // alone: exactly the unshared time
            t.epoch++;
            listener.finishAt(t.id, t.epoch, nowNanos + latencyNanos + Math.round(bytes / link.bytesPerSecond * 1e9),
                    payload);
        } else {
            reschedule(link, nowNanos);
        }
        return t.id;
    }

    /** True when {@code epoch} is the transfer's latest finish (an older one was superseded by a start or end). */
    public boolean isCurrent(long transfer, long epoch) {
        Transfer t = transfers.get(transfer);
        return t != null && t.epoch == epoch;
    }

    /**
     * Ends a transfer at its current finish time; the listener hears the new (earlier) finishes of the transfers
     * left on its link.
     */
    public void end(long transfer, long nowNanos) {
        Transfer t = transfers.remove(transfer);
        if (t == null) {
            throw new IllegalArgumentException("no transfer " + transfer + " in progress");
        }
        Link link = t.link;
        advance(link, nowNanos);
        link.active.remove(t);
        if (!link.active.isEmpty()) {
            reschedule(link, nowNanos);
        }
    }

    /** Transfers in progress on every link together. */
    public int inProgress() {
        return transfers.size();
    }

    private static void advance(Link link, long nowNanos) {
        int n = link.active.size();
        if (n > 0 && nowNanos > link.lastNanos) {
            double served = (nowNanos - link.lastNanos) / 1e9 * link.bytesPerSecond / n;
            for (Transfer t : link.active) {
                t.remainingBytes = Math.max(0, t.remainingBytes - served);
            }
        }
        link.lastNanos = Math.max(link.lastNanos, nowNanos);
    }

    private void reschedule(Link link, long nowNanos) {
        int n = link.active.size();
        for (Transfer t : link.active) {
            t.epoch++;
            listener.finishAt(t.id, t.epoch, nowNanos + Math.round(t.remainingBytes * n / link.bytesPerSecond * 1e9),
                    t.payload);
        }
    }
}
