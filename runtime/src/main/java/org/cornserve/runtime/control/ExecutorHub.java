package org.cornserve.runtime.control;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.cornserve.runtime.executor.ExecutorReport;
import org.cornserve.runtime.executor.FrameChannel;
import org.cornserve.runtime.executor.StepTrace;
import org.cornserve.runtime.launch.ExecutorLauncher;
import org.cornserve.runtime.launch.ExecutorSpec;

/**
 * Where executors call back: a loopback server socket. {@link #start} launches an executor and returns its handle at
 * once; when the executor connects it says hello with its id, and its reports flow to {@link ExecutorEvents} from
 * one reader thread per executor. An executor that does not say it is ready within the start-up timeout is killed.
 */
public final class ExecutorHub implements AutoCloseable {
    private final ExecutorLauncher launcher;
    private final ExecutorEvents events;
    private final ServerSocket server;
    private final Map<String, ExecutorHandle> pending = new ConcurrentHashMap<>();
    private final Map<String, ExecutorHandle> all = new ConcurrentHashMap<>();
    private final Thread acceptor;
    private final long startupTimeoutMillis;
    private volatile boolean closed;

    public ExecutorHub(ExecutorLauncher launcher, ExecutorEvents events, long startupTimeoutMillis) throws IOException {
        this.launcher = launcher;
        this.events = events;
        this.startupTimeoutMillis = startupTimeoutMillis;
        InetSocketAddress listen = launcher.listenAddress();
        this.server = new ServerSocket(listen.getPort(), 64, listen.getAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("executor-hub").start(this::acceptLoop);
    }

    /** The address executors connect to. */
    public InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** Launches an executor with {@code spec} (its control address is this hub's). */
    public ExecutorHandle start(ExecutorSpec spec) {
        ExecutorHandle h = new ExecutorHandle(spec, System.nanoTime(), events);
        pending.put(spec.id(), h);
        all.put(spec.id(), h);
        try {
            h.attachProcess(launcher.launch(spec));
        } catch (RuntimeException e) {
            pending.remove(spec.id());
            // reported after this returns: the caller (a task manager) records the handle first, so the executor's
            // death is taken for its replica's and not dropped as a stranger's
            Thread.ofVirtual().start(() -> h.markDown("launch failed: " + e.getMessage()));
            return h;
        }
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(startupTimeoutMillis);
            } catch (InterruptedException e) {
                return;
            }
            if (!h.ready() && !h.isDown()) {
                h.markDown("not ready within " + startupTimeoutMillis + " ms");
            }
        });
        return h;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                Thread.ofPlatform().daemon().name("executor-link").start(() -> serve(s));
            } catch (SocketException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("executor hub: accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket s) {
        ExecutorHandle h = null;
        try {
            FrameChannel ch = new FrameChannel(s);
            ExecutorReport first = ch.read(ExecutorReport.class);
            if (!(first instanceof ExecutorReport.Hello hello) || (h = pending.remove(hello.executor())) == null) {
                ch.close();
                return;
            }
            h.attachChannel(ch, hello.pid());
            ExecutorReport r;
            while ((r = ch.read(ExecutorReport.class)) != null) {
                if (r instanceof ExecutorReport.Sidecar endpoint) {
                    h.attachSidecar(endpoint);
                } else if (r instanceof ExecutorReport.Ready ready) {
                    ExecutorHandle ready0 = h;
                    // up once the platform agrees too (a pod's Ready condition; at once for a local process)
                    (h.launched() == null ? java.util.concurrent.CompletableFuture.<Void>completedFuture(null)
                            : h.launched().ready()).thenRun(() -> {
                        if (!ready0.isDown()) {
                            ready0.markReady();
                            events.ready(ready0, ready, System.nanoTime() - ready0.launchedAtNanos());
                        }
                    });
                } else {
                    if (r instanceof ExecutorReport.StepDone done) {
                        StepTrace.mark(StepTrace.REPORT_READ, done.step());
                    }
                    events.report(h, r);
                }
            }
            h.markDown("connection closed");
        } catch (IOException | RuntimeException e) {
            if (h != null) {
                h.markDown("connection failed: " + e.getMessage());
            } else {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
    }

    /** Executors started through this hub and not down. */
    public List<ExecutorHandle> live() {
        return all.values().stream().filter(h -> !h.isDown()).toList();
    }

    /** Stops every executor (asking first, killing after {@code graceMillis}) and the server socket. */
    public void stopAll(long graceMillis) {
        List<ExecutorHandle> handles = List.copyOf(all.values());
        for (ExecutorHandle h : handles) {
            h.send(new org.cornserve.runtime.executor.ExecutorCommand.Shutdown());
        }
        for (ExecutorHandle h : handles) {
            h.stop(graceMillis);
        }
    }

    @Override
    public void close() {
        closed = true;
        stopAll(2000);
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
