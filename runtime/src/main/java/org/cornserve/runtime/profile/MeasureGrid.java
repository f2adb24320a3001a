package org.cornserve.runtime.profile;

import java.util.List;
import java.util.Locale;

/**
 * The points the profiler measures: LLM decode iterations ({@code decodeBatches} x {@code contextTokens}), LLM
 * prefill iterations ({@code prefillTokens}), single-pass batches and denoising steps ({@code batchItems} x
 * {@code tokensPerItem}; a VAE decoder's items are the latents of those images), each
 * {@code repetitions} times after one discarded run. The runs are spread over {@code passes} sweeps of the whole grid,
 * so that a point's runs do not all fall in one slow moment of a shared machine. Outside these axes a measured profile
 * leaves the cost to the roofline estimate (the simulator counts such queries).
 *
 * @param decodeBatches sequences per decode iteration
 * @param contextTokens tokens already cached per sequence at a decode iteration (0 is measured with a one-token prompt)
 * @param prefillTokens prompt tokens of a prefill iteration
 * @param batchItems items of a single-pass batch (encoders, vocoder)
 * @param tokensPerItem tokens per item (image tokens, audio tokens, codec codes); image sizes are square numbers
 * @param repetitions timed runs per point (the profiler keeps the fastest compute, or the median: {@code Measured.Estimator})
 * @param diffusionTextTokens text tokens (text-encoder states) each diffusion job is conditioned on; a diffusion
 *     profile's axes are jobs and latent tokens, so its points hold this prompt length fixed
 * @param passes sweeps of the grid the repetitions are dealt over (1 to {@code repetitions}): with 1, a point's runs
 *     follow one another; with more, each sweep runs every point's share of them, and the point's discarded run comes
 *     in the first sweep only. On this project's 2-core VM a slow moment caught all of a point's back-to-back runs;
 *     dealt over three sweeps (four tiny-omni profiles each way, 2026-12-05), a point's scatter about its profile's
 *     overall speed fell from 4.0% to 2.9% at the median and from 9.6% to 6.0% at P90. The overall speed itself still
 *     moves from one minute to the next (profiles 0.93 to 1.08 of their mean), which no sweep order removes.
 */
public record MeasureGrid(List<Integer> decodeBatches, List<Long> contextTokens, List<Long> prefillTokens,
        List<Integer> batchItems, List<Long> tokensPerItem, int repetitions, int diffusionTextTokens, int passes) {

    /** Diffusion jobs conditioned on a 64-token prompt unless a grid says otherwise. */
    public static final int DEFAULT_DIFFUSION_TEXT_TOKENS = 64;

    /**
     * tiny-omni/llm at 1 and 2 devices in 26 to 30 s of the demo's progress bar on the machine of 7 December (2
     * Zen 3 cores; the decode contexts filled, not prefilled); five runs per point for the fastest of them, dealt
     * over three sweeps (2, 2 and 1 runs). Prompts of 128 and 512 tokens too: the validation's replayed prompts have
     * their quartiles at 99, 256 and 295 text tokens, between the 64-, 256- and 1,024-token points of before.
     */
    public static final MeasureGrid QUICK = new MeasureGrid(List.of(1, 2, 4, 8, 16, 32), List.of(0L, 256L, 1024L),
            List.of(1L, 16L, 64L, 128L, 256L, 512L, 1024L), List.of(1, 2, 4, 8), List.of(1L, 16L, 64L, 256L), 5,
            DEFAULT_DIFFUSION_TEXT_TOKENS, 3);

    /** Wider and with more repetitions. */
    public static final MeasureGrid FULL = new MeasureGrid(List.of(1, 2, 4, 8, 16, 32, 64),
            List.of(0L, 256L, 1024L, 2048L), List.of(1L, 16L, 64L, 128L, 256L, 512L, 1024L, 2048L), List.of(1, 2, 4, 8, 16),
            List.of(1L, 16L, 64L, 256L, 1024L), 5, DEFAULT_DIFFUSION_TEXT_TOKENS, 3);

    /** A grid whose diffusion jobs are conditioned on {@link #DEFAULT_DIFFUSION_TEXT_TOKENS} text tokens, in one sweep. */
    public MeasureGrid(List<Integer> decodeBatches, List<Long> contextTokens, List<Long> prefillTokens,
            List<Integer> batchItems, List<Long> tokensPerItem, int repetitions) {
        this(decodeBatches, contextTokens, prefillTokens, batchItems, tokensPerItem, repetitions,
                DEFAULT_DIFFUSION_TEXT_TOKENS, 1);
    }

    /** A grid measured in one sweep. */
    public MeasureGrid(List<Integer> decodeBatches, List<Long> contextTokens, List<Long> prefillTokens,
            List<Integer> batchItems, List<Long> tokensPerItem, int repetitions, int diffusionTextTokens) {
        this(decodeBatches, contextTokens, prefillTokens, batchItems, tokensPerItem, repetitions, diffusionTextTokens,
                1);
    }

    public MeasureGrid {
        decodeBatches = List.copyOf(decodeBatches);
        contextTokens = List.copyOf(contextTokens);
        prefillTokens = List.copyOf(prefillTokens);
        batchItems = List.copyOf(batchItems);
        tokensPerItem = List.copyOf(tokensPerItem);
        if (decodeBatches.isEmpty() || contextTokens.isEmpty() || prefillTokens.isEmpty() || batchItems.isEmpty()
                || tokensPerItem.isEmpty() || repetitions < 1) {
            throw new IllegalArgumentException("a measure grid needs every axis non-empty and repetitions >= 1");
        }
        if (decodeBatches.stream().anyMatch(b -> b < 1) || prefillTokens.stream().anyMatch(t -> t < 1)
                || batchItems.stream().anyMatch(b -> b < 1) || tokensPerItem.stream().anyMatch(t -> t < 1)
                || contextTokens.stream().anyMatch(c -> c < 0) || diffusionTextTokens < 1) {
            throw new IllegalArgumentException("measure grid axes and diffusion text tokens must be positive (context"
                    + " tokens >= 0)");
        }
        if (passes < 1 || passes > repetitions) {
            throw new IllegalArgumentException("a measure grid's passes must be 1 to its repetitions (" + repetitions
                    + "), got " + passes);
        }
    }

    /** {@code quick} or {@code full}. */
    public static MeasureGrid named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "quick" -> QUICK;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("grid '" + name + "': expected quick or full");
        };
    }

    /** Timed runs of every point in sweep {@code pass} (0-based): the repetitions dealt out, the first sweeps first. */
    int runsInPass(int pass) {
        return repetitions / passes + (pass < repetitions % passes ? 1 : 0);
    }

    /** The same grid with its runs dealt over {@code n} sweeps. */
    public MeasureGrid withPasses(int n) {
        return new MeasureGrid(decodeBatches, contextTokens, prefillTokens, batchItems, tokensPerItem, repetitions,
                diffusionTextTokens, n);
    }

    int maxBatch() {
        return decodeBatches.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    long maxContext() {
        return contextTokens.stream().mapToLong(Long::longValue).max().orElseThrow();
    }
}
