package org.cornserve.model.plan;

import org.cornserve.model.arch.TransformerArch;
import org.cornserve.model.task.Component;
import org.cornserve.model.task.LanguageModel;
import org.cornserve.model.task.Talker;

/**
 * KV-cache capacity of one replica the way vLLM sizes it (see {@link Batching} for the knobs): bytes for the
 * cache, then whole blocks of {@code block_size} tokens, handed to the scheduling core as
 * {@code blocks x block_size} tokens.
 *
 * <p>Peak activation, which {@code gpu_memory_utilization} reserves (vLLM measures it with a profiling forward
 * pass of {@code max_num_batched_tokens} tokens; here it is ESTIMATED from the architecture, per device of the
 * replica, for each autoregressive component): {@code tokens x (4 x hidden + 2 x mlpWidth / tp) x 2 bytes}
 * (the residual stream, the normalised input, the attention output and the MLP's gate and up projections of
 * one layer alive at once, bf16) plus {@code max_num_seqs x vocab / tp x 4 bytes} (fp32 logits of the sampled
 * tokens). ASSUMPTION: this leaves out CUDA-graph and NCCL buffers, which vLLM also accounts for (a few hundred
 * MB), so the cache here is slightly larger than vLLM's.
 */
public final class KvCacheMemory {
    private KvCacheMemory() {}

    /** Peak activation bytes of one replica for the deployment's autoregressive components (0 without any). */
    public static long peakActivationBytes(ResolvedDeployment rd) {
        Batching.LlmBatching llm = rd.deployment().batching().llm();
        int devices = rd.deployment().devicesPerReplica();
        int tp = rd.deployment().tensorParallel();
        long total = 0;
        for (Component c : rd.distinctAutoregressiveComponents()) {
            TransformerArch arch = switch (c) {
                case LanguageModel lm -> lm.arch();
                case Talker talker -> talker.arch();
                default -> null;
            };
            if (arch != null) {
                total += devices * perDeviceActivationBytes(arch, llm.maxNumBatchedTokens(), llm.maxNumSeqs(), tp);
            }
        }
        return total;
    }

    /** Per-device peak activation of one forward pass (see the class comment). */
    public static long perDeviceActivationBytes(TransformerArch arch, long tokens, int sequences, int tp) {
        double mlpWidth = Math.max(arch.intermediateSize(), (double) arch.expertsPerToken() * arch.moeIntermediateSize());
        double perToken = (4.0 * arch.hiddenSize() + 2.0 * mlpWidth / tp) * 2;
        double logits = (double) sequences * arch.vocabSize() / tp * 4;
        return (long) Math.ceil(tokens * perToken + logits);
    }

    /**
     * KV-cache bytes of one replica before rounding to blocks: memory times the fraction, less the weights, less
     * the peak activation under {@code gpu_memory_utilization}; negative when nothing is left.
     */
    public static long cacheBytes(ResolvedDeployment rd) {
        Batching.LlmBatching llm = rd.deployment().batching().llm();
        long bytes = (long) (rd.memoryBytes() * llm.memoryFraction()) - rd.weightBytes();
        if (llm.memoryRule() == Batching.MemoryRule.GPU_MEMORY_UTILIZATION) {
            bytes -= peakActivationBytes(rd);
        }
        return bytes;
    }

    /** Whole KV-cache blocks of one replica: the override when given, else cache bytes over bytes per block. */
    public static long blocks(ResolvedDeployment rd) {
        Batching.LlmBatching llm = rd.deployment().batching().llm();
        long perToken = rd.kvBytesPerToken();
        if (perToken == 0) {
            return 0;
        }
        if (llm.numGpuBlocks() != null) {
            return llm.numGpuBlocks();
        }
        return Math.max(0, cacheBytes(rd)) / (perToken * llm.blockSize());
    }

    /** Tokens of KV cache one replica holds: {@code blocks x block_size}; 0 without an autoregressive task. */
    public static long tokens(ResolvedDeployment rd) {
        return blocks(rd) * rd.deployment().batching().llm().blockSize();
    }
}
