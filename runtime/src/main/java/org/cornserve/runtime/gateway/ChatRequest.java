package org.cornserve.runtime.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cornserve.runtime.app.DataUrl;

/**
 * An OpenAI-style chat completion request, checked field by field: messages with text, {@code image_url} data URLs
 * and {@code input_audio} WAV clips; {@code stream}, {@code stream_options.include_usage}, {@code max_tokens} (or
 * {@code max_completion_tokens}), {@code temperature}, {@code seed}. An unknown field is refused with the list of
 * known ones. The messages become one prompt ({@code role: text} lines, then {@code assistant:}).
 *
 * @param model the model id
 * @param prompt the messages as one prompt
 * @param images decoded images in message order
 * @param audio decoded WAV clips in message order
 * @param stream whether to answer with server-sent events
 * @param includeUsage whether a streamed answer ends with a usage chunk
 * @param maxTokens text tokens to generate at most
 * @param temperature 0 for greedy
 * @param seed sampling seed
 * @param audioOut {@code "modalities": ["text", "audio"]}: a spoken answer too (a WAV, as OpenAI's audio output)
 */
record ChatRequest(String model, String prompt, List<byte[]> images, List<byte[]> audio, boolean stream,
        boolean includeUsage, int maxTokens, double temperature, long seed, boolean audioOut) {

    /** Tokens generated when the request names no cap. */
    static final int DEFAULT_MAX_TOKENS = 128;
    /** The largest cap accepted. */
    static final int MAX_TOKENS_LIMIT = 4096;

    private static final Set<String> FIELDS = Set.of("model", "messages", "stream", "stream_options", "max_tokens",
            "max_completion_tokens", "temperature", "seed", "n", "user", "modalities", "audio");
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");

    /** {@code modalities}: absent or ["text"] for text; ["text", "audio"] for a spoken answer too. */
    private static boolean modalities(JsonNode m) {
        if (m == null || m.isNull()) {
            return false;
        }
        if (!m.isArray() || m.isEmpty()) {
            throw bad("'modalities' must be a non-empty array of \"text\" and \"audio\"");
        }
        boolean text = false;
        boolean audio = false;
        for (JsonNode v : m) {
            String name = v.asText("");
            switch (name) {
                case "text" -> text = true;
                case "audio" -> audio = true;
                default -> throw bad("modalities: '" + v + "' is not one of text, audio");
            }
        }
        if (!text) {
            throw bad("modalities must include \"text\"");
        }
        return audio;
    }

    /** Parses and checks a request body's JSON tree. */
    static ChatRequest parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw bad("the body must be a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw bad("unknown field '" + f + "'; this endpoint knows " + String.join(", ",
                        FIELDS.stream().sorted().toList()));
            }
        }
        String model = text(root, "model", true);
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw bad("'messages' must be a non-empty array");
        }
        StringBuilder prompt = new StringBuilder();
        List<byte[]> images = new ArrayList<>();
        List<byte[]> audio = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            String where = "messages[" + i + "]";
            JsonNode m = messages.get(i);
            if (!m.isObject()) {
                throw bad(where + " must be an object with 'role' and 'content'");
            }
            for (Iterator<String> it = m.fieldNames(); it.hasNext();) {
                String f = it.next();
                if (!Set.of("role", "content", "name").contains(f)) {
                    throw bad("unknown field '" + f + "' in " + where + "; known: content, name, role");
                }
            }
            String role = text(m, where, "role", true);
            if (!ROLES.contains(role)) {
                throw bad(where + ".role '" + role + "' is not one of " + String.join(", ", ROLES.stream().sorted()
                        .toList()));
            }
            prompt.append(role).append(ChatPrompts.ROLE_SEPARATOR);
            JsonNode content = m.get("content");
            if (content == null || content.isNull()) {
                throw bad(where + ".content is required");
            } else if (content.isTextual()) {
                prompt.append(content.asText());
            } else if (content.isArray()) {
                for (int j = 0; j < content.size(); j++) {
                    part(content.get(j), where + ".content[" + j + "]", prompt, images, audio);
                }
            } else {
                throw bad(where + ".content must be a string or an array of parts");
            }
            prompt.append(ChatPrompts.MESSAGE_END);
        }
        prompt.append(ChatPrompts.ANSWER_CUE);
        boolean stream = bool(root, "stream");
        boolean includeUsage = false;
        JsonNode options = root.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw bad("'stream_options' must be an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = options.fields(); it.hasNext();) {
                String f = it.next().getKey();
                if (!f.equals("include_usage")) {
                    throw bad("unknown field '" + f + "' in stream_options; known: include_usage");
                }
            }
            includeUsage = bool(options, "include_usage");
        }
        Integer cap = integer(root, "max_completion_tokens");
        if (cap == null) {
            cap = integer(root, "max_tokens");
        }
        int maxTokens = cap == null ? DEFAULT_MAX_TOKENS : cap;
        if (maxTokens < 1 || maxTokens > MAX_TOKENS_LIMIT) {
            throw bad("max_tokens must be in 1.." + MAX_TOKENS_LIMIT + ", got " + maxTokens);
        }
        double temperature = org.cornserve.runtime.engine.generate.SamplingParams.CHAT_DEFAULT_TEMPERATURE;
        JsonNode t = root.get("temperature");
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || t.asDouble() < 0 || t.asDouble() > 2) {
                throw bad("temperature must be a number in [0, 2], got " + t);
            }
            temperature = t.asDouble();
        }
        JsonNode s = root.get("seed");
        long seed = 0;
        if (s != null && !s.isNull()) {
            if (!s.isIntegralNumber()) {
                throw bad("seed must be an integer, got " + s);
            }
            seed = s.asLong();
        }
        Integer n = integer(root, "n");
        if (n != null && n != 1) {
            throw bad("n must be 1 (one choice per request), got " + n);
        }
        text(root, "user", false);
        boolean audioOut = modalities(root.get("modalities"));
        JsonNode audioParams = root.get("audio");
        if (audioParams != null && !audioParams.isNull()) {
            if (!audioParams.isObject()) {
                throw bad("'audio' must be an object such as {\"format\": \"wav\"}");
            }
            for (Iterator<String> it = audioParams.fieldNames(); it.hasNext();) {
                String f = it.next();
                if (!Set.of("format", "voice").contains(f)) {
                    throw bad("unknown field '" + f + "' in audio; known: format, voice");
                }
            }
            String format = audioParams.path("format").asText("wav");
            if (!format.equals("wav")) {
                throw bad("audio.format '" + format + "' is not supported; this server answers with wav");
            }
            if (!audioOut) {
                throw bad("'audio' output parameters need \"modalities\": [\"text\", \"audio\"]");
            }
        }
        return new ChatRequest(model, prompt.toString(), List.copyOf(images), List.copyOf(audio), stream,
                includeUsage, maxTokens, temperature, seed, audioOut);
    }

    private static void part(JsonNode p, String where, StringBuilder prompt, List<byte[]> images, List<byte[]> audio) {
        if (p == null || !p.isObject()) {
            throw bad(where + " must be an object with a 'type'");
        }
        String type = text(p, where, "type", true);
        switch (type) {
            case "text" -> prompt.append(text(p, where, "text", true));
            case "image_url" -> {
                JsonNode iu = p.get("image_url");
                String url = iu != null && iu.isTextual() ? iu.asText() : iu != null && iu.isObject()
                        ? text(iu, where + ".image_url", "url", true) : null;
                if (url == null) {
                    throw bad(where + ".image_url must be an object with a 'url' (a data URL)");
                }
                try {
                    images.add(DataUrl.parse(url).bytes());
                } catch (IllegalArgumentException e) {
                    throw bad(where + ".image_url.url: " + e.getMessage());
                }
            }
            case "input_audio" -> {
                JsonNode ia = p.get("input_audio");
                if (ia == null || !ia.isObject()) {
                    throw bad(where + ".input_audio must be an object with 'data' (base64) and 'format'");
                }
                String format = text(ia, where + ".input_audio", "format", true);
                if (!format.equals("wav")) {
                    throw bad(where + ".input_audio.format '" + format + "' is not supported; send 'wav'");
                }
                String data = text(ia, where + ".input_audio", "data", true);
                byte[] wav;
                try {
                    wav = Base64.getDecoder().decode(data.replaceAll("\\s+", ""));
                } catch (IllegalArgumentException e) {
                    throw bad(where + ".input_audio.data is not valid base64: " + e.getMessage());
                }
                if (wav.length == 0) {
                    throw bad(where + ".input_audio.data is empty");
                }
                audio.add(wav);
            }
            default -> throw bad(where + ".type '" + type + "' is not one of text, image_url, input_audio");
        }
    }

    private static String text(JsonNode n, String field, boolean required) {
        return text(n, "", field, required);
    }

    /** A string field; {@code where} ("messages[0].content[1]", or "" at the top) names it in errors. */
    private static String text(JsonNode n, String where, String field, boolean required) {
        String name = where.isEmpty() ? field : where + "." + field;
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw bad("'" + name + "' is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw bad("'" + name + "' must be a string, got " + v.getNodeType().name().toLowerCase(
                    java.util.Locale.ROOT));
        }
        return v.asText();
    }

    private static boolean bool(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw bad("'" + field + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static Integer integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw bad("'" + field + "' must be an integer, got " + v);
        }
        return v.asInt();
    }

    private static ApiError bad(String message) {
        return new ApiError(400, message);
    }
}
