package org.cornserve.runtime.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import org.cornserve.model.Modality;

/**
 * JSON bodies for the two endpoints, with only standard fields (a strict server refuses unknown ones).
 *
 * <ul>
 *   <li>chat: {@code {"model", "messages": [{"role": "user", "content": [text, image_url data URLs, input_audio
 *       (base64 WAV)]}], "max_tokens", "stream", "seed"}}, plus {@code "modalities": ["text", "audio"]} when the
 *       record asks for speech;</li>
 *   <li>invoke: {@code {"prompt", "images": [data URLs], "audio": [data URLs], "max_tokens"}} when the app's
 *       request fields are not known; when they are ({@code GET /apps} lists them), only fields the app has, in
 *       its form: {@code images} a list of PNG data URLs, {@code image} one, {@code audio} one WAV as base64 (the
 *       voice app's); media the app has no field for is refused, naming the app's fields.</li>
 * </ul>
 */
final class RequestBodies {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getEncoder();

    private RequestBodies() {
    }

    static byte[] body(ReplayApi api, String target, SynthesizedRequest r, long seed, boolean stream) {
        return body(api, target, r, seed, stream, null);
    }

    /**
     * @param appFields the invoked app's request fields (snake case), or null when not known
     * @throws IllegalArgumentException when the record has media the app has no field for, or more than its field
     *     takes
     */
    static byte[] body(ReplayApi api, String target, SynthesizedRequest r, long seed, boolean stream,
            java.util.Set<String> appFields) {
        ObjectNode root = JSON.createObjectNode();
        switch (api) {
            case CHAT -> {
                root.put("model", target);
                ArrayNode content = JSON.createArrayNode();
                content.addObject().put("type", "text").put("text", r.prompt());
                for (byte[] png : r.pngs()) {
                    content.addObject().put("type", "image_url").putObject("image_url")
                            .put("url", "data:image/png;base64," + B64.encodeToString(png));
                }
                for (byte[] wav : r.wavs()) {
                    content.addObject().put("type", "input_audio").putObject("input_audio")
                            .put("data", B64.encodeToString(wav)).put("format", "wav");
                }
                ObjectNode message = root.putArray("messages").addObject().put("role", "user");
                if (r.pngs().isEmpty() && r.wavs().isEmpty()) {
                    message.put("content", r.prompt());
                } else {
                    message.set("content", content);
                }
                root.put("max_tokens", r.maxTokens());
                root.put("stream", stream);
                if (stream) {
                    // the server's own token count: a streamed chunk may carry several tokens
                    root.putObject("stream_options").put("include_usage", true);
                }
                root.put("seed", seed);
                if (r.outputs().contains(Modality.AUDIO)) {
                    root.putArray("modalities").add("text").add("audio");
                }
            }
            case INVOKE -> {
                root.put("prompt", r.prompt());
                if (appFields == null) {
                    ArrayNode images = root.putArray("images");
                    for (byte[] png : r.pngs()) {
                        images.add("data:image/png;base64," + B64.encodeToString(png));
                    }
                    ArrayNode audio = root.putArray("audio");
                    for (byte[] wav : r.wavs()) {
                        audio.add("data:audio/wav;base64," + B64.encodeToString(wav));
                    }
                    root.put("max_tokens", r.maxTokens());
                } else {
                    fitted(root, target, r, appFields);
                }
            }
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The invoke body in the app's own fields. */
    private static void fitted(ObjectNode root, String app, SynthesizedRequest r, java.util.Set<String> fields) {
        if (fields.contains("images")) {
            ArrayNode images = root.putArray("images");
            for (byte[] png : r.pngs()) {
                images.add("data:image/png;base64," + B64.encodeToString(png));
            }
        } else if (!r.pngs().isEmpty()) {
            root.put("image", "data:image/png;base64," + B64.encodeToString(one(app, "image", r.pngs(), fields)));
        }
        if (!r.wavs().isEmpty()) {
            root.put("audio", B64.encodeToString(one(app, "audio", r.wavs(), fields)));
        }
        if (fields.contains("max_tokens")) {
            root.put("max_tokens", r.maxTokens());
        }
    }

    private static byte[] one(String app, String field, java.util.List<byte[]> items, java.util.Set<String> fields) {
        if (!fields.contains(field)) {
            throw new IllegalArgumentException("app '" + app + "' takes no " + field + " (its request fields: "
                    + String.join(", ", new java.util.TreeSet<>(fields)) + "); the record has " + items.size());
        }
        if (items.size() > 1) {
            throw new IllegalArgumentException("app '" + app + "' takes one " + field + " (field '" + field
                    + "'); the record has " + items.size());
        }
        return items.get(0);
    }
}
