package org.cornserve.simulator.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cornserve.model.hardware.Hardware;
import org.cornserve.model.profile.LlmCost;
import org.cornserve.model.profile.LlmParallelism;
import org.cornserve.model.profile.Profile;
import org.cornserve.model.profile.ProfileBook;
import org.cornserve.model.profile.ProfileCosts;
import org.cornserve.model.profile.RooflineTaskCosts;
import org.cornserve.model.profile.TaskCost;
import org.cornserve.model.task.Component;
import org.cornserve.model.task.UnitTask;
import org.cornserve.planner.schedule.DeploymentConfig;
import org.cornserve.planner.schedule.TaskConfig;
import org.cornserve.planner.schedule.batch.DiffusionBatching;
import org.cornserve.planner.schedule.batch.ItemBatching;
import org.cornserve.planner.schedule.batch.LlmBatching;
import org.cornserve.planner.schedule.batch.LlmPhase;
import org.cornserve.planner.schedule.batch.Preemption;
import org.cornserve.simulator.config.SimDeployment;

/**
 * Builds a simulated deployment from unit tasks, hardware and batching settings: one task config per unit task
 * (single-pass batching for encoders, vocoders and VAE decoders; continuous batching for LLMs and talkers;
 * stepped batching for diffusion transformers), roofline cost models ({@link RooflineTaskCosts}), and the
 * replica's KV-cache capacity in tokens derived from memory as the model module's {@code ResolvedDeployment}
 * does: {@code devices x device memory x memory fraction - weights} (each distinct component's weights once),
 * divided by the KV bytes one token takes over all the replica's distinct autoregressive components (a thinker
 * and its talker each keep a cache); every autoregressive task of the replica gets that many tokens. A replica
 * whose weights leave no room for a cache is refused with the numbers.
 */
public final class DeploymentBuilder {

    /**
     * Batching settings with every value set (the plan's defaults filled in).
     *
     * @param maxBatchItems single-pass and diffusion batches: most items (jobs)
     * @param maxBatchTokens single-pass and diffusion batches: most tokens (latent tokens)
     * @param maxWaitMs single-pass batches: longest wait for a batch to fill
     * @param maxNumBatchedTokens LLM: token budget per iteration
     * @param maxNumSeqs LLM: most running sequences
     * @param chunkedPrefill LLM: chunked prefill
     * @param preemption LLM: {@code recompute} or {@code none}
     * @param memoryFraction LLM: fraction of device memory for weights and KV cache
     * @param blockSize LLM: tokens per KV block
     * @param prefixCaching LLM: vLLM's automatic prefix caching
     */
    public record Settings(int maxBatchItems, long maxBatchTokens, double maxWaitMs, int maxNumBatchedTokens,
            int maxNumSeqs, boolean chunkedPrefill, String preemption, double memoryFraction, int blockSize,
            boolean prefixCaching) {

        /** Settings without prefix caching (blocks of 16). */
        public Settings(int maxBatchItems, long maxBatchTokens, double maxWaitMs, int maxNumBatchedTokens,
                int maxNumSeqs, boolean chunkedPrefill, String preemption, double memoryFraction) {
            this(maxBatchItems, maxBatchTokens, maxWaitMs, maxNumBatchedTokens, maxNumSeqs, chunkedPrefill, preemption,
                    memoryFraction, LlmBatching.DEFAULT_BLOCK_SIZE, false);
        }

        /** vLLM-like defaults: 32 items, 16384 tokens, 5 ms; 8192 batched tokens, 256 sequences, chunked, recompute, 0.9. */
        public static final Settings DEFAULTS = new Settings(32, 16384, 5, 8192, 256, true, "recompute", 0.9);
    }

    private DeploymentBuilder() {
    }

    /**
     * @param replicaNodes the node index of each replica (transfers between nodes use the inter-node link)
     * @param maxOutstandingInvocations the admission bound, 0 for none
     */
    public static SimDeployment build(String name, List<UnitTask> tasks, Hardware hardware, int devicesPerReplica,
            int tensorParallel, int replicas, String router, long seed, Settings settings, List<Integer> replicaNodes,
            int maxOutstandingInvocations) {
        return build(name, tasks, hardware, devicesPerReplica, tensorParallel, replicas, router, seed, settings,
                replicaNodes, maxOutstandingInvocations, 0);
    }

    /**
     * @param kvCacheTokens KV-cache capacity of each autoregressive task in tokens, or 0 to derive it here
     */
    public static SimDeployment build(String name, List<UnitTask> tasks, Hardware hardware, int devicesPerReplica,
            int tensorParallel, int replicas, String router, long seed, Settings settings, List<Integer> replicaNodes,
            int maxOutstandingInvocations, long kvCacheTokens) {
        return build(name, tasks, hardware, devicesPerReplica, LlmParallelism.tensor(tensorParallel), replicas, router,
                seed, settings, replicaNodes, maxOutstandingInvocations, kvCacheTokens);
    }

