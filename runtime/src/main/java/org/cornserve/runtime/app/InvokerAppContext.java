package org.cornserve.runtime.app;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import org.cornserve.runtime.serve.ModelInvoker;
import org.cornserve.runtime.serve.ModelRequest;

/**
 * The context one request's serve function runs in (Cornserve's app driver): it turns task calls into
 * {@link ModelRequest}s for the {@link ModelInvoker}, cancels them all when the client leaves, and measures how
 * long the request spent inside the invoker (the union of its calls' intervals), so the gateway can report its
 * own overhead as the rest.
 */
public final class InvokerAppContext implements AppContext {
    private final String appId;
    private final AppConfig config;
    private final ModelInvoker invoker;
    private final CallObserver observer;
    private final List<LiveTaskStream> calls = new ArrayList<>();
    private boolean cancelled;

    public InvokerAppContext(String appId, AppConfig config, ModelInvoker invoker, CallObserver observer) {
        this.appId = appId;
        this.config = config;
        this.invoker = invoker;
        this.observer = observer;
    }

    @Override
    public String appId() {
        return appId;
    }

    @Override
    public TaskStream call(String taskName, TaskInput input) {
        Task task = config.tasks().get(taskName);
        if (task == null) {
            throw new IllegalArgumentException("app " + appId + " calls task '" + taskName + "', which its config "
                    + "does not name (it names " + String.join(", ", config.tasks().keySet()) + ")");
        }
        ModelRequest request = new ModelRequest(task.model(), input.prompt(), input.images(), input.audio(),
                input.maxTokens(), input.temperature(), input.seed(), task.outputs());
        LiveTaskStream stream = new LiveTaskStream(taskName, task.model(), observer);
        synchronized (this) {
            if (cancelled) {
                throw new CancellationException("the request was cancelled (the client left)");
            }
            calls.add(stream);
        }
        stream.started(invoker.invoke(request, stream));
        return stream;
    }

    @Override
    public Interleaved interleave(Map<String, TaskStream> streams) {
        BlockingQueue<Object> shared = new LinkedBlockingQueue<>();
        for (Map.Entry<String, TaskStream> e : streams.entrySet()) {
            if (!(e.getValue() instanceof LiveTaskStream live)) {
                throw new IllegalArgumentException("only streams from this context's call() can be interleaved");
            }
            live.redirect(shared, e.getKey());
        }
        int total = streams.size();
        return new Interleaved() {
            private int left = total;

            @Override
            public Labeled next() throws InterruptedException {
                if (left == 0) {
                    return null;
                }
                Object o = shared.take();
                TaskEvent event = LiveTaskStream.unwrap(o, () -> left--);
                return new Labeled(((Labeled) o).label(), event);
            }
        };
    }

    /** Cancels every call of this request (the client left); later calls fail with a CancellationException. */
    public void cancel() {
        List<LiveTaskStream> all;
        synchronized (this) {
            cancelled = true;
            all = List.copyOf(calls);
        }
        all.forEach(LiveTaskStream::cancel);
    }

    /** Wall time this request's calls spent inside the invoker so far: the union of their intervals. */
    public synchronized long nanosInsideInvoker() {
        long now = System.nanoTime();
        List<long[]> iv = new ArrayList<>();
        for (LiveTaskStream s : calls) {
            iv.add(new long[] {s.startNanos, s.endNanos() < 0 ? now : s.endNanos()});
        }
        iv.sort(Comparator.comparingLong(a -> a[0]));
        long total = 0;
        long curStart = Long.MIN_VALUE;
        long curEnd = Long.MIN_VALUE;
        for (long[] a : iv) {
            if (a[0] > curEnd) {
                total += curEnd - curStart;
                curStart = a[0];
                curEnd = a[1];
            } else {
                curEnd = Math.max(curEnd, a[1]);
            }
        }
        return total + (curEnd - curStart);
    }
}
