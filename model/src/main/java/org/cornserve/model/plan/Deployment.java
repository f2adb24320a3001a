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
 * @param dataParallel data-parallel attention ranks of one replica (vLLM {@code --data-parallel-size}, default 1;
 *        not written when 1): each rank runs {@code tensor_parallel} devices with its own sequences, KV cache and
 *        {@code max_num_seqs} / {@code max_num_batched_tokens}, and a MoE model's experts span all the ranks'
 *        devices; {@code tensor_parallel} then defaults to {@code devices_per_replica / data_parallel}
 * @param expertParallel whole experts per device across the replica's {@code tensor_parallel x data_parallel}
 *        devices (vLLM {@code --enable-expert-parallel}, default false; not written when false)
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
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = One.class)
        @JsonProperty("data_parallel") Integer dataParallel,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = False.class)
        @JsonProperty("expert_parallel") Boolean expertParallel,
        @JsonProperty("autoscale") Autoscale autoscale) {

    public static final String DEFAULT_ROUTER = "least-outstanding";

    /** A deployment without data or expert parallelism. */
    public Deployment(String name, List<String> tasks, String hardware, Integer devicesPerReplica,
            Integer tensorParallel, Integer replicas, String router, Batching batching) {
        this(name, tasks, hardware, devicesPerReplica, tensorParallel, replicas, router, batching, null, null, null);
    }

    /** A deployment with fixed replicas. */
    public Deployment(String name, List<String> tasks, String hardware, Integer devicesPerReplica,
            Integer tensorParallel, Integer replicas, String router, Batching batching, Integer dataParallel,
            Boolean expertParallel) {
        this(name, tasks, hardware, devicesPerReplica, tensorParallel, replicas, router, batching, dataParallel,
                expertParallel, null);
    }

    /** A deployment without data or expert parallelism that scales with load as {@code autoscale} says. */
    public Deployment(String name, List<String> tasks, String hardware, Integer devicesPerReplica,
            Integer tensorParallel, Integer replicas, String router, Batching batching, Autoscale autoscale) {
        this(name, tasks, hardware, devicesPerReplica, tensorParallel, replicas, router, batching, null, null,
                autoscale);
    }

    /** The same deployment with another scaling (null: fixed replicas). */
    public Deployment withAutoscale(Autoscale newAutoscale) {
        return new Deployment(name, tasks, hardware, devicesPerReplica, tensorParallel, replicas, router, batching,
                dataParallel, expertParallel, newAutoscale);
    }

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
        dataParallel = dataParallel == null ? 1 : dataParallel;
        if (dataParallel < 1) {
            throw new IllegalArgumentException("deployment '" + name + "': data_parallel must be >= 1, got " + dataParallel);
        }
        expertParallel = expertParallel != null && expertParallel;
        tensorParallel = tensorParallel == null ? Math.max(1, devicesPerReplica / dataParallel) : tensorParallel;
        replicas = replicas == null ? 1 : replicas;
        if (devicesPerReplica < 1 || tensorParallel < 1 || replicas < 1) {
            throw new IllegalArgumentException("deployment '" + name + "': devices_per_replica, tensor_parallel and replicas must be >= 1, got "
                    + devicesPerReplica + ", " + tensorParallel + ", " + replicas);
        }
        router = router == null || router.isBlank() ? DEFAULT_ROUTER : router.trim();
        batching = batching == null ? Batching.DEFAULTS : batching;
    }

    /** A deployment with default router and batching. */
    public static Deployment of(String name, List<String> tasks, String hardware, int devicesPerReplica,
            int tensorParallel, int replicas) {
        return new Deployment(name, tasks, hardware, devicesPerReplica, tensorParallel, replicas, null, null);
    }

    /** Devices all replicas use together. */
    public int devices() {
        return devicesPerReplica * replicas;
    }

    /** The same deployment with another replica count (planners scale deployments this way). */
    public Deployment withReplicas(int newReplicas) {
        return new Deployment(name, tasks, hardware, devicesPerReplica, tensorParallel, newReplicas, router, batching,
                dataParallel, expertParallel, autoscale);
    }

    /** The LLM layout of one replica: tensor and data parallel degrees, expert parallelism. */
    public org.cornserve.model.profile.LlmParallelism llmParallelism() {
        return new org.cornserve.model.profile.LlmParallelism(tensorParallel, dataParallel, expertParallel);
    }

    /** JSON filter: leaves {@code data_parallel} out when it is 1 (equals true means "exclude"). */
    static final class One {
        @Override
        public boolean equals(Object value) {
            return value == null || Integer.valueOf(1).equals(value);
        }

        @Override
        public int hashCode() {
            return 1;
        }
    }

    /** JSON filter: leaves {@code expert_parallel} out when it is false. */
    static final class False {
        @Override
        public boolean equals(Object value) {
            return value == null || Boolean.FALSE.equals(value);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
