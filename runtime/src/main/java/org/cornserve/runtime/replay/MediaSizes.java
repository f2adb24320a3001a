package org.cornserve.runtime.replay;

import org.cornserve.model.request.MediaItem;
import org.cornserve.model.task.AudioEncoder;
import org.cornserve.model.task.ImageTokenRule;
import org.cornserve.model.task.VisionEncoder;

/**
 * The sizes of media that give a traced item's tokens under a model's token rules: the inverse of
 * {@link VisionEncoder#imageTokens} and {@link AudioEncoder#tokensForSeconds}.
 */
public final class MediaSizes {
    /** Widest aspect ratio of an approximate image size (longer side over shorter). */
    private static final int MAX_ASPECT = 4;
    /** The image processors' own aspect limit (Qwen2-VL's smart_resize refuses 200 and more). */
    private static final int MAX_EXACT_ASPECT = 200;
    /** Duration of an audio clip whose trace gives neither seconds nor tokens. */
    public static final double DEFAULT_AUDIO_SECONDS = 1.0;

    private MediaSizes() {
    }

    /** An image's pixel size. */
    public record Pixels(int widthPx, int heightPx) {
    }

    /**
     * The image to send for a traced item: its own size when the trace gives one; for a token count, a size whose
     * tokens under the encoder's rule are the nearest achievable to it (exact whenever the rule can give it);
     * otherwise the rule's default size.
     */
    public static Pixels image(VisionEncoder encoder, MediaItem item) {
        if (item.widthPx() > 0) {
            return new Pixels(item.widthPx(), item.heightPx());
        }
        ImageTokenRule rule = encoder.tokenRule();
        if (item.tokens() <= 0 || rule.method() == ImageTokenRule.Method.FIXED) {
            return new Pixels(rule.defaultWidthPx(), rule.defaultHeightPx());
        }
        return switch (rule.method()) {
            case SMART_RESIZE -> smartResizeSize(encoder, item.tokens());
            case DYNAMIC_TILES -> tileSize(encoder, item.tokens());
            case FIXED -> throw new AssertionError();
        };
    }

    /**
     * Sides that are multiples of patch x merge with rows x columns = tokens (clamped to the rule's pixel range):
     * the squarest exact factorisation within the processor's aspect limit of {@value #MAX_EXACT_ASPECT}; when
     * there is none (a large prime), the nearest product within an aspect of {@value #MAX_ASPECT}.
     */
    private static Pixels smartResizeSize(VisionEncoder encoder, int tokens) {
        int f = encoder.resizeFactorPx();
        ImageTokenRule rule = encoder.tokenRule();
        long lo = (rule.minPixels() + (long) f * f - 1) / ((long) f * f);
        long hi = rule.maxPixels() / ((long) f * f);
        long want = Math.max(lo, Math.min(hi, tokens));
        for (long rows = (long) Math.sqrt(want); rows >= 1; rows--) {
            if (want % rows == 0 && want / rows < MAX_EXACT_ASPECT * rows) {
                Pixels p = new Pixels((int) (want / rows * f), (int) (rows * f));
                if (encoder.imageTokens(p.widthPx(), p.heightPx()) == want) {
                    return p;
                }
            }
        }
        Pixels best = new Pixels(f, f);
        long bestError = Long.MAX_VALUE;
        for (long rows = (long) Math.sqrt(want); rows >= 1; rows--) {
            for (long cols : new long[] {want / rows, (want + rows - 1) / rows}) {
                if (cols < rows || cols > MAX_ASPECT * rows) {
                    continue;
                }
                Pixels p = new Pixels((int) (cols * f), (int) (rows * f));
                long error = Math.abs(encoder.imageTokens(p.widthPx(), p.heightPx()) - (long) tokens);
                if (error < bestError) {
                    best = p;
                    bestError = error;
                }
            }
        }
        return best;
    }

    /** A grid of whole tiles whose tile count (with the thumbnail) gives the nearest token count. */
    private static Pixels tileSize(VisionEncoder encoder, int tokens) {
        ImageTokenRule rule = encoder.tokenRule();
        Pixels best = null;
        long bestError = Long.MAX_VALUE;
        for (int cols = 1; cols <= rule.maxTiles(); cols++) {
            for (int rows = 1; rows <= cols && rows * cols <= rule.maxTiles(); rows++) {
                Pixels p = new Pixels(cols * rule.tileSizePx(), rows * rule.tileSizePx());
                long error = Math.abs(encoder.imageTokens(p.widthPx(), p.heightPx()) - (long) tokens);
                if (error < bestError) {
                    best = p;
                    bestError = error;
                }
            }
        }
        return best;
    }

    /**
     * The duration of the clip to send for a traced item: its own when the trace gives one; for a token count,
     * the shortest whole number of mel frames that gives at least those tokens; otherwise
     * {@value #DEFAULT_AUDIO_SECONDS} s.
     *
     * @param encoder the model's audio encoder, or null when it has none (only traced seconds can be used then)
     */
    public static double audioSeconds(AudioEncoder encoder, MediaItem item) {
        if (item.seconds() > 0) {
            return item.seconds();
        }
        if (item.tokens() <= 0 || encoder == null) {
            return DEFAULT_AUDIO_SECONDS;
        }
        long lo = 1;
        long hi = 1;
        while (encoder.tokensForFrames(hi) < item.tokens()) {
            hi *= 2;
        }
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (encoder.tokensForFrames(mid) >= item.tokens()) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return (double) lo / encoder.melFramesPerSecond();
    }
}
