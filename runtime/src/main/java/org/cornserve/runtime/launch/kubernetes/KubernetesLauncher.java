package org.cornserve.runtime.launch.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.runtime.launch.ExecutorLauncher;
import org.cornserve.runtime.launch.ExecutorSpec;
import org.cornserve.runtime.launch.LaunchedExecutor;

/**
 * Starts each executor as a pod ({@link ExecutorPods}) and watches this runtime's pods with an informer. A pod that
 * is deleted, evicted or fails ends its executor ({@link LaunchedExecutor#exited()} completes with the reason), as a
 * process exit does for {@link org.cornserve.runtime.launch.LocalProcessLauncher}: the control plane then marks the
 * replica down, retries or fails its in-flight work and starts a new executor, which is a new pod. An executor is
 * ready here once its pod's {@code Ready} condition is true. Stopping an executor deletes its pod; {@link #close}
 * deletes every pod of this runtime still there and stops the informer.
 */
public final class KubernetesLauncher implements ExecutorLauncher, AutoCloseable {
    private final KubernetesClient client;
    private final ResolvedPlan plan;
    private final KubernetesSettings settings;
    private final String runtime;
    private final Map<String, PodExecutor> pods = new ConcurrentHashMap<>();
    private final SharedIndexInformer<Pod> informer;

    /** Watches the pods labelled with a fresh runtime id in the settings' namespace. */
    public KubernetesLauncher(KubernetesClient client, ResolvedPlan plan, KubernetesSettings settings) {
        this.client = client;
        this.plan = plan;
        this.settings = settings;
        this.runtime = "rt" + UUID.randomUUID().toString().substring(0, 8);
        this.informer = client.pods().inNamespace(settings.namespace())
                .withLabel(ExecutorPods.LABEL_RUNTIME, runtime).inform(new Handler(), 0);
    }

    /** The label value ({@value ExecutorPods#LABEL_RUNTIME}) on this runtime's pods. */
    public String runtime() {
        return runtime;
    }

    @Override
    public InetSocketAddress listenAddress() {
        return settings.controlHost() == null ? ExecutorLauncher.super.listenAddress()
                : new InetSocketAddress(settings.controlPort());
    }

    @Override
    public LaunchedExecutor launch(ExecutorSpec spec) {
        Pod pod = ExecutorPods.pod(plan, spec, runtime, settings);
        String name = pod.getMetadata().getName();
        PodExecutor e = new PodExecutor(spec.id(), name);
        pods.put(name, e);
        try {
            client.pods().inNamespace(settings.namespace()).resource(pod).create();
        } catch (KubernetesClientException ex) {
            pods.remove(name);
            throw new IllegalStateException("cannot create pod " + name + " in namespace " + settings.namespace()
                    + ": " + ex.getMessage(), ex);
        }
        return e;
    }

    /** Executor pods created and not yet gone, as this launcher knows them. */
    public int running() {
        return (int) pods.values().stream().filter(p -> !p.exited.isDone()).count();
    }

    private final class Handler implements ResourceEventHandler<Pod> {
        @Override
        public void onAdd(Pod pod) {
            seen(pod);
        }

        @Override
        public void onUpdate(Pod old, Pod pod) {
            seen(pod);
        }

        @Override
        public void onDelete(Pod pod, boolean finalStateUnknown) {
            PodExecutor e = pods.remove(pod.getMetadata().getName());
            if (e != null) {
                e.exited.complete("pod " + pod.getMetadata().getName() + " deleted");
            }
        }
    }

    private void seen(Pod pod) {
        PodExecutor e = pods.get(pod.getMetadata().getName());
        if (e == null) {
            return;
        }
        String gone = ended(pod);
        if (gone != null) {
            e.exited.complete(gone);
            client.pods().inNamespace(settings.namespace()).withName(e.pod).delete();
        } else if (ready(pod)) {
            e.ready.complete(null);
        }
    }

    /** Why the pod's executor is over (evicted, failed, finished, being deleted), or null while it lives. */
    static String ended(Pod pod) {
        String name = pod.getMetadata().getName();
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return "pod " + name + " is being deleted";
        }
        if (pod.getStatus() == null) {
            return null;
        }
        String phase = pod.getStatus().getPhase();
        if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
            String reason = pod.getStatus().getReason();
            String message = pod.getStatus().getMessage();
            return "pod " + name + " " + ("Evicted".equals(reason) ? "evicted" : phase.toLowerCase())
                    + (reason == null ? "" : " (" + reason + (message == null ? "" : ": " + message) + ")");
        }
        return null;
    }

    static boolean ready(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) {
                return true;
            }
        }
        return false;
    }

    private final class PodExecutor implements LaunchedExecutor {
        private final String id;
        private final String pod;
        private final CompletableFuture<String> exited = new CompletableFuture<>();
        private final CompletableFuture<Void> ready = new CompletableFuture<>();

        PodExecutor(String id, String pod) {
            this.id = id;
            this.pod = pod;
            exited.thenRun(() -> ready.completeExceptionally(new IllegalStateException("pod " + pod + " ended")));
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
        public CompletableFuture<Void> ready() {
            return ready;
        }

        @Override
        public void stop(long graceMillis) {
            delete(Math.max(1, (graceMillis + 999) / 1000));
            try {
                exited.get(graceMillis + 5000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                exited.complete("pod " + pod + " not seen gone after deletion");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void kill() {
            delete(0);
        }

        private void delete(long graceSeconds) {
            try {
                client.pods().inNamespace(settings.namespace()).withName(pod).withGracePeriod(graceSeconds).delete();
            } catch (KubernetesClientException e) {
                System.err.println("kubernetes launcher: deleting pod " + pod + " failed: " + e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "executor " + id + " (pod " + pod + ")";
        }
    }

    /** Deletes every pod of this runtime and stops watching. */
    @Override
    public void close() {
        try {
            client.pods().inNamespace(settings.namespace()).withLabel(ExecutorPods.LABEL_RUNTIME, runtime)
                    .withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            System.err.println("kubernetes launcher: deleting the pods of " + runtime + " failed: " + e.getMessage());
        }
        for (PodExecutor e : pods.values()) {
            e.exited.complete("runtime closed");
        }
        informer.close();
    }

    @Override
    public String toString() {
        return "kubernetes launcher " + runtime + " in namespace " + settings.namespace();
    }
}
