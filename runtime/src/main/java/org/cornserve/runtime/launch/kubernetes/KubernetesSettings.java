package org.cornserve.runtime.launch.kubernetes;

import java.util.List;

/**
 * How the runtime runs on a Kubernetes cluster.
 *
 * @param namespace the namespace of the control plane and its executor pods
 * @param image the container image holding the Cornserve jars ({@code /opt/cornserve/lib}) and a JDK 21+
 * @param controlHost the name executors connect to (the control plane's Service, {@code cornserve-control}); null
 *     when executors reach the control plane at the address it listens on (a control plane on this machine)
 * @param controlPort the port the control plane listens on for executors; the next port takes the tensors that
 *     executors on other nodes stream to it (outputs it reads: a WAV, a PNG)
 * @param gatewayPort the gateway's HTTP port
 * @param executorMemory memory each executor pod requests and is limited to ({@code 1Gi})
 * @param jvmOptions the executor JVM's options
 * @param hardwareLabel the node label that names a node's device kind ({@code cornserve.io/hardware}); executor
 *     pods require it to equal their deployment's hardware
 * @param shareShm mount the node's {@code /dev/shm} into every executor so executors on one node exchange tensors
 *     through shared memory
 */
public record KubernetesSettings(String namespace, String image, String controlHost, int controlPort, int gatewayPort,
        String executorMemory, List<String> jvmOptions, String hardwareLabel, boolean shareShm) {

    /** The app name on every resource ({@code app.kubernetes.io/name}). */
    public static final String APP = "cornserve";
    public static final String DEFAULT_IMAGE = "cornserve-jvm:0.1.0";
    public static final String CONTROL_SERVICE = "cornserve-control";
    /** Where the image keeps the jars; the executor's class path is {@code LIB/*}. */
    public static final String LIB = "/opt/cornserve/lib";
    /**
     * The command every Cornserve container starts with, before its JVM options and main class: the image's
     * {@code ENTRYPOINT} (runtime/docker/Dockerfile).
     */
    public static final List<String> ENTRYPOINT = List.of("java", "--add-modules", "jdk.incubator.vector", "-cp",
            LIB + "/*");

    public KubernetesSettings {
        if (namespace == null || !namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException("--namespace '" + namespace + "' is not a Kubernetes name (lowercase "
                    + "letters, digits and '-', at most 63)");
        }
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("--image is empty");
        }
        if (controlPort < 1 || controlPort > 65534 || gatewayPort < 1 || gatewayPort > 65535) {
            throw new IllegalArgumentException("ports must be in 1..65535 (the control port below 65535: the next one"
                    + " takes tensors): control " + controlPort + ", gateway " + gatewayPort);
        }
        jvmOptions = List.copyOf(jvmOptions);
    }

    /**
     * Control plane at {@code cornserve-control:9100}, gateway on 8000, 1 GiB per executor with the local
     * launcher's JVM options, nodes labelled {@code cornserve.io/hardware}, shared memory on each node.
     */
    public static KubernetesSettings defaults(String namespace, String image) {
        return new KubernetesSettings(namespace, image == null ? DEFAULT_IMAGE : image, CONTROL_SERVICE, 9100, 8000,
                "1Gi", List.of("-Xmx512m", "-Xss4m", "-XX:+UseSerialGC"), "cornserve.io/hardware", true);
    }

    /** The same settings with executors connecting to {@code host:port} (tests run them on this machine). */
    public KubernetesSettings withControl(String host, int port) {
        return new KubernetesSettings(namespace, image, host, port, gatewayPort, executorMemory, jvmOptions,
                hardwareLabel, shareShm);
    }
}