    /**
     * @param parallelism the LLM layout of a replica; with {@code dataParallel > 1} the replica is vLLM's group of
     *     data-parallel ranks, scheduled here as one engine whose {@code max_num_seqs} and
     *     {@code max_num_batched_tokens} are the ranks' together ({@code dp x} the per-rank settings) and whose
     *     iterations cost as {@link org.cornserve.model.profile.RooflineLlmCost} says (each rank an even share)
     */
    public static SimDeployment build(String name, List<UnitTask> tasks, Hardware hardware, int devicesPerReplica,
            LlmParallelism parallelism, int replicas, String router, long seed, Settings settings,
            List<Integer> replicaNodes, int maxOutstandingInvocations, long kvCacheTokens) {
        return build(name, tasks, hardware, devicesPerReplica, parallelism, replicas, router, seed, settings,
                replicaNodes, maxOutstandingInvocations, kvCacheTokens, ProfileBook.EMPTY, null);
    }

    /**
     * As above, with {@code profiles} replacing the roofline task by task (a task without a profile for this
     * hardware and device count keeps the roofline; outside a profile's grid the roofline answers and
     * {@code fallbacks} counts it).
     */
    public static SimDeployment build(String name, List<UnitTask> tasks, Hardware hardware, int devicesPerReplica,
            LlmParallelism parallelism, int replicas, String router, long seed, Settings settings,
            List<Integer> replicaNodes, int maxOutstandingInvocations, long kvCacheTokens, ProfileBook profiles,
            ProfileCosts.Fallbacks fallbacks) {
        int tensorParallel = parallelism.tensorParallel();
        int dp = parallelism.dataParallel();
        List<Object> costs = new ArrayList<>();
        Map<String, Long> kvBytes = new LinkedHashMap<>();
        Map<String, Component> distinct = new LinkedHashMap<>();
        RooflineTaskCosts roofline = new RooflineTaskCosts(hardware);
        for (UnitTask t : tasks) {
            java.util.Optional<Profile> measured = profiles.find(t.id(), hardware.name(), devicesPerReplica);
            costs.add(switch (roofline.cost(t, parallelism)) {
                case TaskCost.Llm l -> measured.map(p -> ProfileCosts.llm(p, l.cost(), fallbacks)).orElse(l.cost());
                case TaskCost.Batch b -> measured.map(p -> ProfileCosts.batch(p, b.cost(), fallbacks)).orElse(b.cost());
                case TaskCost.Diffusion d -> measured.map(p -> ProfileCosts.diffusion(p, d.cost(), fallbacks))
                        .orElse(d.cost());
            });
            String base = t.id().replace(t.phase().suffix(), "");
            distinct.putIfAbsent(base, t.component());
            if (costs.get(costs.size() - 1) instanceof LlmCost llm) {
                kvBytes.putIfAbsent(base, llm.kvBytesPerToken());
            }
        }
        int autoregressive = kvBytes.size();
        long kvBytesPerToken = kvBytes.values().stream().mapToLong(Long::longValue).sum();
        long weights = distinct.values().stream().mapToLong(c -> c.weightBytes()
                + (dp - 1) * (c.weightBytes() - org.cornserve.model.plan.ResolvedDeployment.expertWeightBytes(c))).sum();
        double usable = (double) devicesPerReplica * hardware.memoryBytes() * settings.memoryFraction();
        double free = usable - weights;
        if (autoregressive > 0 && free <= 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "deployment '%s': weights of %s need %.2f GB per replica but %d x %s with memory fraction %.2f"
                            + " give %.2f GB; no room is left for a KV cache", name, distinct.keySet(), weights / 1e9,
                    devicesPerReplica, hardware.name(), settings.memoryFraction(), usable / 1e9));
        }
        List<TaskConfig> configs = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            UnitTask t = tasks.get(i);
            Object cost = costs.get(i);
            configs.add(switch (cost) {
                case LlmCost llm -> {
                    long kvTokens = kvCacheTokens > 0 ? kvCacheTokens : (long) (free / Math.max(1, kvBytesPerToken));
                    if (kvTokens < 1) {
                        throw new IllegalArgumentException("deployment '" + name + "': task " + t.id() + " gets a KV cache"
                                + " of " + kvTokens + " tokens (" + (long) free + " bytes free, " + kvBytesPerToken
                                + " bytes per token over the replica's autoregressive tasks)");
                    }
                    yield new TaskConfig.Llm(t.id(), phase(t), new LlmBatching(settings.maxNumBatchedTokens() * dp,
                            settings.maxNumSeqs() * dp, settings.chunkedPrefill(), Preemption.parse(settings.preemption()),
                            kvTokens, Long.MAX_VALUE, settings.blockSize(), settings.prefixCaching()));
                }
                case org.cornserve.model.profile.DiffusionCost d -> new TaskConfig.Diffusion(t.id(),
                        new DiffusionBatching(settings.maxBatchItems(), settings.maxBatchTokens()));
                default -> new TaskConfig.Batch(t.id(), new ItemBatching(settings.maxBatchItems(),
                        settings.maxBatchTokens(), Math.round(settings.maxWaitMs() * 1e6)));
            });
        }
        DeploymentConfig dc = new DeploymentConfig(name, configs, replicas, router, seed, maxOutstandingInvocations);
        return new SimDeployment(dc, costs, devicesPerReplica, replicaNodes);
    }

    private static LlmPhase phase(UnitTask t) {
        return switch (t.phase()) {
            case WHOLE -> LlmPhase.FULL;
            case PREFILL -> LlmPhase.PREFILL;
            case DECODE -> LlmPhase.DECODE;
        };
    }
}
