package org.cornserve.runtime.executor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.cornserve.runtime.engine.kernel.Kernels;
import org.cornserve.runtime.sidecar.SharedMemoryDomain;
import org.cornserve.runtime.sidecar.SharedMemorySidecar;
import org.cornserve.runtime.sidecar.TensorForwarder;
import org.cornserve.runtime.sidecar.TensorRef;
import org.cornserve.runtime.sidecar.TensorStreamServer;

/**
 * An executor process: one replica of a deployment, hosting its colocated unit tasks on a share of this machine's
 * CPU threads. It connects to the control plane, loads and warms up its tasks, says it is ready, then runs the
 * commands it is sent in order on the thread that reads them (cuts are read between iterations). It exits when told
 * to, when the control plane's connection drops or when its parent process ends, deleting its shared-memory
 * segments.
 *
 * <p>Its sidecar takes tensors from other hosts on a tensor stream server bound to the address it reaches the control
 * plane from (a pod's IP, a namespace's veth address, loopback on one machine), which it reports with its
 * shared-memory domain; tensors it produced go to consumers on other hosts when the control plane says
 * ({@link ExecutorCommand.Forward}), streamed from a thread beside the steps.
 *
 * <p>{@code java --add-modules jdk.incubator.vector -cp CP org.cornserve.runtime.executor.ExecutorMain
 * --connect 127.0.0.1:PORT --id ex1 --session S --tasks tiny-omni/llm,... --threads 1 [--seed 1] [--kv-tokens N]
 * [--max-seqs N] [--shm-dir /dev/shm] [--tensor-timeout-ms 30000] [--shm-retain-mb 64] [--sidecar-domain D]}
 * ({@code --shm-retain-mb}: free shared-memory segments kept mapped past the timeout, see
 * {@link SharedMemorySidecar})
 */
public final class ExecutorMain {
    private ExecutorMain() {
    }

