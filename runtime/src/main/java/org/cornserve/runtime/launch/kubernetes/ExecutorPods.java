package org.cornserve.runtime.launch.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTermBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cornserve.model.plan.ResolvedDeployment;
import org.cornserve.model.plan.ResolvedPlan;
import org.cornserve.runtime.executor.ExecutorHealth;
import org.cornserve.runtime.launch.ExecutorSpec;

/**
 * An executor as a pod: the image's JDK running {@code ExecutorMain} with the executor's arguments; CPU and memory
 * requests (and {@code nvidia.com/gpu} for a GPU deployment, one per device of a replica); a required node affinity
 * on the node label naming the deployment's hardware (GPU deployments); a preferred affinity to the pods of the same
 * runtime, so that executors share a node (and its shared memory) where the cluster allows; labels naming the app,
 * the deployment and the replica, and the unit tasks as an annotation. {@code restartPolicy: Never}: the control
 * plane replaces a pod that ends, with a new executor id.
 */
public final class ExecutorPods {
    public static final String LABEL_APP = "app.kubernetes.io/name";
    public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
    public static final String LABEL_DEPLOYMENT = "cornserve.io/deployment";
    public static final String LABEL_REPLICA = "cornserve.io/replica";
    public static final String LABEL_EXECUTOR = "cornserve.io/executor";
    public static final String LABEL_RUNTIME = "cornserve.io/runtime";
    public static final String ANNOTATION_TASKS = "cornserve.io/tasks";
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    public static final String MAIN = "org.cornserve.runtime.executor.ExecutorMain";

    private static final Pattern ID = Pattern.compile("d(\\d+)r(\\d+)n(\\d+)");

    private ExecutorPods() {
    }

    /** Deployment and replica of an executor id the control plane made ({@code d<D>r<R>n<launch>}). */
    public record Slot(int deployment, int replica) {
        public static Slot of(String executorId) {
            Matcher m = ID.matcher(executorId);
            if (!m.matches()) {
                throw new IllegalArgumentException("executor id '" + executorId + "' is not d<D>r<R>n<N>");
            }
            return new Slot(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
    }

    /** A Kubernetes name from a deployment name: lowercase letters, digits and '-'. */
    public static String dnsName(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        if (s.isEmpty()) {
            s = "deployment";
        }
        return s.length() > 40 ? s.substring(0, 40).replaceAll("-+$", "") : s;
    }

    /**
     * The pod of {@code spec} under {@code runtime} (a label value naming this control plane's pods).
     *
     * @throws IllegalArgumentException when the spec's id names no deployment of the plan
     */
    public static Pod pod(ResolvedPlan plan, ExecutorSpec spec, String runtime, KubernetesSettings settings) {
        Slot slot = Slot.of(spec.id());
        if (slot.deployment() >= plan.deployments().size()) {
            throw new IllegalArgumentException("executor " + spec.id() + " names deployment " + slot.deployment()
                    + "; the plan has " + plan.deployments().size());
        }
        ResolvedDeployment rd = plan.deployments().get(slot.deployment());
        Map<String, String> labels = labels(rd, runtime);
        labels.put(LABEL_REPLICA, Integer.toString(slot.replica()));
        labels.put(LABEL_EXECUTOR, spec.id().toLowerCase(Locale.ROOT));
        ObjectMeta meta = new ObjectMetaBuilder().withName(podName(runtime, spec.id()))
                .withNamespace(settings.namespace()).withLabels(labels)
                .withAnnotations(Map.of(ANNOTATION_TASKS, String.join(",", spec.tasks()))).build();
        return new PodBuilder().withMetadata(meta)
                .withSpec(podSpec(rd, spec.threads(), arguments(spec, settings), runtime, settings)).build();
    }

    /** The pod name of executor {@code id}. */
    public static String podName(String runtime, String id) {
        return (KubernetesSettings.APP + "-" + runtime + "-" + id).toLowerCase(Locale.ROOT);
    }

    /** The labels every executor pod of {@code rd} carries (no replica). */
    static Map<String, String> labels(ResolvedDeployment rd, String runtime) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_APP, KubernetesSettings.APP);
        labels.put(LABEL_COMPONENT, "executor");
        labels.put(LABEL_RUNTIME, runtime);
        labels.put(LABEL_DEPLOYMENT, dnsName(rd.name()));
        return labels;
    }

