package org.cornserve.runtime.launch.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.runtime.control.ControlPlane;
import org.cornserve.runtime.control.DeviceSlots;
import org.cornserve.runtime.control.RuntimeOptions;
import org.cornserve.runtime.serve.ModelRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The control plane serving a plan through {@link KubernetesLauncher} against fabric8's mock API server (CRUD mode),
 * with {@link FakeKubelet} running each pod's container as a local executor process.
 */
@Tag("integration")
@EnableKubernetesMockClient(crud = true)
class KubernetesLauncherIntegrationTest {
    /** Removed after the class's tests (a temp directory made by hand would stay behind in /tmp). */
    @org.junit.jupiter.api.io.TempDir
    static Path itRoot;

    static final String NS = "cornserve-test";
    KubernetesClient client;

    private List<Pod> pods(String deployment) {
        return client.pods().inNamespace(NS).withLabel(ExecutorPods.LABEL_DEPLOYMENT, deployment).list().getItems()
                .stream().filter(p -> KubernetesLauncher.ended(p) == null).toList();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    @Timeout(400)
    void podsAreCreatedReplacedScaledAndRemoved() throws Exception {
        Path shm = Files.createTempDirectory(itRoot, "cornserve-k8s");
        ResolvedPlan plan = PlanValidator.builtIn().readAndValidate(
                Path.of("src/test/resources/plans/tiny-vl-two-image-one.json"));
        KubernetesSettings settings = KubernetesSettings.defaults(NS, "example.org/cornserve:test").withControl(null, 9100);
        try (FakeKubelet kubelet = new FakeKubelet(client, NS)) {
            KubernetesLauncher launcher = new KubernetesLauncher(client, plan, settings);
            try (ControlPlane runtime = new ControlPlane(plan, new DeviceSlots("cpu", 3, 1),
                    RuntimeOptions.defaults().withShmDir(shm), launcher, launcher)) {
                // created: two vl pods, one image pod, with requests, labels and the executor's command
                List<Pod> vl = pods("vl");
                assertEquals(2, vl.size());
                assertEquals(1, pods("image").size());
                Pod p = vl.get(0);
                Container c = p.getSpec().getContainers().get(0);
                assertEquals("example.org/cornserve:test", c.getImage());
                assertEquals("1", c.getResources().getRequests().get("cpu").toString());
                assertEquals("1Gi", c.getResources().getRequests().get("memory").toString());
                assertNull(c.getResources().getRequests().get(ExecutorPods.GPU_RESOURCE), "cpu plan: no GPU");
                assertEquals(ExecutorPods.MAIN, c.getCommand().get(c.getCommand().size() - 1));
                assertEquals("Never", p.getSpec().getRestartPolicy());
                assertEquals("cornserve", p.getMetadata().getLabels().get(ExecutorPods.LABEL_APP));
                assertEquals(launcher.runtime(), p.getMetadata().getLabels().get(ExecutorPods.LABEL_RUNTIME));
                assertEquals(Set.of("0", "1"), Set.copyOf(vl.stream()
                        .map(x -> x.getMetadata().getLabels().get(ExecutorPods.LABEL_REPLICA)).toList()));
                assertEquals("tiny-vl/vision-encoder,tiny-vl/llm",
                        p.getMetadata().getAnnotations().get(ExecutorPods.ANNOTATION_TASKS));
                assertEquals(3, kubelet.running());

                EndSink first = new EndSink();
                runtime.invoke(new ModelRequest("tiny-vl", "hello", List.of(), List.of(), 8, 0, 1, Set.of()), first);
                assertTrue(first.await(120));
                assertNull(first.failure(), () -> "served: " + first.failure());

                // a pod deleted (drained node, kubectl delete): the replica goes down and a new pod replaces it
                Pod victim = pods("vl").stream().filter(x -> "0".equals(x.getMetadata().getLabels()
                        .get(ExecutorPods.LABEL_REPLICA))).findFirst().orElseThrow();
                EndSink during = new EndSink();
                runtime.invoke(new ModelRequest("tiny-vl", "in flight", List.of(), List.of(), 32, 0, 1, Set.of()),
                        during);
                client.pods().inNamespace(NS).withName(victim.getMetadata().getName()).delete();
                await(() -> runtime.taskManagers().get(0).restarts() == 1, "replica 0 restarted");
                await(() -> pods("vl").size() == 2 && runtime.stats().deployments().get(0).readyReplicas() == 2,
                        "a replacement pod, ready");
                Pod replacement = pods("vl").stream().filter(x -> "0".equals(x.getMetadata().getLabels()
                        .get(ExecutorPods.LABEL_REPLICA))).findFirst().orElseThrow();
                assertNotEquals(victim.getMetadata().getName(), replacement.getMetadata().getName());
                assertTrue(during.await(120), "the in-flight request is retried or failed, not lost");

                // a pod that fails (the container crashed): replaced as well
                kubelet.crash(replacement.getMetadata().getName());
                await(() -> runtime.taskManagers().get(0).restarts() == 2, "replica 0 restarted after a crash");
                await(() -> runtime.stats().deployments().get(0).readyReplicas() == 2, "vl ready again");
                EndSink after = new EndSink();
                runtime.invoke(new ModelRequest("tiny-vl", "again", List.of(), List.of(), 8, 0, 1, Set.of()), after);
                assertTrue(after.await(120));
                assertNull(after.failure(), () -> "served after replacement: " + after.failure());

                // scaling: a slot moves from vl to image: one vl pod goes, a second image pod comes
                runtime.moveSlot("vl", "image").get(10, TimeUnit.SECONDS);
                await(() -> pods("vl").size() == 1 && pods("image").size() == 2
                        && runtime.stats().deployments().get(1).readyReplicas() == 2, "vl 1 pod, image 2 pods");
            }
            // released: every pod of the runtime is removed
            await(() -> client.pods().inNamespace(NS).withLabel(ExecutorPods.LABEL_RUNTIME, launcher.runtime())
                    .list().getItems().isEmpty(), "pods removed");
            await(() -> kubelet.running() == 0, "executor processes gone");
        }
        try (Stream<Path> left = Files.list(shm)) {
            assertEquals(List.of(), left.toList());
        }
    }
}
