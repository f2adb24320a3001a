package org.cornserve.model.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One deployment of a plan: a group of unit tasks served together by {@code replicas} identical replicas,
 * each on {@code devicesPerReplica} devices of one hardware kind with the given tensor-parallel degree.
 *
 * @param name unique inside the plan
 * @param tasks task ids ({@code model/component[:prefill|:decode]} or a share id such as {@code gemma-3-siglip})
 * @param hardware hardware name or alias
 * @param devicesPerReplica devices one replica uses (default 1)
 * @param tensorParallel tensor-parallel degree (default: devicesPerReplica)
 * @param replicas replica count (default 1)
 * @param router request router name (default {@value #DEFAULT_ROUTER}); the scheduler core's registry
 *        decides which names exist
 * @param batching batching settings (default: all defaults)
 * @param autoscale how it scales with load while serving, or null for fixed replicas
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Deployment(
        @JsonProperty(value = "name", required = true) String name,
        @JsonProperty(value = "tasks", required = true) List<String> tasks,
        @JsonProperty(value = "hardware", required = true) String hardware,
        @JsonProperty("devices_per_replica") Integer devicesPerReplica,
        @JsonProperty("tensor_parallel") Integer tensorParallel,
        @JsonProperty("replicas") Integer replicas,
        @JsonProperty("router") String router,
        @JsonProperty("batching") Batching batching,
        @JsonProperty("autoscale") Autoscale autoscale) {

    public static final String DEFAULT_ROUTER = "least-outstanding";

    public Deployment {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("deployment name is empty");
        }
        if (tasks == null || tasks.isEmpty()) {
            throw new IllegalArgumentException("deployment '" + name + "': tasks must list at least one task id");
        }
        tasks = List.copyOf(tasks);
        Set<String> seen = new HashSet<>();
        for (String t : tasks) {
            if (t == null || t.isBlank() || !seen.add(t)) {
                throw new IllegalArgumentException("deployment '" + name + "': task ids must be non-empty and distinct, got " + tasks);
            }
        }
        if (hardware == null || hardware.isBlank()) {
            throw new IllegalArgumentException("deployment '" + name + "': hardware is empty");
        }
        devicesPerReplica = devicesPerReplica == null ? 1 : devicesPerReplica;
        tensorParallel = tensorParallel == null ? devicesPerReplica : tensorParallel;
        replicas = replicas == null ? 1 : replicas;
        if (devicesPerReplica < 1 || tensorParallel < 1 || replicas < 1) {
            throw new IllegalArgumentException("deployment '" + name + "': devices_per_replica, tensor_parallel and replicas must be >= 1, got "
                    + devicesPerReplica + ", " + tensorParallel + ", " + replicas);
        }
        router = router == null || router.isBlank() ? DEFAULT_ROUTER : router.trim();
        batching = batching == null ? Batching.DEFAULTS : batching;
    }

    /** A deployment with fixed replicas. */
    public Deployment(String name, List<String> tasks, String hardware, Integer devicesPerReplica,
            Integer tensorParallel, Integer replicas, String router, Batching batching) {
        this(name, tasks, hardware, devicesPerReplica, tensorParallel, replicas, router, batching, null);
    }

    /** A deployment with default router and batching. */
    public static Deployment of(String name, List<String> tasks, String hardware, int devicesPerReplica,
            int tensorParallel, int replicas) {
        return new Deployment(name, tasks, hardware, devicesPerReplica, tensorParallel, replicas, null, null);
    }

    /** The same deployment with another scaling (null: fixed replicas). */
    public Deployment withAutoscale(Autoscale newAutoscale) {
        return new Deployment(name, tasks, hardware, devicesPerReplica, tensorParallel, replicas, router, batching,
                newAutoscale);
    }

    /** Devices all replicas use together. */
    public int devices() {
        return devicesPerReplica * replicas;
    }

    /** The same deployment with another replica count (planners scale deployments this way). */
    public Deployment withReplicas(int newReplicas) {
        return new Deployment(name, tasks, hardware, devicesPerReplica, tensorParallel, newReplicas, router, batching,
                autoscale);
    }
}
