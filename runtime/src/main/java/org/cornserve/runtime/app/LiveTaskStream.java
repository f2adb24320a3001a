package org.cornserve.runtime.app;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import org.cornserve.runtime.serve.InvocationHandle;
import org.cornserve.runtime.serve.OutputSink;

/**
 * A task call in flight: the {@link OutputSink} the invoker writes to and the {@link TaskStream} the app reads. Events
 * go to a queue, the stream's own until {@link #redirect} moves them to a shared one for {@link Interleaved}. Keeps
 * the call's timing (start, first token, last text, end) for the gateway's TTFT, TPOT and overhead figures.
 */
final class LiveTaskStream implements TaskStream, OutputSink {

    /** Marks a cancelled request in a queue. */
    static final Object CANCELLED = new Object();

    private final String label;
    private final String model;
    private final CallObserver observer;
    private final BlockingQueue<Object> own = new LinkedBlockingQueue<>();
    private BlockingQueue<Object> target = own;
    private boolean redirected;
    private boolean done;
    private volatile InvocationHandle handle;
    private volatile boolean cancelled;
    final long startNanos = System.nanoTime();
    private long firstTokenNanos = -1;
    private long lastTextNanos = -1;
    private volatile long endNanos = -1;

    LiveTaskStream(String label, String model, CallObserver observer) {
        this.label = label;
        this.model = model;
        this.observer = observer;
    }

    void started(InvocationHandle h) {
        this.handle = h;
        if (cancelled) {
            h.cancel();
        }
    }

    /** When the call ended, or -1 while it runs. */
    long endNanos() {
        return endNanos;
    }

    void cancel() {
        cancelled = true;
        InvocationHandle h = handle;
        if (h != null) {
            h.cancel();
        }
        push(CANCELLED);
    }

    synchronized void redirect(BlockingQueue<Object> shared, String newLabel) {
        if (redirected) {
            throw new IllegalStateException("stream '" + label + "' is already interleaved");
        }
        List<Object> pending = new ArrayList<>();
        own.drainTo(pending);
        for (Object o : pending) {
            shared.add(o instanceof Interleaved.Labeled l ? new Interleaved.Labeled(newLabel, l.event()) : o);
        }
        target = shared;
        redirected = true;
        relabel = newLabel;
    }

    private String relabel;

    private synchronized void push(Object item) {
        if (item instanceof Interleaved.Labeled l && relabel != null) {
            target.add(new Interleaved.Labeled(relabel, l.event()));
        } else {
            target.add(item);
        }
    }

    @Override
    public TaskEvent next() throws InterruptedException {
        synchronized (this) {
            if (redirected) {
                throw new IllegalStateException("stream '" + label + "' is read through its Interleaved");
            }
        }
        if (done) {
            return null;
        }
        Object o = own.take();
        return unwrap(o, () -> done = true);
    }

    static TaskEvent unwrap(Object o, Runnable onDone) {
        if (o == CANCELLED) {
            throw new CancellationException("the request was cancelled (the client left)");
        }
        if (o instanceof TaskFailedException e) {
            throw new TaskFailedException(e.httpStatus(), e.stage(), stripStage(e));
        }
        TaskEvent e = ((Interleaved.Labeled) o).event();
        if (e instanceof TaskEvent.Done) {
            onDone.run();
        }
        return e;
    }

    private static String stripStage(TaskFailedException e) {
        String m = e.getMessage();
        String prefix = e.stage() + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    @Override
    public void firstToken() {
        if (firstTokenNanos < 0) {
            firstTokenNanos = System.nanoTime();
            push(new Interleaved.Labeled(label, new TaskEvent.FirstToken()));
        }
    }

    @Override
    public void text(String delta) {
        long now = System.nanoTime();
        if (firstTokenNanos < 0) {
            firstTokenNanos = now;
        }
        lastTextNanos = now;
        push(new Interleaved.Labeled(label, new TaskEvent.Text(delta)));
    }

    @Override
    public void audio(byte[] wav) {
        push(new Interleaved.Labeled(label, new TaskEvent.Audio(wav)));
    }

    @Override
    public void image(byte[] png) {
        push(new Interleaved.Labeled(label, new TaskEvent.Image(png)));
    }

    @Override
    public void completed(Usage usage) {
        endNanos = System.nanoTime();
        observer.callEnded(new CallObserver.Call(model, startNanos, firstTokenNanos, lastTextNanos, endNanos,
                usage.completionTokens(), null));
        push(new Interleaved.Labeled(label, new TaskEvent.Done(usage.promptTokens(), usage.completionTokens())));
    }

    @Override
    public void failed(Failure failure) {
        endNanos = System.nanoTime();
        observer.callEnded(new CallObserver.Call(model, startNanos, firstTokenNanos, lastTextNanos, endNanos, 0,
                failure));
        push(new TaskFailedException(failure.httpStatus(), failure.stage(), failure.message()));
    }
}
