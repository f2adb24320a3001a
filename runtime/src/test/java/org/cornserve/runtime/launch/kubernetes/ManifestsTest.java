package org.cornserve.runtime.launch.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cornserve.model.plan.PlanValidator;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.runtime.launch.ExecutorSpec;
import org.junit.jupiter.api.Test;

/** Executor pods for a GPU plan, and the rendered manifests parsed back and applied to the mock API server. */
@EnableKubernetesMockClient(crud = true)
class ManifestsTest {
    static final Path GPU_PLAN = Path.of("../experiments/plans/qwen2.5-vl-7b-8xh100-encoder-split.json");
    KubernetesClient client;

    @Test
    void aGpuExecutorPodRequestsItsDevicesAndRequiresItsHardware() {
        ResolvedPlan plan = PlanValidator.builtIn().readAndValidate(GPU_PLAN);
        KubernetesSettings s = KubernetesSettings.defaults("serving", "registry.example/cornserve:1");
        ExecutorSpec spec = new ExecutorSpec("d1r5n9", List.of("qwen2.5-vl-7b/llm"), 8, 1, 1000, 16,
                new InetSocketAddress("127.0.0.1", 4000), "s1-abc", Path.of("/tmp/shm"), 30000);
        Pod pod = ExecutorPods.pod(plan, spec, "rt12345678", s);
        Container c = pod.getSpec().getContainers().get(0);
        assertEquals("1", c.getResources().getRequests().get(ExecutorPods.GPU_RESOURCE).toString());
        assertEquals("1", c.getResources().getLimits().get(ExecutorPods.GPU_RESOURCE).toString());
        assertEquals("8", c.getResources().getRequests().get("cpu").toString());
        NodeSelectorRequirement req = pod.getSpec().getAffinity().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().get(0)
                .getMatchExpressions().get(0);
        assertEquals("cornserve.io/hardware", req.getKey());
        assertEquals(List.of("h100-sxm"), req.getValues());
        assertEquals(Map.of(ExecutorPods.LABEL_APP, "cornserve", ExecutorPods.LABEL_COMPONENT, "executor",
                ExecutorPods.LABEL_RUNTIME, "rt12345678", ExecutorPods.LABEL_DEPLOYMENT, "llm",
                ExecutorPods.LABEL_REPLICA, "5", ExecutorPods.LABEL_EXECUTOR, "d1r5n9"), pod.getMetadata().getLabels());
        assertEquals("cornserve-rt12345678-d1r5n9", pod.getMetadata().getName());
        // executors reach the control plane through its Service and share the node's /dev/shm
        List<String> args = c.getArgs();
        assertEquals("cornserve-control:9100", args.get(args.indexOf("--connect") + 1));
        assertEquals("/dev/shm", args.get(args.indexOf("--shm-dir") + 1));
        assertThrows(IllegalArgumentException.class, () -> ExecutorPods.pod(plan, new ExecutorSpec("d7r0n1",
                List.of("x"), 1, 1, 1, 1, new InetSocketAddress(1), "s", Path.of("/tmp"), 1), "rt1", s));
    }

    @Test
    void renderedManifestsParseBackHaveRequiredFieldsAndApply() throws Exception {
        ResolvedPlan plan = PlanValidator.builtIn().readAndValidate(GPU_PLAN);
        KubernetesSettings s = KubernetesSettings.defaults("serving", "registry.example/cornserve:1");
        List<Manifests.Manifest> ms = Manifests.render(plan, Files.readString(GPU_PLAN), s, 8);
        assertEquals(7 + plan.deployments().size(), ms.size());
        for (Manifests.Manifest m : ms) {
                String yaml = m.yaml();
            List<HasMetadata> parsed = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
                    .items();
            assertEquals(1, parsed.size(), m.file());
            HasMetadata r = parsed.get(0);
            assertNotNull(r.getApiVersion(), m.file());
            assertNotNull(r.getKind(), m.file());
            assertTrue(r.getMetadata().getName().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), m.file());
            if (!(r instanceof Namespace)) {
                assertEquals("serving", r.getMetadata().getNamespace(), m.file());
            }
            switch (r) {
                case Role role -> assertEquals(Set.of("create", "delete", "get", "list", "watch"),
                        Set.copyOf(role.getRules().get(0).getVerbs()));
                case RoleBinding rb -> assertEquals("Role", rb.getRoleRef().getKind());
                case Deployment d -> {
                    assertEquals(d.getSpec().getSelector().getMatchLabels(),
                            d.getSpec().getTemplate().getMetadata().getLabels());
                    containersComplete(d.getSpec().getTemplate().getSpec(), m.file());
                    assertNotNull(d.getSpec().getTemplate().getSpec().getContainers().get(0).getReadinessProbe());
                }
                case Service svc -> {
                    assertFalse(svc.getSpec().getSelector().isEmpty());
                    assertEquals(List.of(8000, 9100, 9101), svc.getSpec().getPorts().stream()
                            .map(p -> p.getPort()).toList());
                }
                case PodTemplate pt -> {
                    PodSpec ps = pt.getTemplate().getSpec();
                    containersComplete(ps, m.file());
                    assertNotNull(ps.getContainers().get(0).getResources().getRequests()
                            .get(ExecutorPods.GPU_RESOURCE), m.file());
                }
                default -> { }
            }
            client.resource(r).create();
        }
        assertEquals(2, client.v1().podTemplates().inNamespace("serving").list().getItems().size());
        assertEquals(1, client.apps().deployments().inNamespace("serving").list().getItems().size());
    }

    private static void containersComplete(PodSpec spec, String file) {
        assertFalse(spec.getContainers().isEmpty(), file);
        for (Container c : spec.getContainers()) {
            assertNotNull(c.getName(), file);
            assertNotNull(c.getImage(), file);
            assertFalse(c.getCommand().isEmpty(), file);
        }
    }
}
