package org.cornserve.runtime.app;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Base64;
import java.util.Locale;

/**
 * Media sent inline as a {@code data:} URL ({@code data:image/png;base64,iVBOR...}), as OpenAI's {@code image_url}
 * and apps' request records carry it. Parsing checks the scheme, the base64 marker and the payload, and says which.
 *
 * @param mediaType the declared type, e.g. {@code image/png} ("" when the URL names none)
 * @param bytes the decoded payload, never empty
 */
public record DataUrl(String mediaType, byte[] bytes) {
    public DataUrl {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("a data URL needs a non-empty payload");
        }
        mediaType = mediaType == null ? "" : mediaType;
    }

    /** Parses a base64 data URL; the message of a failure says what is wrong with it. */
    @JsonCreator
    public static DataUrl parse(String url) {
        if (url == null) {
            throw new IllegalArgumentException("a data URL is required, got null");
        }
        String head = url.length() > 40 ? url.substring(0, 40) + "..." : url;
        if (!url.regionMatches(true, 0, "data:", 0, 5)) {
            throw new IllegalArgumentException("not a data URL (must start with 'data:'; remote URLs are not "
                    + "fetched): '" + head + "'");
        }
        int comma = url.indexOf(',');
        if (comma < 0) {
            throw new IllegalArgumentException("data URL has no ',' before its payload: '" + head + "'");
        }
        String meta = url.substring(5, comma);
        if (!meta.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw new IllegalArgumentException("data URL is not base64 (expected 'data:<type>;base64,<data>'): '"
                    + head + "'");
        }
        String type = meta.substring(0, meta.length() - ";base64".length());
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(url.substring(comma + 1).replaceAll("\\s+", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("data URL payload is not valid base64: " + e.getMessage());
        }
        if (bytes.length == 0) {
            throw new IllegalArgumentException("data URL has an empty payload: '" + head + "'");
        }
        return new DataUrl(type, bytes);
    }

    /** This payload as a data URL. */
    @JsonValue
    public String toUrl() {
        return "data:" + mediaType + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    /** A data URL of {@code bytes} with {@code mediaType}. */
    public static DataUrl of(String mediaType, byte[] bytes) {
        return new DataUrl(mediaType, bytes);
    }
}
