package org.cornserve.model.task;

/**
 * The image processors' token arithmetic, written after the real preprocessors so that a trace's image
 * size gives the token count the model would see.
 *
 * <ul>
 *   <li>smart-resize: Qwen2-VL / Qwen2.5-VL {@code smart_resize} in transformers'
 *       {@code image_processing_qwen2_vl.py}: round each side to the nearest multiple of the factor
 *       (Python's round-half-even), then scale down (floor) or up (ceil) to respect max/min pixels.</li>
 *   <li>dynamic-tiles: InternVL's {@code dynamic_preprocess} / {@code find_closest_aspect_ratio}.</li>
 * </ul>
 */
public final class ImageTokens {
    private ImageTokens() {
    }

    /** Width and height in pixels after a processor's resize. */
    public record Size(int widthPx, int heightPx) {
    }

    /** A tile grid: columns x rows of tiles, and whether a thumbnail is added. */
    public record TileGrid(int columns, int rows, boolean thumbnail) {
        public int tiles() {
            return columns * rows + (thumbnail ? 1 : 0);
        }
    }

    static int imageTokens(VisionEncoder enc, int widthPx, int heightPx) {
        if (widthPx <= 0 || heightPx <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + widthPx + "x" + heightPx);
        }
        ImageTokenRule rule = enc.tokenRule();
        return switch (rule.method()) {
            case SMART_RESIZE -> {
                Size s = smartResize(widthPx, heightPx, enc.resizeFactorPx(), rule.minPixels(), rule.maxPixels());
                yield (s.widthPx() / enc.resizeFactorPx()) * (s.heightPx() / enc.resizeFactorPx());
            }
            case DYNAMIC_TILES -> tileGrid(widthPx, heightPx, rule.tileSizePx(), rule.maxTiles(), rule.thumbnail())
                    .tiles() * rule.tokensPerTile();
            case FIXED -> rule.fixedTokens();
        };
    }

    /**
     * Qwen2-VL smart_resize: both sides become multiples of {@code factor}, the area lands in
     * [minPixels, maxPixels], and the aspect ratio is kept as closely as possible.
     */
    public static Size smartResize(int widthPx, int heightPx, int factor, long minPixels, long maxPixels) {
        if (widthPx <= 0 || heightPx <= 0 || factor <= 0) {
            throw new IllegalArgumentException("smart resize needs positive sizes, got " + widthPx + "x" + heightPx
                    + " factor " + factor);
        }
        if ((double) Math.max(widthPx, heightPx) / Math.min(widthPx, heightPx) > 200) {
            throw new IllegalArgumentException("image aspect ratio must be below 200, got " + widthPx + "x" + heightPx);
        }
        long h = Math.max(factor, roundByFactor(heightPx, factor));
        long w = Math.max(factor, roundByFactor(widthPx, factor));
        if (h * w > maxPixels) {
            double beta = Math.sqrt((double) heightPx * widthPx / maxPixels);
            h = Math.max(factor, floorByFactor(heightPx / beta, factor));
            w = Math.max(factor, floorByFactor(widthPx / beta, factor));
        } else if (h * w < minPixels) {
            double beta = Math.sqrt(minPixels / ((double) heightPx * widthPx));
            h = ceilByFactor(heightPx * beta, factor);
            w = ceilByFactor(widthPx * beta, factor);
        }
        return new Size((int) w, (int) h);
    }

    private static long roundByFactor(double x, int factor) {
        return (long) Math.rint(x / factor) * factor;
    }

    private static long floorByFactor(double x, int factor) {
        return (long) Math.floor(x / factor) * factor;
    }

    private static long ceilByFactor(double x, int factor) {
        return (long) Math.ceil(x / factor) * factor;
    }

    /**
     * InternVL dynamic tiling: among grids of i x j tiles with 1 <= i*j <= maxTiles (in order of tile count),
     * the one whose aspect ratio is closest to the image's; on a tie the larger grid wins when the image
     * area exceeds half the grid's pixel area. A thumbnail is added when the grid has more than one tile.
     */
    public static TileGrid tileGrid(int widthPx, int heightPx, int tileSizePx, int maxTiles, boolean thumbnail) {
        double aspect = (double) widthPx / heightPx;
        double area = (double) widthPx * heightPx;
        int bestI = 1;
        int bestJ = 1;
        double bestDiff = Double.POSITIVE_INFINITY;
        for (int n = 1; n <= maxTiles; n++) {
            // grids with exactly n tiles, columns ascending (the order Python's sorted() gives on ties is
            // irrelevant: grids with equal products have different aspect ratios)
            for (int i = 1; i <= n; i++) {
                if (n % i != 0) {
                    continue;
                }
                int j = n / i;
                double diff = Math.abs(aspect - (double) i / j);
                if (diff < bestDiff) {
                    bestDiff = diff;
                    bestI = i;
                    bestJ = j;
                } else if (diff == bestDiff && area > 0.5 * tileSizePx * tileSizePx * i * j) {
                    bestI = i;
                    bestJ = j;
                }
            }
        }
        return new TileGrid(bestI, bestJ, thumbnail && bestI * bestJ != 1);
    }
}
