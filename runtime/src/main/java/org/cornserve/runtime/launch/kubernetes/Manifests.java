package org.cornserve.runtime.launch.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.model.plan.ResolvedDeployment;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.runtime.executor.ExecutorHealth;

/**
 * The manifests a person applies to run a plan on a cluster: the namespace; a service account with a role that may
 * create, delete, get, list and watch pods in it (and nothing else); the plan as a config map; the control plane
 * (gateway and control plane in one JVM) as a one-replica Deployment with its Service (HTTP and the executors'
 * port); and one PodTemplate per deployment of the plan, the pod the control plane creates for each replica (its
 * executor arguments are filled per executor).
 */
public final class Manifests {
    public static final String CONTROL = KubernetesSettings.CONTROL_SERVICE;
    public static final String PLAN_CONFIG_MAP = "cornserve-plan";

    private Manifests() {
    }

    /** A file name and the resource written to it. */
    public record Manifest(String file, HasMetadata resource) {

        /** The resource as YAML. */
        public String yaml() {
            return Serialization.asYaml(resource);
        }
    }

    /**
     * The manifests for {@code plan} (its JSON text is {@code planJson}), in apply order.
     *
     * @param cpusPerDevice CPU cores an executor requests per device of its replica
     */
    public static List<Manifest> render(ResolvedPlan plan, String planJson, KubernetesSettings s, int cpusPerDevice) {
        String ns = s.namespace();
        Map<String, String> controlLabels = new LinkedHashMap<>();
        controlLabels.put(ExecutorPods.LABEL_APP, KubernetesSettings.APP);
        controlLabels.put(ExecutorPods.LABEL_COMPONENT, "control-plane");
        List<Manifest> out = new ArrayList<>();
        out.add(new Manifest("00-namespace.yaml", new NamespaceBuilder().withNewMetadata().withName(ns)
                .addToLabels(ExecutorPods.LABEL_APP, KubernetesSettings.APP).endMetadata().build()));
        out.add(new Manifest("01-service-account.yaml", new ServiceAccountBuilder().withNewMetadata().withName(CONTROL)
                .withNamespace(ns).withLabels(controlLabels).endMetadata().build()));
        out.add(new Manifest("02-role.yaml", new RoleBuilder().withNewMetadata().withName(CONTROL).withNamespace(ns)
                .withLabels(controlLabels).endMetadata().withRules(new PolicyRuleBuilder().withApiGroups("")
                        .withResources("pods").withVerbs("create", "delete", "get", "list", "watch").build())
                .build()));
        out.add(new Manifest("03-role-binding.yaml", new RoleBindingBuilder().withNewMetadata().withName(CONTROL)
                .withNamespace(ns).withLabels(controlLabels).endMetadata().withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(CONTROL).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(CONTROL).withNamespace(ns).endSubject().build()));
        out.add(new Manifest("04-plan.yaml", new ConfigMapBuilder().withNewMetadata().withName(PLAN_CONFIG_MAP)
                .withNamespace(ns).withLabels(controlLabels).endMetadata().addToData("plan.json", planJson).build()));
        out.add(new Manifest("05-control-plane.yaml", controlDeployment(s, controlLabels, cpusPerDevice)));
        out.add(new Manifest("06-control-service.yaml", new ServiceBuilder().withNewMetadata().withName(CONTROL)
                .withNamespace(ns).withLabels(controlLabels).endMetadata().withNewSpec().withSelector(controlLabels)
                .addNewPort().withName("http").withPort(s.gatewayPort()).withTargetPort(new IntOrString("http"))
                .endPort().addNewPort().withName("executors").withPort(s.controlPort())
                .withTargetPort(new IntOrString("executors")).endPort().addNewPort().withName("tensors")
                .withPort(s.controlPort() + 1).withTargetPort(new IntOrString("tensors")).endPort().endSpec()
                .build()));
        for (int d = 0; d < plan.deployments().size(); d++) {
            ResolvedDeployment rd = plan.deployments().get(d);
            int cpus = rd.deployment().devicesPerReplica() * cpusPerDevice;
            PodSpec spec = ExecutorPods.podSpec(rd, cpus, List.of(), "RUNTIME", s);
            spec.getContainers().get(0).setArgs(null);
            Map<String, String> labels = ExecutorPods.labels(rd, "RUNTIME");
            labels.remove(ExecutorPods.LABEL_RUNTIME);
            spec.getAffinity().getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution().get(0)
                    .getPodAffinityTerm().getLabelSelector().setMatchLabels(Map.of(ExecutorPods.LABEL_APP,
                            KubernetesSettings.APP));
            String name = "cornserve-executor-" + ExecutorPods.dnsName(rd.name());
            out.add(new Manifest(String.format("%02d-executor-%s.yaml", 10 + d, ExecutorPods.dnsName(rd.name())),
                    new PodTemplateBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels)
                            .addToAnnotations(ExecutorPods.ANNOTATION_TASKS, String.join(",",
                                    rd.deployment().tasks()))
                            .addToAnnotations("cornserve.io/replicas", Integer.toString(rd.deployment().replicas()))
                            .addToAnnotations("cornserve.io/args", "per executor: --connect " + s.controlHost() + ":"
                                    + s.controlPort() + " --health-port " + ExecutorHealth.DEFAULT_PORT
                                    + " --id --session --tasks ...")
                            .endMetadata().withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                            .withSpec(spec).endTemplate().build()));
        }
        return out;
    }

    private static io.fabric8.kubernetes.api.model.apps.Deployment controlDeployment(KubernetesSettings s,
            Map<String, String> labels, int cpusPerDevice) {
        Probe health = new ProbeBuilder().withNewHttpGet().withPath("/health").withPort(new IntOrString("http"))
                .endHttpGet().withPeriodSeconds(10).withFailureThreshold(3).build();
        List<String> command = new ArrayList<>(KubernetesSettings.ENTRYPOINT);
        command.addAll(List.of("-Xmx2g", "org.cornserve.cli.CornserveMain", "serve", "--plan",
                "/etc/cornserve/plan.json", "--host", "0.0.0.0", "--port", Integer.toString(s.gatewayPort()),
                "--launcher", "kubernetes", "--devices", "cpu:" + cpusPerDevice, "--namespace", s.namespace(),
                "--image", s.image(), "--control-port",
                Integer.toString(s.controlPort())));
        return new DeploymentBuilder().withNewMetadata().withName(CONTROL).withNamespace(s.namespace())
                .withLabels(labels).endMetadata().withNewSpec().withReplicas(1).withNewSelector()
                .withMatchLabels(labels).endSelector().withNewStrategy().withType("Recreate").endStrategy()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withNewSpec()
                .withServiceAccountName(CONTROL).addNewContainer().withName("control-plane").withImage(s.image())
                .withCommand(command).addNewPort().withName("http").withContainerPort(s.gatewayPort()).endPort()
                .addNewPort().withName("executors").withContainerPort(s.controlPort()).endPort()
                .addNewPort().withName("tensors").withContainerPort(s.controlPort() + 1).endPort()
                .withNewResources().addToRequests("cpu", new Quantity("2")).addToRequests("memory", new Quantity("3Gi"))
                .addToLimits("memory", new Quantity("3Gi")).endResources()
                .withReadinessProbe(health).withLivenessProbe(new ProbeBuilder(health).withInitialDelaySeconds(30)
                        .build())
                .addNewVolumeMount().withName("plan").withMountPath("/etc/cornserve").withReadOnly(true)
                .endVolumeMount().addNewVolumeMount().withName("shm").withMountPath("/dev/shm").endVolumeMount()
                .endContainer().addNewVolume().withName("plan").withNewConfigMap().withName(PLAN_CONFIG_MAP)
                .endConfigMap().endVolume().addNewVolume().withName("shm").withNewHostPath().withPath("/dev/shm")
                .withType("Directory").endHostPath().endVolume().endSpec().endTemplate().endSpec().build();
    }
}