    /** The executor's arguments with the control address and shared-memory directory the pod sees. */
    static List<String> arguments(ExecutorSpec spec, KubernetesSettings settings) {
        List<String> args = new ArrayList<>(spec.arguments());
        args.addAll(List.of("--health-port", Integer.toString(ExecutorHealth.DEFAULT_PORT)));
        if (settings.controlHost() != null) {
            args.set(args.indexOf("--connect") + 1, settings.controlHost() + ":" + settings.controlPort());
            if (settings.shareShm()) {
                args.set(args.indexOf("--shm-dir") + 1, "/dev/shm");
            }
        }
        return args;
    }

    /** An HTTP probe of {@code path} on the executor's health port. */
    static Probe probe(String path, int initialDelaySeconds) {
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new IntOrString("health")).endHttpGet()
                .withInitialDelaySeconds(initialDelaySeconds).withPeriodSeconds(5).withFailureThreshold(3).build();
    }

    /** The spec of a pod running one replica of {@code rd} on {@code cpus} threads with {@code args}. */
    static PodSpec podSpec(ResolvedDeployment rd, int cpus, List<String> args, String runtime,
            KubernetesSettings settings) {
        Map<String, Quantity> requests = new LinkedHashMap<>();
        requests.put("cpu", new Quantity(Integer.toString(cpus)));
        requests.put("memory", new Quantity(settings.executorMemory()));
        Map<String, Quantity> limits = new LinkedHashMap<>();
        limits.put("memory", new Quantity(settings.executorMemory()));
        boolean gpu = !"cpu".equals(rd.hardware().name());
        if (gpu) {
            Quantity n = new Quantity(Integer.toString(rd.deployment().devicesPerReplica()));
            requests.put(GPU_RESOURCE, n);
            limits.put(GPU_RESOURCE, n);
        }
        List<String> command = new ArrayList<>(KubernetesSettings.ENTRYPOINT);
        command.addAll(settings.jvmOptions());
        command.add(MAIN);
        ContainerBuilder container = new ContainerBuilder().withName("executor").withImage(settings.image())
                .withCommand(command).withArgs(args).withNewResources().withRequests(requests).withLimits(limits)
                .endResources().addNewPort().withName("health").withContainerPort(ExecutorHealth.DEFAULT_PORT)
                .endPort().withReadinessProbe(probe(ExecutorHealth.READY_PATH, 0))
                .withLivenessProbe(probe(ExecutorHealth.LIVE_PATH, 30));
        PodSpecBuilder spec = new PodSpecBuilder().withRestartPolicy("Never").withTerminationGracePeriodSeconds(5L)
                .withServiceAccountName(null);
        if (settings.shareShm()) {
            container.addNewVolumeMount().withName("shm").withMountPath("/dev/shm").endVolumeMount();
            spec.addNewVolume().withName("shm").withNewHostPath().withPath("/dev/shm").withType("Directory")
                    .endHostPath().endVolume();
        }
        Container c = container.build();
        spec.withContainers(c).withNewAffinity()
                .withNewPodAffinity().withPreferredDuringSchedulingIgnoredDuringExecution(
                        new WeightedPodAffinityTermBuilder().withWeight(100).withNewPodAffinityTerm()
                                .withTopologyKey("kubernetes.io/hostname").withNewLabelSelector()
                                .addToMatchLabels(LABEL_APP, KubernetesSettings.APP).endLabelSelector().endPodAffinityTerm()
                                .build())
                .endPodAffinity().endAffinity();
        PodSpec built = spec.build();
        if (gpu) {
            built.getAffinity().setNodeAffinity(new io.fabric8.kubernetes.api.model.NodeAffinityBuilder()
                    .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                    .withMatchExpressions(new NodeSelectorRequirementBuilder().withKey(settings.hardwareLabel())
                            .withOperator("In").withValues(rd.hardware().name()).build())
                    .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().build());
        }
        return built;
    }
}