    /** Parsed command line. */
    record Options(InetSocketAddress connect, String id, String session, List<String> tasks, int threads, long seed,
            long kvTokens, int maxSeqs, Path shmDir, long tensorTimeoutMs, boolean ignoreEos, int healthPort,
            String sidecarDomain, long shmRetainBytes) {
        static Options parse(String[] args) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("executor: expected --name value pairs, got '" + args[i] + "'");
                }
                m.put(args[i].substring(2), args[++i]);
            }
            Set<String> known = Set.of("connect", "id", "session", "tasks", "threads", "seed", "kv-tokens", "max-seqs",
                    "shm-dir", "tensor-timeout-ms", "ignore-eos", "health-port", "sidecar-domain", "shm-retain-mb");
            for (String k : m.keySet()) {
                if (!known.contains(k)) {
                    throw new IllegalArgumentException("executor: unknown option --" + k + " (known: " + known + ")");
                }
            }
            for (String required : List.of("connect", "id", "session", "tasks")) {
                if (!m.containsKey(required)) {
                    throw new IllegalArgumentException("executor: --" + required + " is required");
                }
            }
            String[] hp = m.get("connect").split(":");
            return new Options(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), m.get("id"), m.get("session"),
                    List.of(m.get("tasks").split(",")), Integer.parseInt(m.getOrDefault("threads", "1")),
                    Long.parseLong(m.getOrDefault("seed", "1")), Long.parseLong(m.getOrDefault("kv-tokens", "16384")),
                    Integer.parseInt(m.getOrDefault("max-seqs", "64")),
                    Path.of(m.getOrDefault("shm-dir", SharedMemorySidecar.DEV_SHM.toString())),
                    Long.parseLong(m.getOrDefault("tensor-timeout-ms", "30000")),
                    Boolean.parseBoolean(m.getOrDefault("ignore-eos", "false")),
                    Integer.parseInt(m.getOrDefault("health-port", "-1")), m.get("sidecar-domain"),
                    Long.parseLong(m.getOrDefault("shm-retain-mb",
                            Long.toString(SharedMemorySidecar.DEFAULT_RETAIN_IDLE_MB))) << 20);
        }
    }

    /** Linux's clock ticks per second in /proc (USER_HZ, 100 on every architecture it runs on). */
    private static final double PROC_TICKS_PER_SECOND = 100;

    /**
     * How long this process has run, to 10 ms: {@code /proc/uptime} less the process's start in {@code
     * /proc/self/stat} (both in time since boot). {@code ProcessHandle.info().startInstant()} adds the boot time,
     * which Linux gives in whole seconds, and so read 0.8 s for a JVM that reached main in 0.15 s; it is the
     * fallback where {@code /proc} cannot be read (0 where neither can).
     */
    static long processAgeNanos() {
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc/self/stat"));
            // the command name (field 2) is in parentheses and may hold spaces: count fields after its closing one
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(f[19]); // field 22, starttime
            double uptime = Double.parseDouble(java.nio.file.Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            return Math.max(0, Math.round((uptime - startTicks / PROC_TICKS_PER_SECOND) * 1e9));
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().info().startInstant()
                    .map(s -> Math.max(0, (Instant.now().toEpochMilli() - s.toEpochMilli()) * 1_000_000L)).orElse(0L);
        }
    }

    public static void main(String[] args) throws Exception {
        long mainNanos = System.nanoTime();
        long jvmToMain = processAgeNanos();
        Options o = Options.parse(args);
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        ExecutorHealth health = o.healthPort() >= 0 ? ExecutorHealth.start(o.healthPort()) : null;
        try (Socket socket = new Socket()) {
            socket.connect(o.connect(), 10_000);
            FrameChannel ch = new FrameChannel(socket);
            ch.send(new ExecutorReport.Hello(o.id(), ProcessHandle.current().pid()));
            SharedMemorySidecar sidecar = new SharedMemorySidecar(o.shmDir(), o.session(), o.id(), o.tensorTimeoutMs(),
                    o.shmRetainBytes(), System::currentTimeMillis);
            Runtime.getRuntime().addShutdownHook(new Thread(sidecar::close));
            TensorStreamServer streams = new TensorStreamServer(sidecar,
                    new InetSocketAddress(socket.getLocalAddress(), 0));
            ch.send(new ExecutorReport.Sidecar(o.sidecarDomain() != null ? o.sidecarDomain()
                    : SharedMemoryDomain.of(o.shmDir()), streams.address().getAddress().getHostAddress(),
                    streams.address().getPort()));
            try (Kernels kernels = Kernels.create(Kernels.Choice.AUTO, o.threads());
                    streams;
                    TensorForwarder forwarder = new TensorForwarder(sidecar)) {
                Map<String, TaskRunner> runners = new LinkedHashMap<>();
                for (String t : o.tasks()) {
                    runners.put(t, TaskRunners.create(t, o.seed(), kernels, sidecar, o.kvTokens(), o.maxSeqs(),
                            o.ignoreEos()));
                }
                long loaded = System.nanoTime();
                for (TaskRunner r : runners.values()) {
                    r.warmUp();
                }
                long warm = System.nanoTime();
                ch.send(new ExecutorReport.Ready(o.tasks(), jvmToMain, loaded - mainNanos, warm - loaded));
                if (health != null) {
                    health.markReady();
                }
                new Worker(ch, runners, sidecar, forwarder, o.connect().getHostString()).run();
            } finally {
                sidecar.close();
            }
        }
    }

    /**
     * Runs commands in order on the thread that reads them (no hand-off between threads, so a step costs no extra
     * wake-up). While a multi-iteration step runs, frames that have arrived are read between iterations: a cut for
     * this step stops it, anything else waits its turn.
     */
    static final class Worker {
        private final FrameChannel ch;
        private final Map<String, TaskRunner> runners;
        private final SharedMemorySidecar sidecar;
        private final java.util.ArrayDeque<ExecutorCommand> pending = new java.util.ArrayDeque<>();
        /** How long a talker at its cap waits for its thinker's last states before it runs on what it has. */
        static final long LAST_STATES_WAIT_NANOS = 20_000_000_000L;
        private final Map<Long, TaskRunner> openInvocations = new java.util.HashMap<>();
        private final TensorForwarder forwarder;
        private final String controlHost;
        private final Map<Long, java.net.InetSocketAddress> controlCopies = new java.util.HashMap<>();
        private final java.util.concurrent.ExecutorService forwarding = java.util.concurrent.Executors
                .newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("sidecar-forward").unstarted(r));

        Worker(FrameChannel ch, Map<String, TaskRunner> runners, SharedMemorySidecar sidecar,
                TensorForwarder forwarder, String controlHost) {
            this.ch = ch;
            this.runners = runners;
            this.sidecar = sidecar;
            this.forwarder = forwarder;
            this.controlHost = controlHost;
            boolean producesStates = runners.values().stream()
                    .anyMatch(r -> r instanceof LlmRunner llm && !llm.takesStreamedStates());
            for (TaskRunner r : runners.values()) {
                if (r instanceof LlmRunner llm && llm.takesStreamedStates() && !producesStates) {
                    llm.statesWait(this::awaitLastStates);
                }
            }
        }

        /**
         * A talker the scheduler ends at its cap before its thinker's last states came waits for them here, at most
         * {@link #LAST_STATES_WAIT_NANOS}: the frames that come meanwhile are read, its states handed to it at once
         * (those held for it first, in order), a forward started, anything else held for after the step.
         */
        private boolean awaitLastStates(long invocation) {
            long deadline = System.nanoTime() + LAST_STATES_WAIT_NANOS;
            try {
                for (java.util.Iterator<ExecutorCommand> it = pending.iterator(); it.hasNext();) {
                    if (it.next() instanceof ExecutorCommand.StreamStates m && m.invocation() == invocation) {
                        it.remove();
                        streamStates(m);
                        if (m.last()) {
                            return true;
                        }
                    }
                }
                while (System.nanoTime() < deadline) {
                    if (!ch.inputWaiting()) {
                        Thread.sleep(1);
                        continue;
                    }
                    ExecutorCommand c = ch.read(ExecutorCommand.class);
                    if (c == null) {
                        pending.add(new ExecutorCommand.Shutdown());
                        return false;
                    }
                    if (!(c instanceof ExecutorCommand.StreamStates m && m.invocation() == invocation)) {
                        readDuringStep(c);
                        continue;
                    }
                    streamStates(m);
                    if (m.last()) {
                        return true;
                    }
                }
            } catch (IOException e) {
                pending.add(new ExecutorCommand.Shutdown());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }

        /** Streams a tensor to a consumer's host on the forwarding thread; the answer goes out from there. */
        private void forward(ExecutorCommand.Forward f) {
            forwarding.execute(() -> {
                ExecutorReport.Forwarded answer;
                try {
                    answer = new ExecutorReport.Forwarded(f.transfer(),
                            forwarder.forward(f.tensor(), TensorForwarder.address(f.to()), 1), null);
                } catch (IOException | RuntimeException e) {
                    answer = new ExecutorReport.Forwarded(f.transfer(), null, describe(e));
                }
                try {
                    ch.send(answer);
                } catch (IOException e) {
                    // the control connection is gone; the worker ends on its own
                }
            });
        }

        /** A sidecar address from the control plane; host {@code *} is the host this executor reaches it at. */
        private java.net.InetSocketAddress resolve(String hostPort) {
            return TensorForwarder.address(hostPort.startsWith("*:") ? controlHost + hostPort.substring(1) : hostPort);
        }

        /** The invocation's inputs with those another host holds fetched into this one's memory. */
        private List<TensorRef> fetchInputs(ExecutorCommand.Open open) {
            java.net.InetSocketAddress from = resolve(open.fetchFrom());
            List<TensorRef> local = new ArrayList<>(open.inputs());
            for (int i = 0; i < open.fetchCount(); i++) {
                try {
                    local.set(i, forwarder.fetch(open.inputs().get(i), from, 1));
                } catch (IOException e) {
                    for (int k = 0; k < i; k++) {
                        sidecar.release(local.get(k));
                    }
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return local;
        }

        /** Outputs the control plane reads on another host are streamed there before the step is reported. */
        private ExecutorReport.StepDone withControlCopies(ExecutorReport.StepDone done) {
            if (controlCopies.isEmpty() || done.outputs().isEmpty()) {
                return done;
            }
            List<ExecutorReport.Output> outputs = new ArrayList<>();
            ExecutorReport.Failure failure = done.failure();
            for (ExecutorReport.Output out : done.outputs()) {
                java.net.InetSocketAddress to = controlCopies.remove(out.invocation());
                TensorRef copy = null;
                if (to != null) {
                    try {
                        copy = forwarder.forward(out.tensor(), to, 1);
                    } catch (IOException | RuntimeException e) {
                        failure = new ExecutorReport.Failure("sidecar", "streaming invocation " + out.invocation()
                                + "'s output to the control plane failed: " + describe(e));
                    }
                }
                outputs.add(new ExecutorReport.Output(out.invocation(), out.tensor(), copy, out.partial()));
            }
            return new ExecutorReport.StepDone(done.step(), done.iterations(), done.emitted(), done.ended(), outputs,
                    failure, done.computeNanos(), done.computeStartNanos());
        }

        void run() throws IOException {
            java.util.concurrent.ScheduledExecutorService sweeper = java.util.concurrent.Executors
                    .newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("sidecar-sweep")
                            .unstarted(r));
            sweeper.scheduleWithFixedDelay(sidecar::sweep, 1, 1, TimeUnit.SECONDS);
            try {
                while (true) {
                    ExecutorCommand c = pending.isEmpty() ? ch.read(ExecutorCommand.class) : pending.poll();
                    if (c == null) {
                        return;
                    }
                    switch (c) {
                        case ExecutorCommand.Open open -> open(open);
                        case ExecutorCommand.RunStep step -> {
                            StepTrace.mark(StepTrace.EXEC_READ, step.step());
                            ch.send(withControlCopies(step(step)));
                            StepTrace.mark(StepTrace.REPORT_SENT, step.step());
                        }
                        case ExecutorCommand.Forward f -> forward(f);
                        case ExecutorCommand.StreamStates more -> streamStates(more);
                        case ExecutorCommand.Close close -> {
                            for (long inv : close.invocations()) {
                                controlCopies.remove(inv);
                                TaskRunner r = openInvocations.remove(inv);
                                if (r != null) {
                                    r.close(inv);
                                }
                            }
                        }
                        case ExecutorCommand.Shutdown s -> {
                            return;
                        }
                        case ExecutorCommand.Cut cut -> {
                            // a cut for a step that already ended
                        }
                    }
                }
            } catch (IOException e) {
                System.err.println("executor: control connection lost: " + e.getMessage());
            } finally {
                StepTrace.flush();
                sweeper.shutdownNow();
                forwarding.shutdownNow();
            }
        }

        /** A frame read while a step runs: a forward starts at once, anything else waits its turn after the step. */
        private void readDuringStep(ExecutorCommand c) {
            if (c instanceof ExecutorCommand.Forward f) {
                forward(f);
            } else {
                pending.add(c);
            }
        }

        /** Reads the frames that have arrived; true when one cuts step {@code stepId}. */
        private boolean cutArrived(long stepId) {
            boolean cut = false;
            try {
                while (ch.inputWaiting()) {
                    ExecutorCommand c = ch.read(ExecutorCommand.class);
                    if (c == null) {
                        break;
                    }
                    if (c instanceof ExecutorCommand.Cut k && k.step() == stepId) {
                        cut = true;
                    } else {
                        readDuringStep(c);
                    }
                }
            } catch (IOException e) {
                pending.add(new ExecutorCommand.Shutdown());
                return true;
            }
            return cut;
        }

        private void open(ExecutorCommand.Open open) throws IOException {
            TaskRunner r = runners.get(open.task());
            try {
                if (r == null) {
                    throw new IllegalArgumentException("this executor hosts " + runners.keySet() + ", not "
                            + open.task());
                }
                r.open(open.fetchCount() == 0 ? open : open.withLocalInputs(fetchInputs(open)));
                openInvocations.put(open.invocation(), r);
                if (open.controlCopyTo() != null) {
                    controlCopies.put(open.invocation(), resolve(open.controlCopyTo()));
                }
            } catch (RuntimeException e) {
                ch.send(new ExecutorReport.OpenFailed(open.invocation(), new ExecutorReport.Failure(open.task(),
                        describe(e))));
            }
        }

        /** More input states of an open invocation; an unknown one (ended, closed) only releases them. */
        private void streamStates(ExecutorCommand.StreamStates more) throws IOException {
            TaskRunner r = openInvocations.get(more.invocation());
            try {
                if (r instanceof LlmRunner llm) {
                    llm.moreStates(more);
                } else if (more.states() != null) {
                    sidecar.release(more.states());
                }
            } catch (RuntimeException e) {
                // the invocation cannot go on: it fails as an open would, naming the task
                openInvocations.remove(more.invocation());
                r.close(more.invocation());
                ch.send(new ExecutorReport.OpenFailed(more.invocation(), new ExecutorReport.Failure(r.task(),
                        describe(e))));
            }
        }

        ExecutorReport.StepDone step(ExecutorCommand.RunStep step) {
            long t0 = System.nanoTime();
            StepTrace.mark(StepTrace.COMPUTE_START, step.step(), t0);
            TaskRunner r = runners.get(step.task());
            StepOutcome out = new StepOutcome();
            try {
                if (r == null) {
                    throw new IllegalArgumentException("this executor hosts " + runners.keySet() + ", not "
                            + step.task());
                }
                // under async scheduling a step may be cut while it waited behind the previous one: its cut is read
                boolean[] cut = {pending.removeIf(c -> c instanceof ExecutorCommand.Cut k && k.step() == step.step())};
                r.step(step, out, () -> cut[0] || (cut[0] = cutArrived(step.step())));
                long t1 = System.nanoTime();
                StepTrace.mark(StepTrace.COMPUTE_END, step.step(), t1);
                ExecutorReport.StepDone done = out.report(step.step(), t1 - t0, t0);
                for (ExecutorReport.Ended e : done.ended()) {
                    openInvocations.remove(e.invocation());
                }
                return done;
            } catch (RuntimeException e) {
                Set<Long> members = new HashSet<>();
                for (ExecutorCommand.StepItem item : step.items()) {
                    members.add(item.invocation());
                }
                for (long inv : members) {
                    openInvocations.remove(inv);
                    if (r != null) {
                        r.close(inv);
                    }
                }
                return new ExecutorReport.StepDone(step.step(), Math.max(1, out.iterations()), List.of(), List.of(),
                        new ArrayList<>(), new ExecutorReport.Failure(step.task(), describe(e)),
                        System.nanoTime() - t0, t0);
            }
        }

        private static String describe(Throwable e) {
            String m = e.getMessage();
            return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        }
    }
}
