package org.cornserve.model.request;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.cornserve.model.Modality;

/**
 * One non-text input of a request: an image, an audio clip or a video.
 *
 * <p>Traces describe items at different levels of detail, so every measure is optional (zero means
 * unknown): {@code tokens} when the trace already counts encoder tokens (ServeGen), pixels for images and
 * videos, {@code seconds} for audio and video, {@code frames} for video. A model turns an item into its
 * own token count from whatever is known (see the model catalog).
 *
 * @param modality image, audio or video (never text)
 * @param tokens encoder output tokens as counted by the trace, or 0 when unknown
 * @param widthPx image or frame width in pixels, or 0 when unknown
 * @param heightPx image or frame height in pixels, or 0 when unknown
 * @param seconds audio or video duration, or 0 when unknown
 * @param frames video frames, or 0 when unknown
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record MediaItem(
        @JsonProperty(value = "modality", required = true) Modality modality,
        @JsonProperty("tokens") int tokens,
        @JsonProperty("width_px") int widthPx,
        @JsonProperty("height_px") int heightPx,
        @JsonProperty("seconds") double seconds,
        @JsonProperty("frames") int frames) {

    public MediaItem {
        if (modality == null || modality == Modality.TEXT) {
            throw new IllegalArgumentException("media item modality must be image, audio or video, got " + modality);
        }
        if (tokens < 0 || widthPx < 0 || heightPx < 0 || frames < 0 || !(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("media item measures must be non-negative and finite: " + modality
                    + " tokens=" + tokens + " width_px=" + widthPx + " height_px=" + heightPx
                    + " seconds=" + seconds + " frames=" + frames);
        }
        if ((widthPx == 0) != (heightPx == 0)) {
            throw new IllegalArgumentException("media item needs both width_px and height_px, or neither");
        }
    }

    public static MediaItem imageTokens(int tokens) {
        return new MediaItem(Modality.IMAGE, tokens, 0, 0, 0, 0);
    }

    public static MediaItem imagePixels(int widthPx, int heightPx) {
        return new MediaItem(Modality.IMAGE, 0, widthPx, heightPx, 0, 0);
    }

    public static MediaItem audioSeconds(double seconds) {
        return new MediaItem(Modality.AUDIO, 0, 0, 0, seconds, 0);
    }

    public static MediaItem audioTokens(int tokens) {
        return new MediaItem(Modality.AUDIO, tokens, 0, 0, 0, 0);
    }

    public static MediaItem videoTokens(int tokens) {
        return new MediaItem(Modality.VIDEO, tokens, 0, 0, 0, 0);
    }
}
