package org.cornserve.planner.schedule.batch;

import org.cornserve.planner.schedule.graph.PromptBlocks;

/**
 * Chained hashes of a sequence's full KV blocks, as vLLM's prefix caching computes them: block {@code j}'s hash
 * mixes block {@code j-1}'s with the block's content. Content comes from the prompt's {@link PromptBlocks} (the
 * pieces overlapping the block, each with the offset into it) where they cover the whole block; a block they do
 * not cover (past the known prompt, or holding generated tokens) gets a content unique to its sequence
 * ({@code salt}), so only the sequence itself can hit it again (recompute after preemption). 64-bit hashes; a
 * collision (odds about n^2 / 2^65 over n blocks) would be taken as a hit.
 */
final class BlockHashes {
    private BlockHashes() {
    }

    /** Fills {@code out[from..to)} with the hashes of blocks from..to-1 ({@code out[from-1]} must be filled). */
    static void fill(long[] out, int from, int to, PromptBlocks prompt, long promptTokens, int blockSize, long salt) {
        long known = Math.min(promptTokens, prompt.coveredTokens());
        int unit = prompt.unitTokens();
        for (int j = from; j < to; j++) {
            long parent = j == 0 ? 0x2545F4914F6CDD1DL : out[j - 1];
            long start = (long) j * blockSize;
            long end = start + blockSize;
            long content;
            if (end <= known) {
                content = 0x1234567L;
                for (long k = start / unit; k * unit < end; k++) {
                    content = mix(content, mix(prompt.id((int) k), Math.max(start, k * unit) - k * unit));
                }
            } else {
                content = mix(0x6A09E667F3BCC909L ^ salt, j);
            }
            long h = mix(parent, content);
            out[j] = h == 0 ? 1 : h;
        }
    }

    /** Hash of the first {@code blocks} blocks of a prompt known by {@code prompt} (no unique blocks: stops early). */
    static int knownBlocks(PromptBlocks prompt, long promptTokens, int blockSize) {
        return (int) (Math.min(promptTokens, prompt.coveredTokens()) / blockSize);
    }

    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
