package org.cornserve.cli.serve;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.cornserve.runtime.gateway.Gateway;
import org.cornserve.runtime.gateway.GatewaySettings;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.runtime.control.DeviceSlots;
import org.cornserve.runtime.control.Runtimes;
import org.cornserve.runtime.control.ServablePlans;
import org.cornserve.runtime.serve.LocalEngineInvoker;
import org.cornserve.runtime.serve.ModelInvoker;
import org.cornserve.runtime.serve.local.LocalEngineSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cornserve serve}: the gateway on a loopback port in front of a model invoker. Prints exactly one
 * {@code listening on http://127.0.0.1:PORT} line and one {@code admin token ...} line on stdout, and stops cleanly on
 * SIGINT or SIGTERM (a shutdown hook closes the gateway, then the invoker).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve apps and an OpenAI-style chat endpoint over HTTP until SIGINT or SIGTERM.")
public final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--plan", description = "a deployment plan (JSON) to serve; without one, the tiny models")
    Path plan;

    @Option(names = "--port", defaultValue = "8000", description = "the port; 0 picks a free one (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--devices", defaultValue = "cpu:2", description = "devices to run on, cpu:N for N compute threads "
            + "(default ${DEFAULT-VALUE})")
    String devices;

    @Option(names = "--in-process", description = "serve every tiny model on the in-process engine instead of a plan's "
            + "executor processes (no plan, no control plane)")
    boolean inProcess;

    @Option(names = "--token-file", description = "also write the admin token to this file (mode 600)")
    Path tokenFile;

    @Option(names = "--max-body-bytes", defaultValue = "33554432", description = "largest request body (default ${DEFAULT-VALUE})")
    long maxBodyBytes;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "the address to listen on; 0.0.0.0 in a pod "
            + "(default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--launcher", defaultValue = "local", description = "how executors run with --plan: local (child "
            + "processes) or kubernetes (pods; needs --namespace) (default ${DEFAULT-VALUE})")
    String launcher;

    @Option(names = "--namespace", description = "with --launcher kubernetes: the namespace of the executor pods")
    String namespace;

    @Option(names = "--image", defaultValue = org.cornserve.runtime.launch.kubernetes.KubernetesSettings.DEFAULT_IMAGE,
            description = "with --launcher kubernetes: the executors' image (default ${DEFAULT-VALUE})")
    String image;

    @Option(names = "--control-port", defaultValue = "9100",
            description = "with --launcher kubernetes: the port executors connect to (default ${DEFAULT-VALUE})")
    int controlPort;

    @Option(names = "--ignore-eos", description = "LLMs generate every requested token, past end-of-sequence (as vLLM's"
            + " ignore_eos in its benchmarks): for load tests and validation, where the trace fixes output lengths")
    boolean ignoreEos;

    @Option(names = "--tokens-per-report", defaultValue = "4", paramLabel = "N", description = "decode iterations an"
            + " executor runs before it reports (tokens stream at each report); 1 streams every token (default"
            + " ${DEFAULT-VALUE})")
    long tokensPerReport;

    @Option(names = "--tensor-transport", defaultValue = "auto", paramLabel = "auto|shm|socket", description = "how"
            + " tensors cross between executors: shared memory where two processes share it and the sidecar's socket"
            + " stream otherwise (auto), shared memory always (shm), or the socket stream between any two processes,"
            + " also on one machine (socket) (default ${DEFAULT-VALUE})")
    String tensorTransport;
    @Option(names = "--scale-interval", defaultValue = "15", paramLabel = "SECONDS", description = "with a plan whose"
            + " deployments have autoscale: seconds between the autoscaler's evaluations (default ${DEFAULT-VALUE}, as"
            + " the simulator's)")
    double scaleIntervalSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int cpus = cpuDevices(devices);
        // Jetty and Javalin log their start-up at INFO on stderr; only warnings matter to a user of this command
        System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.javalin", "warn");
        String token = GatewaySettings.newAdminToken();
        ModelInvoker invoker = startInvoker(cpus, err);
        Gateway gateway;
        try {
            gateway = Gateway.start(new GatewaySettings(host, port, maxBodyBytes, token), invoker);
        } catch (IllegalStateException e) {
            invoker.close(); // a built-in app's executors did not start: the message says which and why
            throw e;
        } catch (RuntimeException e) {
            invoker.close();
            throw new IllegalArgumentException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        if (tokenFile != null) {
            writeToken(tokenFile, token);
        }
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            gateway.close();
            invoker.close();
            closed.countDown();
        }, "cornserve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("listening on " + gateway.url());
        out.println("admin token " + token + (tokenFile == null ? "" : " (written to " + tokenFile + ")"));
        out.flush();
        gateway.awaitStop();
        closed.await();
        return 0;
    }

    /**
     * The back end: the plan (or the embedded tiny-omni plan) served by the control plane, one executor process per
     * replica; or, with {@code --in-process}, every tiny model on the in-process engine (no plan, no executors).
     */
    private ModelInvoker startInvoker(int cpus, PrintWriter err) {
        transportMode(); // an unknown name fails before anything starts
        if ("kubernetes".equals(launcher)) {
            if (namespace == null || inProcess) {
                throw new IllegalArgumentException("--launcher kubernetes needs --namespace (and no --in-process)");
            }
            ResolvedPlan resolved = plan == null ? Runtimes.defaultPlan()
                    : PlanValidator.builtIn().readAndValidate(plan);
            ServablePlans.require(resolved);
            var settings = org.cornserve.runtime.launch.kubernetes.KubernetesSettings.defaults(namespace, image)
                    .withControl(org.cornserve.runtime.launch.kubernetes.KubernetesSettings.CONTROL_SERVICE,
                            controlPort);
            err.println("serving plan '" + resolved.plan().name() + "' with executor pods in namespace " + namespace
                    + " (image " + image + ")");
            err.flush();
            return Runtimes.startOnKubernetes(resolved, settings, cpus,
                    runtimeOptions());
        }
        if (!"local".equals(launcher)) {
            throw new IllegalArgumentException("--launcher '" + launcher + "': expected local or kubernetes");
        }
        if (inProcess) {
            if (plan != null) {
                throw new IllegalArgumentException("--in-process serves the tiny models without a plan; drop --plan");
            }
            err.println("serving the tiny models in-process (LocalEngineInvoker: no executor processes, no plan) on "
                    + cpus + " compute threads");
            err.flush();
            return new LocalEngineInvoker(LocalEngineSettings.defaults(cpus).withIgnoreEos(ignoreEos));
        }
        ResolvedPlan resolved = plan == null ? Runtimes.defaultPlan() : PlanValidator.builtIn().readAndValidate(plan);
        ServablePlans.require(resolved); // refused by deployment and task before any executor starts
        err.println("serving plan '" + resolved.plan().name() + "'" + (plan == null ? " (embedded default)" : "")
                + " on " + devices + " (tensors between executors: " + tensorTransport.toLowerCase(java.util.Locale.ROOT)
                + "): starting executors...");
        err.flush();
        return Runtimes.start(resolved, DeviceSlots.parse(devices),
                runtimeOptions());
    }

    private org.cornserve.runtime.control.TensorTransport.Mode transportMode() {
        return org.cornserve.runtime.control.TensorTransport.Mode.byName(tensorTransport);
    }

    private org.cornserve.runtime.control.RuntimeOptions runtimeOptions() {
        if (!(scaleIntervalSeconds > 0) || Double.isInfinite(scaleIntervalSeconds)) {
            throw new IllegalArgumentException("--scale-interval: must be a positive number of seconds, got "
                    + scaleIntervalSeconds);
        }
        return org.cornserve.runtime.control.RuntimeOptions.defaults().withIgnoreEos(ignoreEos)
                .withMaxRunIterations(tokensPerReport).withTensorTransport(transportMode()).withDeployOnRegister(true)
                .withScaleIntervalNanos(Math.round(scaleIntervalSeconds * 1e9));
    }

    /** Parses {@code cpu:N}. */
    static int cpuDevices(String spec) {
        String s = spec.trim();
        if (!s.startsWith("cpu:")) {
            throw new IllegalArgumentException("--devices '" + spec + "': only cpu:N is supported (N compute threads)");
        }
        try {
            int n = Integer.parseInt(s.substring(4));
            if (n < 1 || n > 1024) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--devices '" + spec + "': N in cpu:N must be an integer in 1..1024");
        }
    }

    private static void writeToken(Path file, String token) throws java.io.IOException {
        Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the file keeps its default permissions
        }
    }
}
