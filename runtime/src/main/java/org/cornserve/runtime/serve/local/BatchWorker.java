package org.cornserve.runtime.serve.local;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.cornserve.runtime.serve.ServingStats;

/**
 * One in-process replica of a batch-style unit task (an encoder, the talker, the vocoder, an image generator): a
 * thread that takes up to {@code maxBatch} queued items, computes them in one call and hands each result to its
 * item's callback. An exception fails only the items of that batch. Items whose request was cancelled are dropped
 * before they are computed.
 *
 * @param <I> an input
 * @param <O> its output
 */
public final class BatchWorker<I, O> implements AutoCloseable {

    /** Where one item's result goes. */
    public interface Callback<O> {
        void done(O output);

        void failed(RuntimeException error);
    }

    private record Item<I, O>(I input, BooleanSupplier cancelled, Callback<O> callback) {
    }

    private final String name;
    private final int maxBatch;
    private final Function<List<I>, List<O>> compute;
    private final BlockingQueue<Item<I, O>> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger running = new AtomicInteger();
    private final BusyWindow busy = new BusyWindow(5_000_000_000L, System::nanoTime);
    private final Thread thread;
    private volatile boolean stopped;

    BatchWorker(String name, int maxBatch, Function<List<I>, List<O>> compute) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException(name + ": max batch must be >= 1");
        }
        this.name = name;
        this.maxBatch = maxBatch;
        this.compute = compute;
        this.thread = Thread.ofPlatform().name("local-" + name).daemon().start(this::loop);
    }

    /** Queues one item; {@code cancelled} is checked just before it would be computed. */
    public void submit(I input, BooleanSupplier cancelled, Callback<O> callback) {
        if (stopped) {
            callback.failed(new IllegalStateException(name + " is stopped"));
            return;
        }
        queue.add(new Item<>(input, cancelled, callback));
    }

    public ServingStats.Deployment stats() {
        return new ServingStats.Deployment(name, queue.size(), running.get(), busy.utilisation(), 0);
    }

    private void loop() {
        List<Item<I, O>> batch = new ArrayList<>(maxBatch);
        while (!stopped) {
            try {
                Item<I, O> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
            } catch (InterruptedException e) {
                return;
            }
            batch.removeIf(item -> item.cancelled().getAsBoolean());
            if (batch.isEmpty()) {
                continue;
            }
            running.set(batch.size());
            long t0 = System.nanoTime();
            List<O> outputs;
            try {
                outputs = compute.apply(batch.stream().map(Item::input).toList());
            } catch (RuntimeException e) {
                busy.busy(t0, System.nanoTime());
                running.set(0);
                batch.forEach(item -> item.callback().failed(e));
                continue;
            }
            busy.busy(t0, System.nanoTime());
            running.set(0);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).callback().done(outputs.get(i));
            }
        }
    }

    /** Stops the thread; queued items fail. */
    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Item<I, O>> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(item -> item.callback().failed(new IllegalStateException(name + " stopped")));
    }

    /** A callback from two lambdas. */
    public static <O> Callback<O> callback(Consumer<O> done, Consumer<RuntimeException> failed) {
        return new Callback<>() {
            @Override
            public void done(O output) {
                done.accept(output);
            }

            @Override
            public void failed(RuntimeException error) {
                failed.accept(error);
            }
        };
    }
}
