package org.cornserve.model.task;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a vision encoder's processor turns an image into tokens.
 *
 * <ul>
 *   <li>{@code smart-resize} (Qwen2.5-VL / Omni, tiny models): the image is resized so both sides are
 *       multiples of patch x merge pixels (rounded to the nearest multiple) with its area clamped to
 *       [minPixels, maxPixels]; one token per (patch x merge)^2 block.</li>
 *   <li>{@code dynamic-tiles} (InternVL): the image is cut into i x j tiles of tileSizePx (the grid whose
 *       aspect ratio is closest, at most maxTiles tiles), plus a thumbnail tile when there is more than
 *       one; tokensPerTile tokens each.</li>
 *   <li>{@code fixed} (Gemma 3): every image is resized to one square and gives fixedTokens tokens.</li>
 * </ul>
 * An image of unknown size is taken to be defaultWidthPx x defaultHeightPx (a documented assumption).
 *
 * @param method one of the methods above
 * @param minPixels smallest resized area (smart-resize)
 * @param maxPixels largest resized area (smart-resize)
 * @param tileSizePx tile side (dynamic-tiles) or the fixed square side (fixed)
 * @param tokensPerTile tokens per tile (dynamic-tiles)
 * @param maxTiles most tiles, thumbnail excluded (dynamic-tiles)
 * @param thumbnail whether a thumbnail tile is added when tiles > 1 (dynamic-tiles)
 * @param fixedTokens tokens per image (fixed)
 * @param defaultWidthPx width assumed when unknown
 * @param defaultHeightPx height assumed when unknown
 * @param videoFramesPerSecond frames sampled per second of video when a video gives seconds only (0 when the
 *        encoder takes no video)
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record ImageTokenRule(
        @JsonProperty(value = "method", required = true) Method method,
        @JsonProperty("min_pixels") int minPixels,
        @JsonProperty("max_pixels") int maxPixels,
        @JsonProperty("tile_size_px") int tileSizePx,
        @JsonProperty("tokens_per_tile") int tokensPerTile,
        @JsonProperty("max_tiles") int maxTiles,
        @JsonProperty("thumbnail") boolean thumbnail,
        @JsonProperty("fixed_tokens") int fixedTokens,
        @JsonProperty(value = "default_width_px", required = true) int defaultWidthPx,
        @JsonProperty(value = "default_height_px", required = true) int defaultHeightPx,
        @JsonProperty("video_frames_per_second") double videoFramesPerSecond) {

    /** The token-count method of an image processor. */
    public enum Method {
        SMART_RESIZE, DYNAMIC_TILES, FIXED;

        @JsonValue
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        @JsonCreator
        public static Method parse(String name) {
            for (Method m : values()) {
                if (m.jsonName().equalsIgnoreCase(name.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown image token method '" + name + "'; known: "
                    + Arrays.stream(values()).map(Method::jsonName).collect(Collectors.joining(", ")));
        }
    }

    public ImageTokenRule {
        if (method == null) {
            throw new IllegalArgumentException("image token rule: method is missing");
        }
        if (defaultWidthPx <= 0 || defaultHeightPx <= 0) {
            throw new IllegalArgumentException("image token rule: default_width_px and default_height_px must be > 0");
        }
        if (videoFramesPerSecond < 0) {
            throw new IllegalArgumentException("image token rule: video_frames_per_second must be >= 0");
        }
        switch (method) {
            case SMART_RESIZE -> {
                if (minPixels <= 0 || maxPixels < minPixels) {
                    throw new IllegalArgumentException("smart-resize needs 0 < min_pixels <= max_pixels, got "
                            + minPixels + ", " + maxPixels);
                }
            }
            case DYNAMIC_TILES -> {
                if (tileSizePx <= 0 || tokensPerTile <= 0 || maxTiles <= 0) {
                    throw new IllegalArgumentException("dynamic-tiles needs tile_size_px, tokens_per_tile and max_tiles > 0");
                }
            }
            case FIXED -> {
                if (fixedTokens <= 0) {
                    throw new IllegalArgumentException("fixed needs fixed_tokens > 0");
                }
            }
        }
    }
}
