package org.cornserve.runtime.launch.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A kubelet for the mock API server: runs each executor pod's container as a local process (the image's
 * {@code java} and class path replaced by this JVM's), marks the pod Running and Ready, marks it Failed when the
 * process exits by itself, and kills the process when the pod is deleted.
 */
final class FakeKubelet implements AutoCloseable {
    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final SharedIndexInformer<Pod> informer;
    private volatile boolean closed;

    FakeKubelet(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        this.informer = client.pods().inNamespace(namespace).withLabel(ExecutorPods.LABEL_COMPONENT, "executor")
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        run(pod);
                    }

                    @Override
                    public void onUpdate(Pod old, Pod pod) {
                    }

                    @Override
                    public void onDelete(Pod pod, boolean unknown) {
                        Process p = processes.remove(pod.getMetadata().getName());
                        if (p != null) {
                            p.destroyForcibly();
                        }
                    }
                }, 0);
    }

    private void run(Pod pod) {
        String name = pod.getMetadata().getName();
        Container c = pod.getSpec().getContainers().get(0);
        List<String> cmd = new ArrayList<>();
        for (String part : c.getCommand()) {
            if (part.equals("java")) {
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            } else if (part.equals(KubernetesSettings.LIB + "/*")) {
                cmd.add(System.getProperty("java.class.path"));
            } else {
                cmd.add(part);
            }
        }
        List<String> args = new ArrayList<>(c.getArgs());
        int health = args.indexOf("--health-port");
        if (health >= 0) {
            args.set(health + 1, "0"); // every pod of this fake node shares one network: any free port
        }
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            processes.put(name, p);
            status(name, "Running", true);
            p.onExit().thenRun(() -> {
                if (!closed && processes.remove(name, p)) {
                    status(name, "Failed", false);
                }
            });
        } catch (IOException e) {
            status(name, "Failed", false);
        }
    }

    private void status(String name, String phase, boolean ready) {
        try {
            client.pods().inNamespace(namespace).withName(name).editStatus(p -> new PodBuilder(p).withNewStatus()
                    .withPhase(phase).addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                    .endCondition().endStatus().build());
        } catch (RuntimeException e) {
            // the pod is gone already
        }
    }

    /** Makes the pod's process exit as a crash would (the pod then fails). */
    void crash(String pod) {
        Process p = processes.get(pod);
        if (p != null) {
            p.destroyForcibly();
        }
    }

    int running() {
        return (int) processes.values().stream().filter(Process::isAlive).count();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        informer.close();
        for (Process p : processes.values()) {
            p.destroyForcibly();
        }
        for (Process p : processes.values()) {
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
