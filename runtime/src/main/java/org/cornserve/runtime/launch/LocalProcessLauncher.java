package org.cornserve.runtime.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.cornserve.runtime.executor.StepTrace;

/**
 * Starts each executor as a child JVM of this one: the same {@code java} binary and class path, the Vector API
 * module, a small heap and the serial collector (an executor's heap is mostly weights and its KV cache). Children
 * die with this JVM: {@link #close} and a shutdown hook end every one still running, and each child also watches its
 * parent. Output goes to this process's standard error.
 *
 * <p>A {@link Placement} may run an executor elsewhere on this machine (another network namespace: {@code ip netns exec
 * NS} before the command) and tell it which shared-memory domain it is in; the control plane then listens where every
 * placement reaches it.
 *
 * <p>Executors run at a lower CPU priority than this JVM ({@link #DEFAULT_NICENESS}), meant to let the control
 * plane's threads get a CPU sooner when a report or a request wakes them.
 */
public final class LocalProcessLauncher implements ExecutorLauncher, AutoCloseable {
    private final String javaBinary;
    private final String classPath;
    private final List<String> jvmOptions;
    private final Set<Local> running = ConcurrentHashMap.newKeySet();
    private final Thread hook;
    private final java.net.InetSocketAddress listen;
    private final Placement placement;
    private final int niceness = niceness();

    /** Where an executor runs on this machine. */
    @FunctionalInterface
    public interface Placement {
        /**
         * The command that runs {@code spec}'s executor, given the plain one ({@code java ... ExecutorMain ARGS}):
         * the same, or with a prefix before it and arguments after it.
         */
        List<String> command(ExecutorSpec spec, List<String> plain);
    }

    /** Children run with this JVM's binary and class path, with {@code -Xmx512m}. */
    public LocalProcessLauncher() {
        this(thisJava(), System.getProperty("java.class.path"), DEFAULT_JVM_OPTIONS);
    }

    /**
     * The system property that sets how much lower than this JVM's the executors' CPU priority is (their niceness
     * increment, {@code nice -n N}); 0 runs them at this JVM's priority.
     */
    public static final String NICENESS_PROPERTY = "cornserve.executorNice";
    /**
     * Executors run at niceness +10 by default: an executor computes flat out on its CPU threads, and at equal
     * priority a control-plane or gateway thread woken by a report or a request may wait behind that compute for its
     * turn on a shared core. Measured on two cores (DispatchBench 200 2 1 300, quiet machine) it made no difference
     * either way: per-request overhead P99 27.8 ms at +10 against 26.6 ms at 0, per step P50 0.36 and 0.37 ms; an
     * executor alone on its cores computes as fast as before (niceness only weighs runnable threads against each
     * other), so it is kept as harmless.
     */
    public static final int DEFAULT_NICENESS = 10;
    private static final String NICE_BINARY = java.util.stream.Stream.of("/usr/bin/nice", "/bin/nice")
            .filter(f -> java.nio.file.Files.isExecutable(Path.of(f))).findFirst().orElse(null);

    private static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx512m", "-Xss4m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=4");

    /** The java binary of this JVM (for the processes it starts). */
    public static String thisJava() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
    }

    public LocalProcessLauncher(String javaBinary, String classPath, List<String> jvmOptions) {
        this(javaBinary, classPath, jvmOptions, new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
                (spec, plain) -> plain);
    }

    /**
     * Executors placed by {@code placement}, the control plane listening on {@code listen} for them (an address
     * every placement reaches), with this JVM's binary and class path.
     */
    public LocalProcessLauncher(java.net.InetSocketAddress listen, Placement placement) {
        this(thisJava(), System.getProperty("java.class.path"), DEFAULT_JVM_OPTIONS, listen, placement);
    }

    private LocalProcessLauncher(String javaBinary, String classPath, List<String> jvmOptions,
            java.net.InetSocketAddress listen, Placement placement) {
        this.listen = listen;
        this.placement = placement;
        this.javaBinary = javaBinary;
        this.classPath = classPath;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.hook = new Thread(this::killAll, "executor-reaper");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public LaunchedExecutor launch(ExecutorSpec spec) {
        List<String> cmd = new ArrayList<>();
        if (niceness > 0 && NICE_BINARY != null) {
            cmd.add(NICE_BINARY);
            cmd.add("-n");
            cmd.add(Integer.toString(niceness));
        }
        cmd.add(javaBinary);
        cmd.addAll(jvmOptions);
        if (StepTrace.ON) {
            cmd.add("-D" + StepTrace.PROPERTY + "=" + System.getProperty(StepTrace.PROPERTY));
        }
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add("org.cornserve.runtime.executor.ExecutorMain");
        cmd.addAll(spec.arguments());
        try {
            Process p = new ProcessBuilder(placement.command(spec, List.copyOf(cmd))).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Local l = new Local(spec.id(), p);
            running.add(l);
            p.onExit().thenRun(() -> running.remove(l));
            return l;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start executor " + spec.id() + " (" + javaBinary + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * The niceness increment executors start with: {@value #NICENESS_PROPERTY} or {@value #DEFAULT_NICENESS}; 0 where
     * this machine has no {@code nice} command.
     */
    public static int niceness() {
        String set = System.getProperty(NICENESS_PROPERTY);
        int n;
        try {
            n = set == null ? DEFAULT_NICENESS : Integer.parseInt(set.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + NICENESS_PROPERTY + " must be a whole number 0..19, got '" + set
                    + "'");
        }
        if (n < 0 || n > 19) {
            throw new IllegalArgumentException("-D" + NICENESS_PROPERTY + " must be 0..19 (an executor may only run at"
                    + " a lower priority than the control plane), got " + n);
        }
        return NICE_BINARY == null ? 0 : n;
    }

    @Override
    public java.net.InetSocketAddress listenAddress() {
        return listen;
    }

    /** Executors started and not yet exited. */
    public int running() {
        return running.size();
    }

    private void killAll() {
        for (Local l : running) {
            l.process.destroyForcibly();
        }
        for (Local l : running) {
            try {
                l.process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Kills every executor still running and waits for them to exit. */
    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    private static final class Local implements LaunchedExecutor {
        private final String id;
        private final Process process;
        private final CompletableFuture<String> exited;

        Local(String id, Process process) {
            this.id = id;
            this.process = process;
            this.exited = process.onExit().thenApply(p -> "exit code " + p.exitValue());
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public CompletableFuture<String> exited() {
            return exited;
        }

        @Override
        public void stop(long graceMillis) {
            try {
                if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                    process.destroy();
                    if (!process.waitFor(Math.max(100, graceMillis), TimeUnit.MILLISECONDS)) {
                        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void kill() {
            process.destroyForcibly();
        }

        @Override
        public String toString() {
            return "executor " + id + " (pid " + process.pid() + ")";
        }
    }
}
