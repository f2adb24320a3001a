package org.cornserve.simulator.workload;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * An iterator that pulls another one ahead on a second thread: the source's elements (a trace being read,
 * parsed and turned into requests) are made while the consumer (the simulator's event loop) works on earlier
 * ones, and handed over in batches (growing from {@value #FIRST_BATCH} elements to {@code batchSize}) through a
 * queue of at most {@code batches} batches, so memory stays bounded however long the source. The consumer sees
 * exactly the source's sequence; a failure of the source (a bad trace line, an I/O error) is thrown to the
 * consumer, as the same exception, where the source would have thrown it: after every element before it has been
 * handed over.
 *
 * <p>The thread starts on the first {@link #hasNext()} or {@link #next()}, so time spent reading ahead counts
 * towards whatever the consumer times from then on. The source is used only by that thread until it ends;
 * {@link #close()} stops and joins it; closing the source stays with its owner. Not for use by several
 * consumers at once.
 *
 * @param <T> the elements (never null)
 */
public final class ReadAhead<T> implements Iterator<T>, AutoCloseable {
    /** Elements per hand-over: large enough that the queue's locking costs nothing per element. */
    public static final int DEFAULT_BATCH = 1024;
    /**
     * Elements of the first hand-over; each next one is twice as large up to the batch size, so the consumer starts
     * on the first elements while the rest are read (cold, before the JIT has compiled the reading).
     */
    static final int FIRST_BATCH = 16;
    /** Batches read ahead at most. */
    public static final int DEFAULT_BATCHES = 8;

    private final Iterator<? extends T> source;
    private final int batchSize;
    private final BlockingQueue<Batch> queue;
    private Thread producer;
    private volatile boolean closed;
    private Object[] items = new Object[0];
    private int index;
    private int count;
    private boolean ended;
    private Throwable failure;

    /** A run of elements, the last one of the source followed by its end or by its failure. */
    private record Batch(Object[] items, int count, boolean last, Throwable failure) {
    }

    public ReadAhead(Iterator<? extends T> source) {
        this(source, DEFAULT_BATCH, DEFAULT_BATCHES);
    }

    /**
     * @param batchSize elements per hand-over, {@code >= 1}
     * @param batches batches ready at most, {@code >= 1}
     */
    public ReadAhead(Iterator<? extends T> source, int batchSize, int batches) {
        if (batchSize < 1 || batches < 1) {
            throw new IllegalArgumentException("read-ahead needs batch size and batches >= 1, got " + batchSize
                    + " and " + batches);
        }
        this.source = source;
        this.batchSize = batchSize;
        this.queue = new ArrayBlockingQueue<>(batches);
    }

    @Override
    public boolean hasNext() {
        while (index == count) {
            if (ended) {
                if (failure != null) {
                    throw rethrow(failure);
                }
                return false;
            }
            take();
        }
        return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        T t = (T) items[index];
        items[index++] = null;
        return t;
    }

    private void take() {
        if (closed) {
            throw new IllegalStateException("read-ahead is closed");
        }
        if (producer == null) {
            producer = Thread.ofPlatform().name("read-ahead").daemon(true).start(this::produce);
        }
        Batch b;
        try {
            b = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the workload's next requests", e);
        }
        items = b.items();
        index = 0;
        count = b.count();
        if (b.last()) {
            ended = true;
            failure = b.failure();
        }
    }

    /** The producer: fills batches until the source ends or fails, or the consumer closes. */
    private void produce() {
        Object[] batch = new Object[Math.min(FIRST_BATCH, batchSize)];
        int n = 0;
        try {
            while (!closed && source.hasNext()) {
                T t = source.next();
                if (t == null) {
                    throw new NullPointerException("the workload gave a null request");
                }
                batch[n++] = t;
                if (n == batch.length) {
                    queue.put(new Batch(batch, n, false, null));
                    batch = new Object[Math.min(batchSize, 2 * n)];
                    n = 0;
                }
            }
            queue.put(new Batch(batch, n, true, null));
        } catch (InterruptedException e) {
            // closed by the consumer: nobody waits for the rest
        } catch (Throwable failed) {
            try {
                queue.put(new Batch(batch, n, true, failed));
            } catch (InterruptedException e) {
                // closed by the consumer
            }
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    /**
     * Stops the reading thread and waits for it; after that the source is the caller's again (to close it). An
     * interrupt while waiting is kept as this thread's interrupt status.
     */
    @Override
    public void close() {
        closed = true;
        if (producer != null) {
            producer.interrupt();
            try {
                producer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
