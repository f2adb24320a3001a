package org.cornserve.runtime.serve.local;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import org.cornserve.runtime.engine.llm.LlmEngine;
import org.cornserve.runtime.engine.llm.RequestRefusedException;
import org.cornserve.runtime.serve.ServingStats;

/**
 * One in-process replica of an LLM unit task: a thread that runs an {@link LlmEngine}'s continuous batching,
 * taking submissions and aborts from other threads through a queue of commands. At most {@code maxRunning}
 * sequences are in the engine at once; the rest wait in submission order. Every step's tokens go to their
 * sequence's listener as they are produced. An exception inside a step fails the sequences in the engine, and the
 * loop starts a fresh engine (a restart, counted).
 */
public final class LlmLoop implements AutoCloseable {

    /** Receives one sequence's tokens, then exactly one of {@code finished} or {@code failed}. */
    public interface Listener {
        void token(int token);

        void finished(LlmEngine.Finished finished);

        /** Refused (400: can never fit) or failed inside the engine (500). */
        void failed(int httpStatus, String message);
    }

    private sealed interface Command {
    }

    private record Submit(LlmEngine.Request request, Listener listener) implements Command {
    }

    private record Abort(long id) implements Command {
    }

    private record Stop() implements Command {
    }

    private final String name;
    private final Supplier<LlmEngine> engineFactory;
    private final int maxRunning;
    private final BlockingQueue<Command> inbox = new LinkedBlockingQueue<>();
    private final ArrayDeque<Submit> pending = new ArrayDeque<>();
    private final Map<Long, Listener> inEngine = new HashMap<>();
    private final BusyWindow busy = new BusyWindow(5_000_000_000L, System::nanoTime);
    private final Thread thread;
    private LlmEngine engine;
    private volatile int queuedNow;
    private volatile int runningNow;
    private volatile int freeKvBlocksNow;
    private volatile long restarts;

    LlmLoop(String name, Supplier<LlmEngine> engineFactory, int maxRunning) {
        if (maxRunning < 1) {
            throw new IllegalArgumentException(name + ": max running sequences must be >= 1");
        }
        this.name = name;
        this.engineFactory = engineFactory;
        this.maxRunning = maxRunning;
        this.engine = engineFactory.get();
        this.freeKvBlocksNow = engine.freeKvBlocks();
        this.thread = Thread.ofPlatform().name("local-" + name.replace('/', '-')).daemon().start(this::loop);
    }

    /** Queues a sequence; its listener is called from the loop's thread. */
    public void submit(LlmEngine.Request request, Listener listener) {
        inbox.add(new Submit(request, listener));
    }

    /** Drops a sequence (waiting or running) and frees its KV blocks; its listener gets no more calls. */
    public void abort(long id) {
        inbox.add(new Abort(id));
    }

    /** KV blocks free after the last step (all of them when idle). */
    public int freeKvBlocks() {
        return freeKvBlocksNow;
    }

    public ServingStats.Deployment stats() {
        return new ServingStats.Deployment(name, queuedNow, runningNow, busy.utilisation(), restarts);
    }

    private void loop() {
        while (true) {
            try {
                Command c = engine.idle() && pending.isEmpty() ? inbox.take() : inbox.poll();
                for (; c != null; c = inbox.poll()) {
                    if (c instanceof Stop) {
                        failAll(503, name + " stopped");
                        return;
                    }
                    apply(c);
                }
            } catch (InterruptedException e) {
                failAll(503, name + " stopped");
                return;
            }
            admit();
            if (!engine.idle()) {
                step();
            }
            queuedNow = pending.size() + engine.waiting();
            runningNow = engine.running();
            freeKvBlocksNow = engine.freeKvBlocks();
        }
    }

    private void apply(Command c) {
        switch (c) {
            case Submit s -> pending.addLast(s);
            case Abort a -> {
                if (inEngine.remove(a.id()) != null) {
                    engine.abort(a.id());
                } else {
                    pending.removeIf(s -> s.request().id() == a.id());
                }
            }
            case Stop s -> throw new IllegalStateException("handled by the loop");
        }
    }

    private void admit() {
        while (inEngine.size() < maxRunning && !pending.isEmpty()) {
            Submit s = pending.pollFirst();
            try {
                engine.submit(s.request());
                inEngine.put(s.request().id(), s.listener());
            } catch (RequestRefusedException | IllegalArgumentException e) {
                s.listener().failed(400, e.getMessage());
            }
        }
    }

    private void step() {
        long t0 = System.nanoTime();
        LlmEngine.StepReport report;
        try {
            report = engine.step();
        } catch (RuntimeException e) {
            busy.busy(t0, System.nanoTime());
            restarts++;
            String why = name + " failed: " + e;
            Map<Long, Listener> touched = new HashMap<>(inEngine);
            inEngine.clear();
            engine = engineFactory.get();
            touched.values().forEach(l -> l.failed(500, why));
            return;
        }
        busy.busy(t0, System.nanoTime());
        for (LlmEngine.Emitted e : report.emitted()) {
            Listener l = inEngine.get(e.id());
            if (l != null) {
                l.token(e.token());
            }
        }
        for (LlmEngine.Finished f : report.finished()) {
            Listener l = inEngine.remove(f.id());
            if (l != null) {
                l.finished(f);
            }
        }
    }

    private void failAll(int status, String message) {
        inEngine.values().forEach(l -> l.failed(status, message));
        inEngine.clear();
        pending.forEach(s -> s.listener().failed(status, message));
        pending.clear();
        for (Command c = inbox.poll(); c != null; c = inbox.poll()) {
            if (c instanceof Submit s) {
                s.listener().failed(status, message);
            }
        }
    }

    @Override
    public void close() {
        inbox.add(new Stop());
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }
}
