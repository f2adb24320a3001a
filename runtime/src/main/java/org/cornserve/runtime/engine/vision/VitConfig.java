package org.cornserve.runtime.engine.vision;

/**
 * Dimensions of a Qwen2-VL-style vision encoder: square patches embedded by a linear map over pixels,
 * pre-norm transformer blocks (LayerNorm, GELU MLP, 2-d rotary positions), then a merger that joins
 * {@code merge x merge} neighbouring patches into one token of the LLM's width.
 *
 * @param patch patch side in pixels
 * @param merge patches per side merged into one token
 * @param temporalPatch frames per patch (1 for still images)
 * @param hidden encoder width
 * @param layers transformer blocks
 * @param heads attention heads
 * @param intermediate MLP width
 * @param outHidden token width after the merger (the LLM's hidden size)
 * @param maxTokens most output tokens per image (larger images are scaled down)
 */
public record VitConfig(int patch, int merge, int temporalPatch, int hidden, int layers, int heads, int intermediate,
        int outHidden, int maxTokens) {
    public VitConfig {
        if (patch <= 0 || merge <= 0 || temporalPatch <= 0 || hidden <= 0 || layers <= 0 || heads <= 0
                || intermediate <= 0 || outHidden <= 0 || maxTokens <= 0 || hidden % heads != 0) {
            throw new IllegalArgumentException("bad vision encoder config " + this);
        }
        if ((hidden / heads) % 4 != 0) {
            throw new IllegalArgumentException("head dim " + hidden / heads + " must be a multiple of 4 (2-d rotary)");
        }
    }

    /** Pixels per output token side: patch x merge. */
    public int tokenSide() {
        return patch * merge;
    }

    /** Inputs of the patch embedding: channels x frames x patch x patch. */
    public int patchInputs() {
        return 3 * temporalPatch * patch * patch;
    }

    /** Width of one head. */
    public int headDim() {
        return hidden / heads;
    }

    /** Parameters. */
    public long params() {
        long block = 4L * hidden * hidden + 2L * hidden * intermediate + 9L * hidden + intermediate;
        long mergeIn = (long) hidden * merge * merge;
        return (long) patchInputs() * hidden + layers * block + 2L * hidden + mergeIn * mergeIn + mergeIn
                + mergeIn * outHidden + outHidden;
    }

    /** Output tokens of an image of {@code heightPx x widthPx} (already resized to multiples of tokenSide). */
    public int tokens(int heightPx, int widthPx) {
        return (heightPx / tokenSide()) * (widthPx / tokenSide());
    }
}
