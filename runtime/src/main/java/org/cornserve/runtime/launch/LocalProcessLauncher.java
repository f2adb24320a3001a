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

/**
 * Starts each executor as a child JVM of this one: the same {@code java} binary and class path, the Vector API
 * module, a small heap and the serial collector (an executor's heap is mostly weights and its KV cache). Children
 * die with this JVM: {@link #close} and a shutdown hook end every one still running, and each child also watches its
 * parent. Output goes to this process's standard error.
 *
 * <p>A {@link Placement} may run an executor elsewhere on this machine (another network namespace: {@code ip netns exec
 * NS} before the command) and tell it which shared-memory domain it is in; the control plane then listens where every
 * placement reaches it.
 */
public final class LocalProcessLauncher implements ExecutorLauncher, AutoCloseable {
    private final String javaBinary;
    private final String classPath;
    private final List<String> jvmOptions;
    private final Set<Local> running = ConcurrentHashMap.newKeySet();
    private final Thread hook;
    private final java.net.InetSocketAddress listen;
    private final Placement placement;

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

    private static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx512m", "-Xss4m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=4");

    private static String thisJava() {
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
        cmd.add(javaBinary);
        cmd.addAll(jvmOptions);
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
