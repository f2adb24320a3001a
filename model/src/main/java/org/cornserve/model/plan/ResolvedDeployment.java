package org.cornserve.model.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.task.Component;
import org.cornserve.model.task.UnitTask;
import org.cornserve.model.task.UnitTaskKind;

/**
 * A deployment with its task ids resolved to unit tasks and its hardware to a catalog record.
 *
 * @param deployment the deployment as written
 * @param tasks its unit tasks, in the written order
 * @param hardware its hardware
 */
public record ResolvedDeployment(Deployment deployment, List<UnitTask> tasks, Hardware hardware) {

    public ResolvedDeployment {
        tasks = List.copyOf(tasks);
    }

    public String name() {
        return deployment.name();
    }

    /**
     * Weight bytes one replica holds: each distinct component once (a split LLM's prefill and decode tasks
     * colocated share their weights), summed over all its devices. Under {@code data_parallel} each attention rank
     * holds its own copy of everything but the experts, which are spread once over all the replica's devices.
     */
    public long weightBytes() {
        Map<String, Component> distinct = new LinkedHashMap<>();
        for (UnitTask t : tasks) {
            String key = t.id().replace(t.phase().suffix(), "");
            distinct.putIfAbsent(key, t.component());
        }
        int dp = deployment.dataParallel();
        long total = 0;
        for (Component c : distinct.values()) {
            total += c.weightBytes() + (dp - 1) * (c.weightBytes() - expertWeightBytes(c));
        }
        return total;
    }

    /** Bytes of a component's routed experts (all layers; 0 for a dense component). */
    public static long expertWeightBytes(Component c) {
        return c.transformer().filter(a -> a.isMoe())
                .map(a -> (long) a.layers() * a.experts() * (a.gatedMlp() ? 3L : 2L) * a.hiddenSize()
                        * a.moeIntermediateSize() * c.bytesPerParam())
                .orElse(0L);
    }

    /** Device memory of one replica: devices per replica x the device's memory. */
    public long memoryBytes() {
        return (long) deployment.devicesPerReplica() * hardware.memoryBytes();
    }

    /** True when a task is autoregressive (an LLM whole/prefill/decode or a talker), batched by iterations. */
    public boolean hasAutoregressiveTask() {
        return tasks.stream().anyMatch(t -> t.kind() == UnitTaskKind.LLM || t.kind() == UnitTaskKind.TALKER);
    }

    /** True when a task is batched as a whole (encoders, generators, vocoders, VAE decoders). */
    public boolean hasBatchTask() {
        return tasks.stream().anyMatch(t -> t.kind() != UnitTaskKind.LLM && t.kind() != UnitTaskKind.TALKER);
    }

    /**
     * Bytes of one replica's memory available to weights and KV cache (and activations, under
     * {@code gpu_memory_utilization}): the LLM memory fraction of the batching settings when the replica runs an
     * autoregressive task, 0.9 otherwise.
     */
    public long usableMemoryBytes() {
        double fraction = hasAutoregressiveTask() ? deployment.batching().llm().memoryFraction()
                : Batching.LlmBatching.DEFAULT_MEMORY_FRACTION;
        return (long) (memoryBytes() * fraction);
    }

    /**
     * KV-cache bytes one token takes in one replica: the sum over its distinct autoregressive components
     * (an LLM whole or either phase, and a talker), since a colocated group keeps a cache for each. A
     * prefill-only text encoder keeps none beyond its pass. 0 when none.
     */
    public long kvBytesPerToken() {
        Map<String, Long> distinct = new LinkedHashMap<>();
        for (UnitTask t : tasks) {
            long bytes = switch (t.component()) {
                case org.cornserve.model.task.LanguageModel lm when !lm.prefillOnly() -> lm.kvBytesPerToken();
                case org.cornserve.model.task.Talker talker -> talker.kvBytesPerToken();
                default -> 0L;
            };
            if (bytes > 0) {
                distinct.putIfAbsent(t.id().replace(t.phase().suffix(), ""), bytes);
            }
        }
        return distinct.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The distinct components of the replica that keep a KV cache (an LLM whole or either phase, a talker). */
    public java.util.List<Component> distinctAutoregressiveComponents() {
        Map<String, Component> distinct = new LinkedHashMap<>();
        for (UnitTask t : tasks) {
            boolean cached = switch (t.component()) {
                case org.cornserve.model.task.LanguageModel lm -> !lm.prefillOnly();
                case org.cornserve.model.task.Talker talker -> true;
                default -> false;
            };
            if (cached) {
                distinct.putIfAbsent(t.id().replace(t.phase().suffix(), ""), t.component());
            }
        }
        return java.util.List.copyOf(distinct.values());
    }

    /**
     * Tokens of KV cache one replica holds, as vLLM sizes it ({@link KvCacheMemory}): whole blocks of
     * {@code block_size} tokens from {@code num_gpu_blocks}, or from the memory left after weights (and, under
     * {@code gpu_memory_utilization}, the peak activation), times the block size. 0 when the replica runs no
     * autoregressive task.
     */
    public long kvCacheTokens() {
        return KvCacheMemory.tokens(this);
    }

    /** Usable memory left after weights (the KV cache and activations live here); negative when over. */
    public long freeBytesAfterWeights() {
        return usableMemoryBytes() - weightBytes();
    }
}
