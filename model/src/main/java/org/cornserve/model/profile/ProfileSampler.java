package org.cornserve.model.profile;

import java.util.ArrayList;
import java.util.List;

/**
 * Samples a cost model on a grid to make a {@link Profile} (how {@code cornserve profile estimate} writes
 * roofline estimates to a file, and how a profiler turns measurements into one).
 *
 * @param decodeBatches decode batch sizes of the llm grid
 * @param contextTokens mean contexts per sequence of the llm grid
 * @param prefillTokens prefill chunk sizes of the llm grid
 * @param batchItems items per batch of the batch and diffusion grids
 * @param tokensPerItem tokens per item of the batch and diffusion grids
 */
public record ProfileSampler(List<Integer> decodeBatches, List<Long> contextTokens, List<Long> prefillTokens,
        List<Integer> batchItems, List<Long> tokensPerItem) {

    /** Grids wide enough for the catalog's workloads (up to 512 sequences, 128k context, 32k-token chunks). */
    public static final ProfileSampler DEFAULT = new ProfileSampler(
            List.of(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
            List.of(0L, 256L, 1024L, 4096L, 16384L, 65536L, 131072L),
            List.of(1L, 16L, 64L, 256L, 1024L, 2048L, 4096L, 8192L, 16384L, 32768L),
            List.of(1, 2, 4, 8, 16, 32, 64),
            List.of(1L, 16L, 64L, 256L, 1024L, 4096L, 16384L));

    public ProfileSampler {
        decodeBatches = List.copyOf(decodeBatches);
        contextTokens = List.copyOf(contextTokens);
        prefillTokens = List.copyOf(prefillTokens);
        batchItems = List.copyOf(batchItems);
        tokensPerItem = List.copyOf(tokensPerItem);
    }

    public Profile llm(String task, String hardware, int tp, ProfileSource source, String note, LlmCost cost,
            double cpuOverheadMs) {
        List<Profile.DecodePoint> decode = new ArrayList<>();
        for (int b : decodeBatches) {
            for (long ctx : contextTokens) {
                decode.add(new Profile.DecodePoint(b, ctx, cost.iterationSeconds(0, 0, b, ctx * b) * 1e3));
            }
        }
        List<Profile.PrefillPoint> prefill = new ArrayList<>();
        for (long p : prefillTokens) {
            prefill.add(new Profile.PrefillPoint(p, cost.iterationSeconds(p, p * (p + 1) / 2, 0, 0) * 1e3));
        }
        return new Profile(task, hardware, tp, source, note, Profile.Kind.LLM, cost.kvBytesPerToken(), cpuOverheadMs,
                decode, prefill, List.of());
    }

    public Profile batch(String task, String hardware, int tp, ProfileSource source, String note, BatchCost cost) {
        return new Profile(task, hardware, tp, source, note, Profile.Kind.BATCH, 0, 0, List.of(), List.of(),
                batchPoints(cost));
    }

    public Profile diffusion(String task, String hardware, int tp, ProfileSource source, String note, DiffusionCost cost) {
        return new Profile(task, hardware, tp, source, note, Profile.Kind.DIFFUSION, 0, 0, List.of(), List.of(),
                batchPoints(cost::stepSeconds));
    }

    private List<Profile.BatchPoint> batchPoints(BatchCost cost) {
        List<Profile.BatchPoint> points = new ArrayList<>();
        for (int n : batchItems) {
            for (long t : tokensPerItem) {
                points.add(new Profile.BatchPoint(n, t, cost.batchSeconds(n, n * t) * 1e3));
            }
        }
        return points;
    }
}
